// Profile changes reach the ERP (issue 7): the real `arsync run` PATCHes the customer's record in
// the real erp-sim (json-http push_method: PATCH, push_path customers('{erp_id}')), and a field
// the ERP changed since the portal showed it is resolved by the customer mapping's
// `push: conflict:` policy, the outcome recorded on the outbox item and the profile change.
// The ERP-side change is an AR clerk's edit, made through erp-sim's own API and pulled.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/integration/support_portal.hpp"

using namespace arsync::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Customer {
  std::int64_t id = 0;
  std::string erp_id, email, phone, city;
};

// The deployment's own copy of the customer mapping resolves conflicts by `policy`.
void set_policy(const SyncDeployment& d, const std::string& policy) {
  const auto file = d.mapping("customers.yaml");
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  std::string yaml = text.str();
  const auto at = yaml.find("conflict: erp_wins");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, std::string("conflict: erp_wins").size(), "conflict: " + policy);
  std::ofstream(file) << yaml;
}

Customer first_customer(const SyncDeployment& d) {
  MirrorQuery q(d.mirror());
  Customer c;
  c.id = q.scalar("SELECT min(id) FROM customers");
  const std::string where = " FROM customers WHERE id = ?";
  c.erp_id = q.text("SELECT erp_id" + where, {c.id});
  c.email = q.text("SELECT billing_email" + where, {c.id});
  c.phone = q.text("SELECT phone" + where, {c.id});
  c.city = q.text("SELECT coalesce(billing_city, '')" + where, {c.id});
  return c;
}

// The customer as erp-sim serves it now.
json sim_customer(const ErpSimProcess& sim, const std::string& erp_id) {
  auto reply = http_request("GET", "127.0.0.1", sim.port(), "/odata/customers?$filter=id%20in%20(%27" + erp_id + "%27)");
  REQUIRE(reply.status == 200);
  const json page = json::parse(reply.body);
  REQUIRE(page["value"].size() == 1);
  return page["value"][0];
}

// An AR clerk changes the customer's e-mail in the ERP; the next pull brings it to the mirror.
void clerk_changes_email(const ErpSimProcess& sim, const SyncDeployment& d, const Customer& c, const std::string& email) {
  auto reply = http_request("PATCH", "127.0.0.1", sim.port(), "/odata/customers('" + c.erp_id + "')",
                            json{{"email", email}}.dump(),
                            {{"Idempotency-Key", "clerk-" + email}, {"Content-Type", "application/json"}});
  REQUIRE(reply.status == 200);
  wait_until(
      [&] {
        return MirrorQuery(d.mirror()).text("SELECT billing_email FROM customers WHERE id = ?", {c.id}) ==
               email;
      },
      30s, "the clerk's change to be pulled");
}

json change(const std::string& field, const std::string& from, const std::string& to) {
  return {{"field", field}, {"from", from}, {"to", to}};
}

// Posts a profile change and waits until its outbox item is settled; returns its portal id.
std::string post_change(Daemon& daemon, const SyncDeployment& d, const Customer& c, json changes, const std::string& key) {
  auto reply = daemon.post("/v1/profile-changes", json{{"customer_id", c.id}, {"changes", std::move(changes)}}.dump(),
                           portal_writer(key));
  INFO(reply.body);
  REQUIRE(reply.status == 201);
  wait_until([&] { return outbox_open(d) == 0; }, 30s, "the profile change to be settled");
  return json::parse(reply.body)["id"];
}

std::string outbox(const SyncDeployment& d, const std::string& column, const std::string& key) {
  const std::string name = allowed_name(column, {"status", "attempts", "erp_ref", "last_error", "conflict"});
  return MirrorQuery(d.mirror()).text("SELECT coalesce(" + name + ", '') FROM outbox WHERE idempotency_key = ?", {key});
}

std::string change_row(const SyncDeployment& d, const std::string& column, const std::string& portal_id) {
  const std::string name = allowed_name(column, {"status", "conflict", "erp_ref", "last_error"});
  return MirrorQuery(d.mirror()).text("SELECT coalesce(" + name + ", '') FROM profile_changes WHERE portal_id = ?",
                                      {portal_id});
}

}  // namespace

TEST_CASE("a profile change is PATCHed onto the customer's ERP record, once, found by its key when unanswered") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "100", "--no-idempotency"});
  SyncDeployment d(sim, {}, portal_daemon());
  Daemon daemon(d);
  wait_synced(d);
  const Customer c = first_customer(d);

  const std::string id = post_change(
      daemon, d, c,
      {change("billing_email", c.email, "ap-new@customer.example"), change("billing_city", c.city, "Shelbyville")}, "pfc-1");
  INFO(outbox(d, "last_error", id));
  CHECK(outbox(d, "status", id) == "done");
  CHECK(outbox(d, "erp_ref", id) == c.erp_id);
  CHECK(outbox(d, "conflict", id) == "");
  CHECK(change_row(d, "status", id) == "submitted");
  const json erp = sim_customer(sim, c.erp_id);
  CHECK(erp["email"] == "ap-new@customer.example");
  CHECK(erp["address"]["city"] == "Shelbyville");
  CHECK(erp["phoneNumber"] == c.phone);  // not part of the change: untouched

  // The ERP commits and drops its answer: the item is found by its key, not PATCHed again.
  http_request("POST", "127.0.0.1", sim.port(), "/admin/faults",
               R"({"drop_after_commit_rate": 1, "honor_idempotency": false})");
  const std::string dropped = post_change(daemon, d, c, {change("phone", c.phone, "+1 555 0199")}, "pfc-2");
  CHECK(outbox(d, "status", dropped) == "done");
  CHECK(outbox(d, "erp_ref", dropped) == c.erp_id);
  CHECK(outbox(d, "attempts", dropped) == "2");
  CHECK(sim_customer(sim, c.erp_id)["phoneNumber"] == "+1 555 0199");
  CHECK(sim_writes(sim)["customers"]["created"] == 2);  // two updates applied, none twice
}

TEST_CASE("a profile change the ERP changed meanwhile is resolved by the mapping's conflict policy") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "100"});
  std::string policy;
  SUBCASE("erp_wins") { policy = "erp_wins"; }
  SUBCASE("portal_wins") { policy = "portal_wins"; }
  SUBCASE("reject") { policy = "reject"; }
  CAPTURE(policy);
  DaemonSettings settings = portal_daemon();
  settings.copy_mappings = true;
  SyncDeployment d(sim, {}, settings);
  set_policy(d, policy);
  Daemon daemon(d);
  wait_synced(d);
  const Customer c = first_customer(d);
  clerk_changes_email(sim, d, c, "clerk@erp.example");

  // Based on the e-mail the portal showed before the clerk's change, plus a phone nobody else touched.
  const std::string id = post_change(
      daemon, d, c,
      {change("billing_email", c.email, "portal@customer.example"), change("phone", c.phone, "+1 555 0142")}, "pfc-c");
  const json erp = sim_customer(sim, c.erp_id);
  const std::string conflict = outbox(d, "conflict", id);
  INFO(conflict);
  CHECK(conflict.find("billing_email was '" + c.email + "' when the change was made, the ERP now has 'clerk@erp.example'") !=
        std::string::npos);
  CHECK(change_row(d, "conflict", id) == conflict);
  if (policy == "erp_wins") {
    CHECK(outbox(d, "status", id) == "done");
    CHECK(conflict.rfind("erp_wins: kept the ERP's value", 0) == 0);
    CHECK(erp["email"] == "clerk@erp.example");
    CHECK(erp["phoneNumber"] == "+1 555 0142");
    CHECK(change_row(d, "status", id) == "submitted");

    // A change whose every field the ERP changed: nothing is sent, the item is done.
    const auto writes_before = sim_writes(sim)["customers"]["created"];
    const std::string moot = post_change(daemon, d, c, {change("billing_email", c.email, "again@customer.example")}, "pfc-m");
    CHECK(outbox(d, "status", moot) == "done");
    CHECK(outbox(d, "conflict", moot).find("nothing left to send") != std::string::npos);
    CHECK(sim_writes(sim)["customers"]["created"] == writes_before);
    CHECK(sim_customer(sim, c.erp_id)["email"] == "clerk@erp.example");
  } else if (policy == "portal_wins") {
    CHECK(outbox(d, "status", id) == "done");
    CHECK(conflict.rfind("portal_wins: pushed over the ERP's change", 0) == 0);
    CHECK(erp["email"] == "portal@customer.example");
    CHECK(erp["phoneNumber"] == "+1 555 0142");
  } else {
    CHECK(outbox(d, "status", id) == "failed");
    CHECK(outbox(d, "last_error", id) == conflict);
    CHECK(change_row(d, "status", id) == "rejected");
    CHECK(erp["email"] == "clerk@erp.example");
    CHECK(erp["phoneNumber"] == c.phone);  // nothing of a rejected change is sent
  }
  auto list = d.run({"outbox", "list"});
  CHECK(list.status.ok());
  CHECK(list.out.find(conflict.substr(0, 40)) != std::string::npos);
}

TEST_CASE("a profile change can clear a field, and is refused on a field the ERP's push mapping does not carry") {
  ErpSimProcess sim({"--customers", "20", "--invoices", "100"});
  SyncDeployment d(sim, {}, portal_daemon());
  Daemon daemon(d);
  wait_synced(d);
  const Customer c = first_customer(d);
  REQUIRE_FALSE(c.phone.empty());

  // The demo mapping's push: body has no second address line: refused, naming the field.
  const json line2{{"customer_id", c.id},
                   {"changes", {change("billing_city", c.city, "Shelbyville"), change("billing_line2", "", "Suite 4")}}};
  auto refused = daemon.post("/v1/profile-changes", line2.dump(), portal_writer("pfc-line2"));
  CHECK(refused.status == 422);
  const json error = json::parse(refused.body)["error"];
  INFO(refused.body);
  REQUIRE(error["fields"].size() == 1);
  CHECK(error["fields"][0]["field"] == "changes[1].field");
  CHECK(error["fields"][0]["message"].get<std::string>().find("'billing_line2' cannot be changed for this customer") == 0);
  CHECK(error["fields"][0]["message"].get<std::string>().find("customers.yaml") != std::string::npos);
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT count(*) FROM profile_changes") == 0);

  // "to" must be there: a missing one is a mistake, not a clear.
  auto no_to = daemon.post("/v1/profile-changes",
                           json{{"customer_id", c.id}, {"changes", {{{"field", "phone"}, {"from", c.phone}}}}}.dump(),
                           portal_writer("pfc-no-to"));
  CHECK(no_to.status == 422);
  CHECK(no_to.body.find("changes[0].to") != std::string::npos);

  // "to": null clears the phone in the ERP, and the next pull clears it in the mirror.
  const std::string id = post_change(daemon, d, c, {{{"field", "phone"}, {"from", c.phone}, {"to", nullptr}}}, "pfc-clear");
  INFO(outbox(d, "last_error", id));
  CHECK(outbox(d, "status", id) == "done");
  const json erp = sim_customer(sim, c.erp_id);
  CHECK(erp["phoneNumber"] == "");
  CHECK(erp["email"] == c.email);  // not part of the change: untouched
  wait_until(
      [&] {
        return MirrorQuery(d.mirror()).text("SELECT coalesce(phone, '') FROM customers WHERE id = ?", {c.id})
            .empty();
      },
      30s, "the cleared phone to be pulled");
}
