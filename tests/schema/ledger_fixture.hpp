// A small mirror for the portal-write tests: customers C1 and C2, C1's invoices I1 (30.00 USD),
// I2 (20.00 USD) and I4 (10.00 EUR), C2's I3 (10.00 USD); and the ApiWrite of a request whose
// customer's connector ("demo") takes pushed items.
#pragma once

#include <string>

#include "tests/schema/entity_fixture.hpp"
#include "tests/schema/mirror_fixture.hpp"

namespace arsync::test {

struct Ledger : Mirror {
  Ledger() {
    apply(page_of({customer("C1"), customer("C2")}, std::nullopt, "customers"));
    Entity eur = invoice("I4", "C1", 1);
    eur.set("currency", std::string("EUR"));
    for (const char* f : {"subtotal", "tax", "total", "balance"}) {
      Money m = std::get<Money>(eur.get(f));
      m.currency = "EUR";
      eur.set(f, m);
    }
    std::get<Money>(eur.children[0][0].values[eur.children[0][0].spec->field_index("amount")]).currency = "EUR";
    apply(page_of({invoice("I1", "C1", 3), invoice("I2", "C1", 2), invoice("I3", "C2", 1), eur}));
  }
  std::int64_t id(const std::string& table, const std::string& erp_id) {
    return number("SELECT id FROM " + allowed_name(table, {"customers", "invoices"}) + " WHERE erp_id = ?", {erp_id});
  }
};

inline ApiWrite api(const std::string& key, const std::string& hash = "h1") {
  return ApiWrite{"portal-web", key, hash, R"({"id":"answer-)" + key + R"("})", {"demo"}};
}

}  // namespace arsync::test
