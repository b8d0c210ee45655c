// write_helpers: what erp-sim's write tests share: sending a write with an Idempotency-Key,
// reading a collection or a lookup page, and picking invoices of a given state from the
// served data. Header-only (two test files); money is read exactly (tests/support/exact_json).
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/erp_sim_process.hpp"
#include "tests/support/exact_json.hpp"
#include "tests/support/http_client.hpp"

namespace arsync::test::writes {

using nlohmann::json;

inline const std::vector<std::string> kCompany = {"--seed", "11", "--customers", "30", "--invoices", "400"};

inline HttpReply send(const ErpSimProcess& sim, const std::string& method, const std::string& target,
                      const std::string& key, const std::string& body, HttpHeaders headers = {}) {
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return http_request(method, "127.0.0.1", sim.port(), target, body, headers);
}

inline HttpReply post(const ErpSimProcess& sim, const std::string& collection, const std::string& key,
                      const json& body) {
  return send(sim, "POST", "/odata/" + collection, key, body.dump());
}

inline json get_json(const ErpSimProcess& sim, const std::string& target) {
  const HttpReply reply = http_request("GET", "127.0.0.1", sim.port(), target);
  INFO(target << " -> " << reply.status << " " << reply.body.substr(0, 300));
  REQUIRE(reply.status == 200);
  return parse_exact(reply.body);
}

inline void set_faults(const ErpSimProcess& sim, const json& settings) {
  const HttpReply reply = http_request("POST", "127.0.0.1", sim.port(), "/admin/faults", settings.dump());
  REQUIRE(reply.status == 200);
}

// Every record of a collection (single page: the test companies are small).
inline std::vector<json> all(const ErpSimProcess& sim, const std::string& collection) {
  const json page = get_json(sim, "/odata/" + collection + "?$top=20000");
  REQUIRE_FALSE(page.contains("@odata.nextLink"));
  return page.at("value").get<std::vector<json>>();
}

// The records a lookup by Idempotency-Key finds.
inline std::vector<json> lookup(const ErpSimProcess& sim, const std::string& collection, const std::string& key) {
  return get_json(sim, "/odata/" + collection + "?$filter=" + "idempotencyKey%20eq%20'" + key + "'")
      .at("value")
      .get<std::vector<json>>();
}

inline int exponent_of(const std::string& currency) {
  static const std::map<std::string, int> kExponents = {{"USD", 2}, {"EUR", 2}, {"JPY", 0}, {"KWD", 3}};
  return kExponents.at(currency);
}

inline int64_t amount(const json& record, const char* field) {
  return minor_units(record.at(field), exponent_of(record.at("currencyCode").get<std::string>()));
}

// Minor units as the decimal text a client sends: 1250 at exponent 2 -> "12.50".
inline std::string decimal(int64_t minor, int exponent) {
  std::string digits = std::to_string(minor);
  if (exponent == 0) return digits;
  if (digits.size() <= static_cast<size_t>(exponent)) digits.insert(0, exponent + 1 - digits.size(), '0');
  digits.insert(digits.size() - exponent, ".");
  return digits;
}

// The first served invoice matching `wanted`, e.g. an open one with something left to pay.
template <class Predicate>
json find_invoice(const ErpSimProcess& sim, Predicate wanted) {
  for (const json& invoice : all(sim, "invoices"))
    if (invoice.contains("id") && wanted(invoice)) return invoice;
  FAIL("no invoice matches");
  return {};
}

inline std::string text(const json& record, const char* field) { return record.at(field).get<std::string>(); }

// An open USD invoice with at least 1.00 to pay: USD has two decimals, so precision cases mean
// the same for every pick.
inline bool open_usd(const json& invoice) {
  return text(invoice, "status") == "Open" && text(invoice, "currencyCode") == "USD" &&
         amount(invoice, "remainingAmount") >= 100;
}

// A payment of `amount` (minor) for `invoice`'s customer, applying `applied` to it.
inline json payment_body(const json& invoice, int64_t amount, int64_t applied, const std::string& portal_ref) {
  const std::string currency = text(invoice, "currencyCode");
  const int exponent = exponent_of(currency);
  json body{{"customerId", text(invoice, "customerId")},
            {"paymentDate", "2025-12-02"},
            {"paymentMethod", "Card"},
            {"reference", "ch_" + portal_ref},
            {"portalRef", portal_ref},
            {"currencyCode", currency},
            {"amount", decimal(amount, exponent)},
            {"applications", json::array()}};
  if (applied > 0)
    body["applications"].push_back({{"invoiceId", text(invoice, "id")}, {"amount", decimal(applied, exponent)}});
  return body;
}

inline json admin_writes(const ErpSimProcess& sim) { return get_json(sim, "/admin/writes"); }

}  // namespace arsync::test::writes
