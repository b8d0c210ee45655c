// Excel/OLE serial date-times (timestamp: excel, fractional days to the millisecond, the 1900
// leap-year bug, the 1904 date system for dates and timestamps) and list items picked by a
// member's value in paths (Phones[PhoneType=DEFAULT].PhoneNumber), with their load problems.
#include <doctest/doctest.h>

#include <string>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"

using namespace arsync;

namespace {

std::string customer_yaml(const std::string& field_rule) {
  return "entity: customer\nfields:\n  erp_id: id\n  name: { from: name, default: x }\n" + field_rule;
}

// The value the mapping gives `field` for `json`: its text, "<absent>", "error: ..." or "load: ...".
std::string field_of(const std::string& yaml, const std::string& field, const std::string& json) {
  auto m = Mapping::parse(yaml, "t.yaml");
  if (!m) return "load: " + m.error().front().describe();
  auto node = parse_json(json);
  REQUIRE(node);
  auto e = m->map(Record{*node, json});
  if (!e) return "error: " + e.error().message;
  const Value& v = e->get(field);
  if (std::holds_alternative<std::monostate>(v)) return "<absent>";
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* money = std::get_if<Money>(&v)) return money->to_string();
  return "?";
}

struct Row {
  const char* input;
  const char* want;
};

void check_rows(const std::string& yaml, const std::string& field, std::initializer_list<Row> rows) {
  for (const Row& row : rows) {
    CAPTURE(row.input);
    CHECK(field_of(yaml, field, row.input) == row.want);
  }
}

std::string invoice_yaml(const std::string& date_format) {
  return "entity: invoice\nfields:\n  erp_id: id\n  number: { value: N }\n  customer: { value: C }\n"
         "  currency: { value: USD }\n  total: { value: 0, money: { currency: USD } }\n"
         "  balance: { value: 0, money: { currency: USD } }\n  status: { value: open }\n"
         "  issue_date: { from: d, date: " +
         date_format + " }\n";
}

}  // namespace

TEST_CASE("timestamp: excel — fractional days to the millisecond, read as UTC; the 1900 bug refused") {
  check_rows(
      customer_yaml("  erp_updated_at: { from: t, timestamp: excel }\n"), "erp_updated_at",
      {{R"({"id":"1","t":45000})", "2023-03-15T00:00:00.000Z"},
       {R"({"id":"1","t":45000.75})", "2023-03-15T18:00:00.000Z"},
       {R"({"id":"1","t":"45000.5"})", "2023-03-15T12:00:00.000Z"},
       // a double's 17 digits: 14:30 exactly once rounded to the millisecond
       {R"({"id":"1","t":45351.604166666664})", "2024-02-29T14:30:00.000Z"},
       {R"({"id":"1","t":"45351.99999999"})", "2024-02-29T23:59:59.999Z"},
       {R"({"id":"1","t":"45351.999999999999"})", "2024-03-01T00:00:00.000Z"},  // rounds up to midnight
       {R"({"id":"1","t":61.25})", "1900-03-01T06:00:00.000Z"},
       {R"({"id":"1","t":60.5})",
        "error: field erp_updated_at: \"60.5\" at t is before 1900-03-01, where Excel serial dates are "
        "ambiguous"},
       {R"({"id":"1","t":"-1"})",
        "error: field erp_updated_at: \"-1\" at t is not an Excel serial date (a day number such as "
        "45000)"},
       {R"({"id":"1","t":"2023-03-15"})",
        "error: field erp_updated_at: \"2023-03-15\" at t is not an Excel serial date (a day number "
        "such as 45000)"},
       {R"({"id":"1","t":""})", "<absent>"}});
}

TEST_CASE("excel1904: the 1904 date system for dates and timestamps (no leap-year bug)") {
  check_rows(invoice_yaml("excel1904"), "issue_date",
             {{R"({"id":"1","d":0})", "1904-01-01"},
              {R"({"id":"1","d":59})", "1904-02-29"},     // 1904 is a leap year, and no serial is ambiguous
              {R"({"id":"1","d":43538})", "2023-03-15"},  // = 45000 in the 1900 system, 1462 days apart
              {R"({"id":"1","d":"43538.9"})", "2023-03-15"}});
  check_rows(customer_yaml("  erp_updated_at: { from: t, timestamp: excel1904 }\n"), "erp_updated_at",
             {{R"({"id":"1","t":43538.25})", "2023-03-15T06:00:00.000Z"},
              {R"({"id":"1","t":"0.5"})", "1904-01-01T12:00:00.000Z"}});
  // The same calendar day from both systems.
  CHECK(field_of(invoice_yaml("excel"), "issue_date", R"({"id":"1","d":45000})") ==
        field_of(invoice_yaml("excel1904"), "issue_date", R"({"id":"1","d":43538})"));
  CHECK(field_of(invoice_yaml("excel1094"), "issue_date", "{}") ==
        "load: t.yaml:10:32: date format \"excel1094\" is neither a pattern such as %d/%m/%Y nor one of "
        "iso8601, excel, excel1904, ms_json (did you mean 'excel1904'?)");
}

TEST_CASE("paths: a list item picked by a member's value, in any order, or missing") {
  const std::string yaml = customer_yaml(
      "  phone: \"Phones[PhoneType=DEFAULT].PhoneNumber\"\n"
      "  billing_city: { from: \"Addresses[AddressType=POBOX].City\", default: none }\n");
  const char* xero_order_a =
      R"({"id":"1","Phones":[{"PhoneType":"DDI","PhoneNumber":"1"},{"PhoneType":"DEFAULT","PhoneNumber":"2"}],)"
      R"("Addresses":[{"AddressType":"STREET","City":"Auckland"},{"AddressType":"POBOX","City":"Wellington"}]})";
  const char* xero_order_b =
      R"({"id":"1","Phones":[{"PhoneType":"DEFAULT","PhoneNumber":"2"},{"PhoneType":"DDI","PhoneNumber":"1"}],)"
      R"("Addresses":[{"AddressType":"POBOX","City":"Wellington"}]})";
  check_rows(yaml, "phone", {{xero_order_a, "2"}, {xero_order_b, "2"}});
  check_rows(
      yaml, "billing_city",
      {{xero_order_a, "Wellington"},
       {xero_order_b, "Wellington"},
       {R"({"id":"1","Addresses":[{"AddressType":"STREET","City":"Auckland"}]})", "none"},
       {R"({"id":"1","Addresses":{"AddressType":"POBOX","City":"Nelson"}})", "Nelson"},  // a list of one
       {R"({"id":"1","Addresses":"POBOX"})", "none"}});
  for (const char* bad : {"Phones[PhoneType].PhoneNumber", "Phones[=DEFAULT].PhoneNumber", "[a=b].c",
                          "Phones[PhoneType=DEFAULT"}) {
    CAPTURE(bad);
    CHECK(field_of(customer_yaml(std::string("  phone: \"") + bad + "\"\n"), "phone", "{}")
              .ends_with(
                  "a list item is picked as list[member=value], e.g. Phones[PhoneType=DEFAULT] (write ERP "
                  "field names separated by dots, e.g. address.city or lines.0.amount)"));
  }
}

TEST_CASE("timestamp: iso8601 text already canonical is kept; other shapes are re-formatted") {
  check_rows(customer_yaml("  erp_updated_at: { from: t, timestamp: iso8601 }\n"), "erp_updated_at",
             {{R"({"id":"1","t":"2024-02-29T23:59:59.999Z"})", "2024-02-29T23:59:59.999Z"},
              {R"({"id":"1","t":"2019-01-15T09:55:36.27Z"})", "2019-01-15T09:55:36.270Z"},
              {R"({"id":"1","t":"2024-02-29T23:59:59.999+01:00"})", "2024-02-29T22:59:59.999Z"},
              {R"({"id":"1","t":"2023-02-29T00:00:00.000Z"})",
               "error: field erp_updated_at: \"2023-02-29T00:00:00.000Z\" at t is not ISO 8601 "
               "(YYYY-MM-DDTHH:MM:SS[.fff]Z): no such calendar date"}});
}
