// erp-sim's deletes and targeted reads (API.md "/admin/mutate" delete, `$filter=id in (...)`):
// what arsync's reconcile pass and thin-webhook pulls are tested against.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/erp_sim_process.hpp"
#include "tests/support/http_client.hpp"

namespace {

using arsync::test::ErpSimProcess;
using arsync::test::http_request;
using nlohmann::json;

json call(const ErpSimProcess& sim, const std::string& method, const std::string& target,
          const std::string& body = {}) {
  auto reply = http_request(method, "127.0.0.1", sim.port(), target, body);
  INFO(method << " " << target << " -> " << reply.status << " " << reply.body.substr(0, 300));
  REQUIRE(reply.status == 200);
  return json::parse(reply.body);
}

std::set<std::string> served_ids(const ErpSimProcess& sim, const std::string& collection) {
  std::set<std::string> ids;
  const json page = call(sim, "GET", "/odata/" + collection + "?$top=20000");
  for (const json& r : page["value"]) ids.insert(r["id"]);
  return ids;
}

std::string id_filter(const std::vector<std::string>& ids) {
  std::string filter = "id in (";
  for (std::size_t i = 0; i < ids.size(); ++i) filter += (i ? ",'" : "'") + ids[i] + "'";
  return filter + ")";
}

std::string encoded(std::string text) {
  std::string out;
  for (char c : text) out += c == ' ' ? "%20" : c == '\'' ? "%27" : std::string(1, c);
  return out;
}

}  // namespace

TEST_CASE("delete removes invoices with no applications from /odata and /admin/stats") {
  ErpSimProcess sim({"--seed", "61", "--customers", "20", "--invoices", "200"});
  const auto before = served_ids(sim, "invoices");
  const auto count_before = call(sim, "GET", "/admin/stats")["invoices"]["count"].get<int>();
  json deleted = call(sim, "POST", "/admin/mutate", R"({"collection":"invoices","action":"delete","count":7})");
  REQUIRE(deleted["ids"].size() == 7);
  const auto after = served_ids(sim, "invoices");
  CHECK(after.size() == before.size() - 7);
  for (const json& id : deleted["ids"]) {
    CHECK(before.contains(id.get<std::string>()));
    CHECK_FALSE(after.contains(id.get<std::string>()));
  }
  CHECK(call(sim, "GET", "/admin/stats")["invoices"]["count"].get<int>() == count_before - 7);
  // Every payment still applies to invoices that exist: only unapplied invoices are deleted.
  const json payments = call(sim, "GET", "/odata/payments?$top=20000");
  for (const json& payment : payments["value"])
    for (const json& application : payment["applications"])
      CHECK(after.contains(application["invoiceId"].get<std::string>()));
  // A deleted invoice is not chosen again, and a modify never resurrects it.
  json more = call(sim, "POST", "/admin/mutate", R"({"collection":"invoices","action":"modify","count":150})");
  for (const json& id : more["ids"]) CHECK_FALSE(std::count(deleted["ids"].begin(), deleted["ids"].end(), id));
  CHECK(served_ids(sim, "invoices").size() == after.size());
  CHECK(http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                     R"({"collection":"payments","action":"delete"})")
            .status == 400);
}

TEST_CASE("$filter=id in (...) serves exactly the listed records that exist, in the order asked") {
  ErpSimProcess sim({"--seed", "62", "--customers", "20", "--invoices", "100"});
  const std::vector<std::string> ids = {"INV-0000042", "INV-0000007", "INV-0009999", "CUST-0000001",
                                        "INV-0000042"};
  json page = call(sim, "GET", "/odata/invoices?$top=100&$filter=" + encoded(id_filter(ids)));
  std::vector<std::string> got;
  for (const json& r : page["value"]) got.push_back(r["id"]);
  CHECK(got == std::vector<std::string>{"INV-0000042", "INV-0000007", "INV-0000042"});
  CHECK_FALSE(page.contains("@odata.nextLink"));
  // The record is the one the collection serves, byte for byte.
  json all = call(sim, "GET", "/odata/invoices?$top=1000");
  for (const json& r : all["value"])
    if (r["id"] == "INV-0000007") CHECK(r == page["value"][1]);

  json deleted = call(sim, "POST", "/admin/mutate", R"({"collection":"invoices","action":"delete","count":1})");
  std::string gone = deleted["ids"][0];
  json after = call(sim, "GET", "/odata/invoices?$filter=" + encoded(id_filter({gone, "INV-0000001"})));
  REQUIRE(after["value"].size() <= 1);
  for (const json& r : after["value"]) CHECK(r["id"] != gone);
  CHECK(call(sim, "GET", "/odata/invoices?$top=2&$filter=" +
                             encoded(id_filter({"INV-0000001", "INV-0000002", "INV-0000003"})))["value"]
            .size() == 2);
  CHECK(http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices?$filter=" + encoded("id in ('A'"))
            .status == 400);
  CHECK(http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices?$filter=" + encoded("id in ()"))
            .status == 400);
}
