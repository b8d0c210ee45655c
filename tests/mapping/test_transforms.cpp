// Mapping language v2 transforms, table by table: required, concat, split, when: (records and
// child items), serial dates (Excel/OLE, Microsoft JSON), ms_json timestamps, lookup, records:/
// next_link:, and the load-time problems each new key can raise (with file:line:col).
#include <doctest/doctest.h>

#include <string>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"
#include "mapping/serial_date.hpp"
#include "schema/timestamp.hpp"

using namespace arsync;

namespace {

// A customer mapping with one extra field rule (and extra top-level text).
std::string customer_yaml(const std::string& field_rule, const std::string& top = "") {
  return "entity: customer\n" + top + "fields:\n  erp_id: id\n  name: { from: name, default: x }\n" +
         field_rule;
}

std::string problems(const std::string& yaml) {
  auto m = Mapping::parse(yaml, "t.yaml");
  if (m) return "";
  std::string out;
  for (const Error& e : m.error()) out += e.describe() + "\n";
  return out;
}

Record record(const std::string& json) {
  auto node = parse_json(json);
  REQUIRE(node);
  return Record{*node, json};
}

// The value the mapping gives `field` for `json`, as text; "<absent>", or "error: ...".
std::string field_of(const std::string& yaml, const std::string& field, const std::string& json) {
  auto m = Mapping::parse(yaml, "t.yaml");
  if (!m) return "load: " + m.error().front().describe();
  auto e = m->map(record(json));
  if (!e) return "error: " + e.error().message;
  const Value& v = e->get(field);
  if (std::holds_alternative<std::monostate>(v)) return "<absent>";
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* m2 = std::get_if<Money>(&v)) return m2->to_string();
  if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto* d = std::get_if<Decimal>(&v)) return d->to_string();
  return std::to_string(std::get<std::int64_t>(v));
}

struct Row {
  const char* input;  // the ERP record (JSON)
  const char* want;   // the canonical value, "<absent>" or "error: ..."
};

void check_rows(const std::string& yaml, const std::string& field, std::initializer_list<Row> rows) {
  for (const Row& row : rows) {
    CAPTURE(row.input);
    CHECK(field_of(yaml, field, row.input) == row.want);
  }
}

}  // namespace

TEST_CASE("required: an optional field that the mapping makes required") {
  std::string yaml = customer_yaml("  tax_id: { from: vat, required: true }\n");
  check_rows(yaml, "tax_id",
             {{R"({"id":"1","vat":"GB123"})", "GB123"},
              {R"({"id":"1"})", "error: field tax_id: no value at vat; the mapping says required: true"},
              {R"({"id":"1","vat":""})",
               "error: field tax_id: an empty value at vat; the mapping says required: true"},
              {R"({"id":"1","vat":null})",
               "error: field tax_id: no value at vat; the mapping says required: true"}});
  CHECK(problems(customer_yaml("  tax_id: { from: vat, required: true, default: x }\n")) ==
        "t.yaml:5:3: field tax_id: give required: or default:, not both\n");
}

TEST_CASE("concat: fields and constants joined, missing parts left out") {
  std::string yaml =
      customer_yaml("  billing_line1: { concat: [street, {value: \"No.\"}, house], separator: \" \" }\n");
  check_rows(yaml, "billing_line1",
             {{R"({"id":"1","street":"Main St","house":"5"})", "Main St No. 5"},
              {R"({"id":"1","street":"Main St"})", "Main St No."},
              {R"({"id":"1","house":12})", "No. 12"},
              {R"({"id":"1"})", "<absent>"},
              {R"({"id":"1","street":"","house":null})", "<absent>"}});
  std::string required = customer_yaml("  number: { concat: [a, b], separator: \"-\", required: true }\n");
  check_rows(
      required, "number",
      {{R"({"id":"1","a":"X","b":"Y"})", "X-Y"},
       {R"({"id":"1"})", "error: field number: no value at concat: a + b; the mapping says required: true"}});
  CHECK(problems(customer_yaml("  number: { from: a, concat: [a, b] }\n")) ==
        "t.yaml:5:3: field number: give one of from:, value: or concat:\n");
  CHECK(problems(customer_yaml("  number: { from: a, separator: \"-\" }\n")) ==
        "t.yaml:5:3: field number: separator: belongs to concat: (split: has its own)\n");
  CHECK(problems(customer_yaml("  number: { concat: a }\n")) ==
        "t.yaml:5:21: field number concat: needs a list such as [FirstName, {value: \" \"}, LastName]\n");
}

TEST_CASE("split: a piece by position, first, last, beyond the end") {
  auto yaml = [](const char* part) {
    return customer_yaml(std::string("  number: { from: ref, split: { separator: \"-\", part: ") + part +
                         " } }\n");
  };
  check_rows(yaml("0"), "number",
             {{R"({"id":"1","ref":"C-042-X"})", "C"}, {R"({"id":"1","ref":"plain"})", "plain"}});
  check_rows(yaml("1"), "number",
             {{R"({"id":"1","ref":"C-042-X"})", "042"}, {R"({"id":"1","ref":"plain"})", "<absent>"}});
  check_rows(yaml("-1"), "number",
             {{R"({"id":"1","ref":"C-042-X"})", "X"}, {R"({"id":"1","ref":"a-"})", "<absent>"}});
  CHECK(problems(customer_yaml("  number: { from: ref, split: { separator: \"\" } }\n")) ==
        "t.yaml:5:44: field number split: separator: cannot be empty\n"
        "t.yaml:5:24: field number split: needs a separator:\n");
  CHECK(problems(customer_yaml("  number: { from: ref, split: { separator: \"-\", part: first } }\n")) ==
        "t.yaml:5:55: field number split: part: is a position: 0 = first, 1 = second, -1 = last\n");
}

TEST_CASE("dates: Excel serials, Microsoft JSON dates with zones, leap days") {
  auto invoice = [](const std::string& format) {
    return "entity: invoice\nfields:\n  erp_id: id\n  number: { value: N }\n  customer: { value: C }\n"
           "  currency: { value: USD }\n  total: { value: 0, money: { currency: USD } }\n"
           "  balance: { value: 0, money: { currency: USD } }\n  status: { value: open }\n"
           "  issue_date: { from: d, date: " +
           format + " }\n";
  };
  check_rows(
      invoice("excel"), "issue_date",
      {{R"({"id":"1","d":45000})", "2023-03-15"},
       {R"({"id":"1","d":"45000.75"})", "2023-03-15"},
       {R"({"id":"1","d":61})", "1900-03-01"},
       {R"({"id":"1","d":45351})", "2024-02-29"},
       {R"({"id":"1","d":60})",
        "error: field issue_date: \"60\" at d is before 1900-03-01, where Excel serial dates are ambiguous"},
       {R"({"id":"1","d":"45,000"})",
        "error: field issue_date: \"45,000\" at d is not an Excel serial date (a day number such as "
        "45000)"}});
  check_rows(invoice("ms_json"), "issue_date",
             {{R"j({"id":"1","d":"/Date(1518652800000+0000)/"})j", "2018-02-15"},
              {R"j({"id":"1","d":"/Date(1518652800000)/"})j", "2018-02-15"},
              // 2018-02-14T23:00Z is already 15 February in New Zealand (+1300)
              {R"j({"id":"1","d":"/Date(1518649200000+1300)/"})j", "2018-02-15"},
              {R"j({"id":"1","d":"/Date(1518652800000-0500)/"})j", "2018-02-14"},
              {R"j({"id":"1","d":"/Date(1709164800000+0000)/"})j", "2024-02-29"},
              {R"j({"id":"1","d":"/Date(-86400000)/"})j", "1969-12-31"},
              {R"({"id":"1","d":"2018-02-15"})",
               "error: field issue_date: \"2018-02-15\" at d is not a Microsoft JSON date such as "
               "/Date(1700000000000+0000)/"},
              {R"j({"id":"1","d":"/Date(15186528+00)/"})j",
               "error: field issue_date: \"/Date(15186528+00)/\" at d is not a Microsoft JSON date such as "
               "/Date(1700000000000+0000)/"}});
  check_rows(invoice("iso8601"), "issue_date",
             {{R"({"id":"1","d":"2024-02-29T23:30:00-05:00"})", "2024-02-29"},
              {R"({"id":"1","d":"2023-02-29T00:00:00Z"})",
               "error: field issue_date: \"2023-02-29T00:00:00Z\" at d is "
               "not a real calendar date"}});
}

TEST_CASE("timestamps: ms_json is UTC whatever the writer's zone; iso8601 offsets convert") {
  std::string ms = customer_yaml("  erp_updated_at: { from: t, timestamp: ms_json }\n");
  check_rows(ms, "erp_updated_at",
             {{R"j({"id":"1","t":"/Date(1573755038314+0000)/"})j", "2019-11-14T18:10:38.314Z"},
              {R"j({"id":"1","t":"/Date(1573755038314+1300)/"})j", "2019-11-14T18:10:38.314Z"},
              {R"j({"id":"1","t":"/Date(x)/"})j",
               "error: field erp_updated_at: \"/Date(x)/\" at t is not a Microsoft JSON date such as "
               "/Date(1700000000000+0000)/"}});
  std::string iso = customer_yaml("  erp_updated_at: { from: t, timestamp: iso8601 }\n");
  check_rows(iso, "erp_updated_at",
             {{R"({"id":"1","t":"2024-02-29T23:30:00-05:00"})", "2024-03-01T04:30:00.000Z"},
              {R"({"id":"1","t":"2024-03-01T09:00:00+0100"})", "2024-03-01T08:00:00.000Z"}});
  CHECK(
      problems(customer_yaml("  erp_updated_at: { from: t, timestamp: ms_jsn }\n")) ==
      "t.yaml:5:41: field erp_updated_at timestamp: 'ms_jsn' is not supported (did you mean 'ms_json'?); use "
      "iso8601, ms_json, excel, excel1904\n");
}

// Found by the fuzzer: a year far from today overflowed the 64-bit nanosecond count of UtcTime
// (years 1678 to 2262), which UBSan reports. Every way into a timestamp keeps to 1700..2200.
TEST_CASE("timestamps far outside 1700..2200 are refused, never overflowed") {
  auto iso = parse_iso8601("0001-01-01T00:00:00Z");
  REQUIRE_FALSE(iso.has_value());
  CHECK(iso.error().message.find("year out of range") != std::string::npos);
  CHECK(parse_iso8601("2199-12-31T23:59:59.999Z").has_value());
  CHECK_FALSE(mapping::parse_ms_json("/Date(1000000000000000)/").has_value());
  CHECK_FALSE(mapping::parse_ms_json("/Date(-9000000000000)/").has_value());
  CHECK(mapping::parse_ms_json("/Date(7258118399999)/").has_value());
  CHECK_FALSE(mapping::parse_excel_time("2958465.5").has_value());
  CHECK(mapping::parse_excel_time("109573.5").has_value());  // 2199-12-31 12:00
}

TEST_CASE("money: parentheses, trailing minus, thousands, currency exponents, decimal comma") {
  std::string yaml = customer_yaml("  credit_limit: { from: a, money: { currency_from: c } }\n");
  check_rows(
      yaml, "credit_limit",
      {{R"j({"id":"1","a":"(1,234.50)","c":"USD"})j", "-1234.50 USD"},
       {R"({"id":"1","a":"12.50-","c":"USD"})", "-12.50 USD"},
       {R"({"id":"1","a":1200,"c":"JPY"})", "1200 JPY"},
       {R"({"id":"1","a":"1.234","c":"KWD"})", "1.234 KWD"},
       {R"({"id":"1","a":"","c":"USD"})", "<absent>"},
       {R"({"id":"1","a":"12.345","c":"USD"})",
        "error: field credit_limit: \"12.345\" at a has 3 decimals but USD allows 2; add a round: rule to "
        "the mapping if rounding is intended"}});
  std::string comma =
      customer_yaml("  credit_limit: { from: a, money: { currency: EUR, decimal_comma: true } }\n");
  check_rows(comma, "credit_limit",
             {{R"({"id":"1","a":"1.234,50"})", "1234.50 EUR"}, {R"({"id":"1","a":1234.5})", "1234.50 EUR"}});
}

TEST_CASE("when: on records — applies(), map_if() and map()'s NotFound") {
  std::string yaml =
      customer_yaml("", "when: { all: [ {from: Type, equals: ACCREC}, {from: Total, less_than: 0} ] }\n");
  auto m = Mapping::parse(yaml, "t.yaml");
  REQUIRE(m);
  CHECK(m->applies(record(R"({"id":"1","Type":"ACCREC","Total":-5})")));
  CHECK_FALSE(m->applies(record(R"({"id":"1","Type":"ACCREC","Total":0})")));
  CHECK_FALSE(m->applies(record(R"({"id":"1","Type":"ACCPAY","Total":-5})")));
  CHECK_FALSE(m->applies(record(R"({"id":"1","Type":"ACCREC","Total":"n/a"})")));
  auto skipped = m->map_if(record(R"({"id":"1","Type":"ACCPAY"})"));
  REQUIRE(skipped);
  CHECK_FALSE(skipped->has_value());
  auto mapped = m->map_if(record(R"({"id":"7","Type":"ACCREC","Total":"-0.01"})"));
  REQUIRE(mapped);
  REQUIRE(mapped->has_value());
  CHECK((*mapped)->key() == "7");
  auto refused = m->map(record(R"({"id":"1","Type":"ACCPAY"})"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::kNotFound);
}

TEST_CASE("when: every test, on text and numbers, missing vs empty") {
  struct Case {
    const char* when;
    const char* record;
    bool holds;
  };
  const Case cases[] = {
      {"{from: T, equals: A}", R"({"T":"A"})", true},
      {"{from: T, equals: A}", R"({"T":"a"})", false},
      {"{from: T, equals: A}", R"({})", false},
      {"{from: N, equals: 0}", R"({"N":0.00})", true},
      {"{from: N, equals: 0}", R"({"N":"0.00"})", false},  // text compares as written
      {"{from: T, not_equals: VOIDED}", R"({"T":"PAID"})", true},
      {"{from: T, not_equals: VOIDED}", R"({"T":"VOIDED"})", false},
      {"{from: T, not_equals: VOIDED}", R"({})", true},
      {"{from: T, in: [A, B]}", R"({"T":"B"})", true},
      {"{from: T, in: [A, B]}", R"({"T":"C"})", false},
      {"{from: T, exists: true}", R"({"T":""})", false},
      {"{from: T, exists: true}", R"({"T":"x"})", true},
      {"{from: T, exists: false}", R"({"T":null})", true},
      {"{from: N, less_than: 0}", R"({"N":-0.001})", true},
      {"{from: N, less_than: 0}", R"j({"N":"(12.00)"})j", true},
      {"{from: N, less_than: 0}", R"({"N":0})", false},
      {"{from: N, greater_than: 99.99}", R"({"N":"100"})", true},
      {"{from: N, greater_than: 99.99}", R"({"N":99.990})", false},
      {"{from: N, greater_than: 99.99}", R"({})", false},
      {"{any: [{from: T, equals: A}, {from: N, greater_than: 1}]}", R"({"N":2})", true},
      {"{any: [{from: T, equals: A}, {from: N, greater_than: 1}]}", R"({"N":1})", false},
      {"{from: a.b, equals: x}", R"({"a":{"b":"x"}})", true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.when);
    CAPTURE(c.record);
    auto m = Mapping::parse(customer_yaml("", std::string("when: ") + c.when + "\n"), "t.yaml");
    REQUIRE(m);
    CHECK(m->applies(record(c.record)) == c.holds);
  }
}

TEST_CASE("when: in a child collection leaves items out") {
  std::string yaml = customer_yaml("", "") +
                     "contacts:\n  from: people\n  when: { from: Kind, not_equals: Billing }\n  fields:\n"
                     "    name: n\n";
  auto m = Mapping::parse(yaml, "t.yaml");
  REQUIRE(m);
  auto e =
      m->map(record(R"({"id":"1","people":[{"n":"A"},{"n":"B","Kind":"Billing"},{"n":"C","Kind":"x"}]})"));
  REQUIRE(e);
  REQUIRE(e->children[0].size() == 2);
  CHECK(std::get<std::string>(e->children[0][1].get("name")) == "C");
}

TEST_CASE("when: load problems name the place") {
  CHECK(problems(customer_yaml("", "when: { from: T, equal: A }\n")) ==
        "t.yaml:2:18: unknown key 'equal' (did you mean 'equals'?) in when:; it takes from, equals, "
        "not_equals, "
        "in, exists, less_than, greater_than, all, any\n"
        "t.yaml:2:7: when: needs a test: equals, not_equals, in, exists, less_than, greater_than, all or "
        "any\n");
  CHECK(problems(customer_yaml("", "when: { from: T, equals: A, in: [B] }\n")) ==
        "t.yaml:2:29: when: takes one test (equals or in); combine several with all: [...] or any: [...]\n");
  CHECK(problems(customer_yaml("", "when: { equals: A }\n")) ==
        "t.yaml:2:9: when: equals needs from: <ERP field>\n");
  CHECK(problems(customer_yaml("", "when: { from: N, less_than: zero }\n")) ==
        "t.yaml:2:29: when: less_than: compares numbers; 'zero' is not one\n");
  CHECK(problems(customer_yaml("", "when: { all: [] }\n")) ==
        "t.yaml:2:14: all: needs a list of conditions, e.g. [{from: Type, equals: ACCREC}]\n");
  CHECK(problems(customer_yaml("", "when: { from: ^T, equals: A }\n")) ==
        "t.yaml:2:15: '^' reads the parent record, which only exists inside a child collection such as "
        "lines:\n");
  CHECK(problems(customer_yaml("", "when: Type == ACCREC\n")) ==
        "t.yaml:2:7: when: is a table such as {from: Type, equals: ACCREC}\n");
}

TEST_CASE("lookup: a reference matched by another field of its target") {
  std::string yaml =
      "entity: invoice\nfields:\n  erp_id: id\n  number: { value: N }\n"
      "  customer: { from: CustomerNo, lookup: number }\n  currency: { value: USD }\n"
      "  total: { value: 0, money: { currency: USD } }\n  balance: { value: 0, money: { currency: USD } }\n"
      "  status: { value: open }\n  issue_date: { value: 2025-01-01 }\n";
  auto m = Mapping::parse(yaml, "t.yaml");
  REQUIRE(m);
  REQUIRE(m->lookups().size() == 1);
  CHECK(m->lookups()[0].child == "");
  CHECK(m->lookups()[0].field == "customer");
  CHECK(m->lookups()[0].target == "customer");
  CHECK(m->lookups()[0].by == "number");
  auto e = m->map(record(R"({"id":"1","CustomerNo":"C000042"})"));
  REQUIRE(e);
  CHECK(std::get<std::string>(e->get("customer")) == "C000042");
  auto bad = yaml;
  bad.replace(bad.find("lookup: number"), 14, "lookup: {by: numbr}");
  CAPTURE(problems(bad));
  CHECK(
      problems(bad).starts_with("t.yaml:5:46: field customer lookup: 'numbr' is not a text field of customer "
                                "(did you mean 'number'?); use one of number, name,"));
  CHECK(problems(customer_yaml("  tax_id: { from: t, lookup: number }\n")) ==
        "t.yaml:5:22: field tax_id is text, so lookup: does not apply (it is for reference fields)\n");
}

TEST_CASE("records: and next_link: are read from the file") {
  auto m = Mapping::parse(
      customer_yaml("", "records: QueryResponse.Customer\nnext_link: \"@odata.nextLink\"\n"), "t");
  REQUIRE(m);
  CHECK(m->records_path() == "QueryResponse.Customer");
  CHECK(m->next_link_path() == "@odata.nextLink");
  auto none = Mapping::parse(customer_yaml(""), "t");
  REQUIRE(none);
  CHECK_FALSE(none->records_path());
  CHECK(problems(customer_yaml("", "records: \"a..b\"\n")) ==
        "t.yaml:2:10: records: names a place in the response such as value or QueryResponse.Invoice\n");
  CHECK(problems(customer_yaml("", "format: csv\n")) ==
        "t.yaml:2:9: format: 'csv' is not supported; use format: json or format: xml\n");
}
