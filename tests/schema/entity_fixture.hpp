// Canonical entities for the schema tests: a customer with a contact, an invoice of N lines of
// 10.00 USD, and a page of entities from source "demo".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schema/catalog.hpp"
#include "schema/mirror_store.hpp"

namespace arsync::test {

inline Money usd(std::int64_t minor) { return Money{minor, "USD"}; }

inline Entity customer(const std::string& erp_id, const std::string& name = "Acme") {
  Entity c(find_entity("customer"));
  c.set("erp_id", erp_id);
  c.set("name", name);
  c.set("currency", std::string("USD"));
  c.set("status", std::string("active"));
  Entity contact(find_entity("contact"));
  contact.set("name", std::string("Ann Payable"));
  contact.set("is_primary", true);
  c.children[0].push_back(contact);
  return c;
}

// An invoice of `lines` lines of 10.00 each.
inline Entity invoice(const std::string& erp_id, const std::string& customer_id, int lines = 3) {
  Entity inv(find_entity("invoice"));
  inv.set("erp_id", erp_id);
  inv.set("number", "N-" + erp_id);
  inv.set("customer", customer_id);
  inv.set("issue_date", std::string("2025-03-01"));
  inv.set("due_date", std::string("2025-03-31"));
  inv.set("currency", std::string("USD"));
  inv.set("subtotal", usd(1000 * lines));
  inv.set("tax", usd(0));
  inv.set("total", usd(1000 * lines));
  inv.set("balance", usd(1000 * lines));
  inv.set("status", std::string("open"));
  for (int i = 1; i <= lines; ++i) {
    Entity line(find_entity("invoice_line"));
    line.set("line_no", std::int64_t{i});
    line.set("item", "SKU-" + std::to_string(i));
    line.set("quantity", Decimal{25, 1});
    line.set("unit_price", Decimal{4, 0});
    line.set("amount", usd(1000));
    inv.children[0].push_back(line);
  }
  return inv;
}

inline PageWrite page_of(std::vector<Entity> entities, std::optional<std::string> cursor = {},
                  std::string stream = "invoices") {
  PageWrite page;
  page.source = "demo";
  page.stream = std::move(stream);
  page.entities = std::move(entities);
  page.cursor = std::move(cursor);
  return page;
}

}  // namespace arsync::test
