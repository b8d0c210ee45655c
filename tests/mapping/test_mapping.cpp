// Mapping language v1: the demo ERP's mappings against hand-written pages (exact canonical
// entities, exact reject messages and locations), and every load-time problem kind.
#include <doctest/doctest.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "mapping/json_reader.hpp"
#include "tests/result_text.hpp"
#include "mapping/mapping.hpp"

using namespace arsync;
using arsync::test::why;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Mapping demo_mapping(const std::string& name) {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/demo/" + name + ".yaml");
  if (!mapping) {
    for (const Error& e : mapping.error()) MESSAGE(e.describe());
    FAIL("demo mapping " << name << " does not load");
  }
  return *mapping;
}

std::vector<Record> fixture(const std::string& name) {
  auto page =
      read_json_page(read_file(kRoot + "/tests/fixtures/demo/" + name + ".json"), "value", "@odata.nextLink");
  REQUIRE_MESSAGE(page, why(page));
  return std::move(page->records);
}

std::string show(const Value& value) {
  struct {
    std::string operator()(std::monostate) const { return "(absent)"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Money& m) const { return std::to_string(m.minor) + " " + m.currency; }
    std::string operator()(const Decimal& d) const { return d.to_string(); }
    std::string operator()(const Bytes& b) const { return std::to_string(b.data.size()) + " bytes"; }
  } visitor;
  return std::visit(visitor, value);
}

// One "field=value" line per present value in catalog order, children as "lines.0.field=...";
// money in minor units so the scaling is visible.
std::string dump(const Entity& entity, const std::string& prefix = "") {
  std::string out;
  for (std::size_t i = 0; i < entity.values.size(); ++i)
    if (!std::holds_alternative<std::monostate>(entity.values[i]))
      out += prefix + std::string(entity.spec->fields[i].name) + "=" + show(entity.values[i]) + "\n";
  for (std::size_t c = 0; c < entity.children.size(); ++c)
    for (std::size_t k = 0; k < entity.children[c].size(); ++k)
      out += dump(entity.children[c][k],
                  prefix + std::string(entity.spec->children[c].name) + "." + std::to_string(k) + ".");
  return out;
}

std::string mapped(const Mapping& mapping, const Record& record) {
  auto entity = mapping.map(record);
  if (!entity) return "ERROR " + entity.error().describe();
  return dump(*entity);
}

// The error of a record that must be rejected: "file:line:col: message" with the file
// shortened to its name.
std::string rejected(const Mapping& mapping, const Record& record) {
  auto entity = mapping.map(record);
  if (entity) return "MAPPED\n" + dump(*entity);
  CHECK(entity.error().kind == ErrorKind::kInvalidInput);
  std::string where = entity.error().where;
  return where.substr(where.rfind('/') + 1) + ": " + entity.error().message;
}

}  // namespace

TEST_CASE("demo invoices map to exact canonical invoices with lines") {
  Mapping mapping = demo_mapping("invoices");
  auto records = fixture("invoices");
  REQUIRE(records.size() == 9);
  CHECK(mapping.entity().name == "invoice");

  CHECK(mapped(mapping, records[0]) ==
        "erp_id=INV-0000001\nnumber=SI-0000001\ncustomer=CUST-000001\nissue_date=2025-02-03\n"
        "due_date=2025-03-05\ncurrency=USD\nsubtotal=10000 USD\ntax=825 USD\ntotal=10825 USD\n"
        "balance=10825 USD\nstatus=open\npo_number=PO-4411\nterms=NET30\n"
        "erp_updated_at=2025-02-03T10:00:00.000Z\n"
        "lines.0.line_no=10000\nlines.0.item=ITEM-100\nlines.0.description=Widget\nlines.0.quantity=2.5\n"
        "lines.0.unit_price=40\nlines.0.amount=10000 USD\nlines.0.tax=825 USD\n");

  // JPY has no decimals; an empty PO number keeps its default ""; escapes and UTF-8 survive.
  CHECK(mapped(mapping, records[1]) ==
        "erp_id=INV-0000002\nnumber=SI-0000002\ncustomer=CUST-000002\nissue_date=2025-02-04\n"
        "due_date=2025-03-06\ncurrency=JPY\nsubtotal=12000 JPY\ntax=1200 JPY\ntotal=13200 JPY\n"
        "balance=3200 JPY\nstatus=partially_paid\npo_number=\nterms=NET30\n"
        "erp_updated_at=2025-02-04T10:00:00.123Z\n"
        "lines.0.line_no=10000\nlines.0.item=ITEM-200\nlines.0.description=Cable \"Cat "
        "6\"\nlines.0.quantity=3\n"
        "lines.0.unit_price=1000\nlines.0.amount=3000 JPY\nlines.0.tax=300 JPY\n"
        "lines.1.line_no=20000\nlines.1.item=ITEM-201\nlines.1.description=Router \xe2\x80\x93 5 GHz\n"
        "lines.1.quantity=1\nlines.1.unit_price=9000\nlines.1.amount=9000 JPY\nlines.1.tax=900 JPY\n");

  // KWD has three decimals: 12.345 is 12345 fils, 0.5 is 500.
  CHECK(mapped(mapping, records[2]) ==
        "erp_id=INV-0000003\nnumber=SI-0000003\ncustomer=CUST-000003\nissue_date=2025-02-05\n"
        "due_date=2025-03-07\ncurrency=KWD\nsubtotal=12345 KWD\ntax=500 KWD\ntotal=12845 KWD\n"
        "balance=0 KWD\nstatus=paid\npo_number=PO-KW-7\nterms=NET15\n"
        "erp_updated_at=2025-02-05T10:00:00.456Z\n"
        "lines.0.line_no=10000\nlines.0.item=ITEM-300\nlines.0.description=Consulting hours\n"
        "lines.0.quantity=0.125\nlines.0.unit_price=98.76\nlines.0.amount=12345 KWD\nlines.0.tax=500 KWD\n");

  // A voided invoice with no lines; 1234.5 (fewer decimals than USD allows) is exact.
  CHECK(mapped(mapping, records[3]) ==
        "erp_id=INV-0000004\nnumber=SI-0000004\ncustomer=CUST-000001\nissue_date=2025-02-06\n"
        "due_date=2025-03-08\ncurrency=USD\nsubtotal=0 USD\ntax=0 USD\ntotal=123450 USD\n"
        "balance=0 USD\nstatus=void\npo_number=\nterms=NET30\nerp_updated_at=2025-02-06T10:00:00.000Z\n");
}

TEST_CASE("bad demo invoices are rejected with the field, ERP path, value and mapping location") {
  Mapping mapping = demo_mapping("invoices");
  auto records = fixture("invoices");
  CHECK(rejected(mapping, records[4]) ==
        "invoices.yaml:13:3: field total: \"12.3.4\" at totalAmountIncludingTax is not a number: "
        "more than one decimal point");
  CHECK(rejected(mapping, records[5]) ==
        "invoices.yaml:8:3: field issue_date: \"31/02/2025\" at invoiceDate is not a date in the format "
        "%Y-%m-%d");
  CHECK(rejected(mapping, records[6]) ==
        "invoices.yaml:5:3: field erp_id: no value at id; the field is required: check the ERP field name or "
        "give a default:");
  CHECK(rejected(mapping, records[7]) ==
        "invoices.yaml:15:3: field status: \"Pending\" at status is not in the map (Canceled, Open, Paid, "
        "Partially Paid) and its else: is reject; add it to map: if it is a valid value");
  CHECK(
      rejected(mapping, records[8]) ==
      "invoices.yaml:31:5: field lines.0.amount: \"10.005\" at lines.0.amountExcludingTax has 3 decimals but "
      "USD allows 2; add a round: rule to the mapping if rounding is intended");
}

TEST_CASE("record_key reads the erp_id source, or gives \"\" when it is missing") {
  Mapping mapping = demo_mapping("invoices");
  auto records = fixture("invoices");
  CHECK(mapping.record_key(records[0]) == "INV-0000001");
  CHECK(mapping.record_key(records[4]) == "INV-0000005");
  CHECK(mapping.record_key(records[6]) == "");
}

TEST_CASE("demo customers map status, address and contacts") {
  Mapping mapping = demo_mapping("customers");
  auto records = fixture("customers");
  REQUIRE(records.size() == 4);
  CHECK(
      mapped(mapping, records[0]) ==
      "erp_id=CUST-000001\nnumber=C000001\nname=Acme Tools 1\nstatus=active\ncurrency=USD\n"
      "credit_limit=2500000 "
      "USD\npayment_terms=NET30\ntax_id=US123456789\nbilling_email=ap@acme-tools-1.example\n"
      "phone=+1 555 0100\nbilling_line1=1 Main St\nbilling_city=Springfield\nbilling_region=IL\n"
      "billing_postal_code=62701\nbilling_country=US\nerp_updated_at=2025-01-01T00:00:00.000Z\n"
      "contacts.0.erp_id=CONT-000001-1\ncontacts.0.name=Pat Lee\ncontacts.0.role=Accounts Payable\n"
      "contacts.0.email=pat@acme-tools-1.example\ncontacts.0.phone=+1 555 0101\ncontacts.0.is_primary=true\n"
      "contacts.1.erp_id=CONT-000001-2\ncontacts.1.name=Sam Ortiz\ncontacts.1.role=Controller\n"
      "contacts.1.email=sam@acme-tools-1.example\ncontacts.1.phone=+1 555 "
      "0102\ncontacts.1.is_primary=false\n");
  CHECK(mapped(mapping, records[1]).find("credit_limit=3000000 JPY\n") != std::string::npos);
  // Blocked "All" is on hold; an empty tax id and region are simply absent.
  CHECK(mapped(mapping, records[2]) ==
        "erp_id=CUST-000003\nnumber=C000003\nname=Gulf Trading W.L.L.\nstatus=on_hold\ncurrency=KWD\n"
        "credit_limit=1500125 KWD\npayment_terms=NET15\nbilling_email=ar@gulf.example\n"
        "phone=+965 2222 0100\nbilling_line1=Block 5, Street 12\nbilling_city=Kuwait City\n"
        "billing_postal_code=13001\nbilling_country=KW\nerp_updated_at=2025-01-02T08:30:00.500Z\n"
        "contacts.0.erp_id=CONT-000003-1\ncontacts.0.name=Noor Al-Sabah\ncontacts.0.role=Finance\n"
        "contacts.0.email=noor@gulf.example\ncontacts.0.phone=+965 2222 0101\ncontacts.0.is_primary=true\n");
  // Any other block ("Ship", "Invoice") is a block too: the demo mapping's else: on_hold.
  CHECK(mapped(mapping, records[3]).find("status=on_hold\n") != std::string::npos);
}

TEST_CASE("demo payments map methods, constants and applications") {
  Mapping mapping = demo_mapping("payments");
  auto records = fixture("payments");
  REQUIRE(records.size() == 6);
  CHECK(
      mapped(mapping, records[0]) ==
      "erp_id=PAY-0000001\nnumber=PMT-0000001\ncustomer=CUST-000001\npayment_date=2025-03-01\nmethod=check\n"
      "reference=CHK-100234\ncurrency=USD\namount=20000 USD\nunapplied=0 USD\nstatus=posted\norigin=erp\n"
      "erp_updated_at=2025-03-01T09:00:00.000Z\n"
      "applications.0.invoice=INV-0000001\napplications.0.amount=10825 "
      "USD\napplications.0.applied_date=2025-03-01\n"
      "applications.1.invoice=INV-0000010\napplications.1.amount=9175 "
      "USD\napplications.1.applied_date=2025-03-01\n");
  CHECK(mapped(mapping, records[1]).find("method=ach\n") != std::string::npos);
  CHECK(mapped(mapping, records[1]).find("applications.0.amount=10000 JPY\n") != std::string::npos);
  CHECK(mapped(mapping, records[2]) ==
        "erp_id=PAY-0000003\nnumber=PMT-0000003\ncustomer=CUST-000003\npayment_date=2025-03-03\nmethod=wire\n"
        "reference=SWIFT-1\ncurrency=KWD\namount=20500 KWD\nunapplied=7655 KWD\nstatus=posted\norigin=erp\n"
        "erp_updated_at=2025-03-03T09:00:00.000Z\n"
        "applications.0.invoice=INV-0000003\napplications.0.amount=12845 "
        "KWD\napplications.0.applied_date=2025-03-03\n");
  CHECK(mapped(mapping, records[3]) ==
        "erp_id=PAY-0000004\nnumber=PMT-0000004\ncustomer=CUST-000001\npayment_date=2025-03-04\nmethod=card\n"
        "currency=USD\namount=5000 USD\nunapplied=5000 USD\nstatus=posted\norigin=erp\n"
        "erp_updated_at=2025-03-04T09:00:00.000Z\n");
  // A method the table does not list is "other" (the demo mapping's else:), not a reject.
  CHECK(mapped(mapping, records[4]).find("method=other\n") != std::string::npos);
  CHECK(rejected(mapping, records[5]) ==
        "payments.yaml:25:5: field applications.0.amount: \"5,00\" at applications.0.amount is not a number: "
        "misplaced thousands separator ','; is the decimal separator set correctly for this source?");
}

TEST_CASE("demo credit memos map statuses and applications") {
  Mapping mapping = demo_mapping("credit_memos");
  auto records = fixture("credit_memos");
  REQUIRE(records.size() == 4);
  CHECK(mapped(mapping, records[0]) ==
        "erp_id=CM-0000001\nnumber=CR-0000001\ncustomer=CUST-000001\nissue_date=2025-03-02\ncurrency=USD\n"
        "total=5000 USD\nremaining=0 USD\nstatus=applied\nreason=Damaged goods\n"
        "erp_updated_at=2025-03-02T09:00:00.000Z\n"
        "applications.0.invoice=INV-0000002\napplications.0.amount=5000 "
        "USD\napplications.0.applied_date=2025-03-02\n");
  CHECK(mapped(mapping, records[1]).find("status=open\n") != std::string::npos);
  CHECK(mapped(mapping, records[1]).find("remaining=2000 JPY\n") != std::string::npos);
  CHECK(mapped(mapping, records[2]).find("status=void\n") != std::string::npos);
  CHECK(mapped(mapping, records[2]).find("total=1005 KWD\n") != std::string::npos);
  CHECK(rejected(mapping, records[3]) ==
        "credit_memos.yaml:10:3: field remaining: no value at remainingAmount; the field is required: check "
        "the "
        "ERP field name or give a default:");
}

// ---------------------------------------------------------------------------------------------
// The language itself, on small inline mappings.

namespace {

// A valid invoice mapping whose `fields:` block gets `extra` appended (and `drop` removed).
std::string invoice_yaml(const std::string& extra, const std::string& drop = "") {
  std::string fields =
      "  erp_id: id\n"
      "  number: number\n"
      "  customer: customerId\n"
      "  issue_date: invoiceDate\n"
      "  currency: currencyCode\n"
      "  total: { from: total, money: { currency_from: currencyCode } }\n"
      "  balance: { from: balance, money: { currency: USD } }\n"
      "  status: { value: open }\n";
  if (!drop.empty()) {
    auto at = fields.find("  " + drop + ":");
    fields.erase(at, fields.find('\n', at) - at + 1);
  }
  return "entity: invoice\nfields:\n" + fields + extra;
}

Record record_of(const std::string& json) {
  auto node = parse_json(json);
  REQUIRE_MESSAGE(node, why(node));
  return Record{std::move(*node), json};
}

const char* kInvoiceJson =
    R"({"id":"I1","number":"N1","customerId":"C1","invoiceDate":"2025-03-01","currencyCode":"USD",)"
    R"("total":1,"eur":"1.234,565","balance":0,"status":" pending ","flag":"Y","seq":"0042","qty":"1.234,5",)"
    R"("when":"2025-03-01T23:30:00.1239-05:00","us":"3/5/2025","named":"5 Sept 2025","nested":{"a.b":{"c":"deep"}},)"
    R"("lines":[{"n":1,"amt":10}],"empty":"","nul":null})";

// All problems of `yaml` as "line:col: message" lines.
std::string problems(const std::string& yaml) {
  auto mapping = Mapping::parse(yaml, "t.yaml");
  if (mapping) return "LOADED";
  std::string out;
  for (const Error& e : mapping.error()) out += e.describe() + "\n";
  return out;
}

Result<Entity> map_with(const std::string& extra, const std::string& drop = "") {
  auto mapping = Mapping::parse(invoice_yaml(extra, drop), "t.yaml");
  if (!mapping) {
    for (const Error& e : mapping.error()) MESSAGE(e.describe());
    FAIL("mapping does not load");
  }
  return mapping->map(record_of(kInvoiceJson));
}

std::string field_of(const std::string& extra, const std::string& field, const std::string& drop = "") {
  auto entity = map_with(extra, drop);
  if (!entity) return "ERROR " + entity.error().message;
  return show(entity->get(field));
}

}  // namespace

TEST_CASE("transforms: trim, case, map with else, default, decimal comma, rounding, dates, timestamps") {
  CHECK(field_of("  terms: { from: status, trim: true, upper: true }\n", "terms") == "PENDING");
  CHECK(field_of("  terms: { from: status, lower: true }\n", "terms") == " pending ");
  CHECK(field_of("  po_number: { from: flag, map: { N: none }, else: other }\n", "po_number") == "other");
  CHECK(field_of("  status: { from: status, trim: true, map: { pending: open }, else: reject }\n", "status",
                 "status") == "open");
  // else: keep passes an unlisted value through; else: reject rejects the record, naming the table.
  CHECK(field_of("  po_number: { from: flag, map: { N: no }, else: keep }\n", "po_number") == "Y");
  CHECK(field_of("  po_number: { from: flag, map: { N: no }, else: reject }\n", "po_number") ==
        "ERROR field po_number: \"Y\" at flag is not in the map (N) and its else: is reject; add it "
        "to map: if it is a valid value");
  CHECK(field_of("  po_number: { from: missing, default: n/a }\n", "po_number") == "n/a");
  CHECK(field_of("  po_number: { from: empty, default: n/a }\n", "po_number") == "n/a");
  CHECK(field_of("  po_number: { from: nul, default: n/a }\n", "po_number") == "n/a");
  CHECK(field_of("  po_number: nul\n", "po_number") == "(absent)");
  CHECK(field_of("  po_number: nested.a.b.c\n", "po_number") == "deep");
  CHECK(field_of("  po_number: lines.0.amt\n", "po_number") == "10");
  CHECK(field_of("  po_number: { value: fixed }\n", "po_number") == "fixed");
  CHECK(field_of("  subtotal: { from: eur, money: { currency_from: currencyCode, decimal_comma: true, round: "
                 "half_even } }\n",
                 "subtotal") == "123456 USD");
  CHECK(field_of("  subtotal: { from: eur, money: { currency: EUR, decimal_comma: true, round: half_up } }\n",
                 "subtotal") == "123457 EUR");
  CHECK(field_of("  subtotal: { from: eur, money: { currency: EUR, decimal_comma: true, round: down } }\n",
                 "subtotal") == "123456 EUR");
  CHECK(
      field_of("  subtotal: { from: eur, money: { currency: EUR, decimal_comma: true } }\n", "subtotal") ==
      "ERROR field subtotal: \"1.234,565\" at eur has 3 decimals but EUR allows 2; add a round: rule to the "
      "mapping if rounding is intended");
  CHECK(field_of("  subtotal: { from: nul, money: { currency: USD }, default: 0 }\n", "subtotal") == "0 USD");
  CHECK(field_of("  due_date: { from: us, date: \"%m/%d/%Y\" }\n", "due_date") == "2025-03-05");
  CHECK(field_of("  due_date: { from: when, date: iso8601 }\n", "due_date") == "2025-03-01");
  CHECK(field_of("  due_date: { from: named, date: \"%d %b %Y\" }\n", "due_date") == "2025-09-05");
  CHECK(field_of("  due_date: { from: named, date: \"%d %b %y\" }\n", "due_date")
            .starts_with(
                "ERROR field due_date: \"5 Sept 2025\" at named is not a date in the format %d %b %y"));
  CHECK(field_of("  due_date: { from: us, date: \"%d/%m/%Y\" }\n", "due_date") == "2025-05-03");
  CHECK(field_of("  erp_updated_at: when\n", "erp_updated_at") == "2025-03-02T04:30:00.123Z");
  CHECK(field_of("  erp_updated_at: invoiceDate\n", "erp_updated_at")
            .starts_with("ERROR field erp_updated_at: \"2025-03-01\" at invoiceDate is not ISO 8601"));
}

TEST_CASE("types: integers, bools and decimals from numbers and strings") {
  const char* lines =
      "lines:\n  from: lines\n  fields:\n    line_no: n\n    amount: { from: amt, money: { currency_from: "
      "^currencyCode } }\n";
  auto entity = map_with(lines);
  REQUIRE_MESSAGE(entity, why(entity));
  REQUIRE(entity->children[0].size() == 1);
  CHECK(show(entity->children[0][0].get("line_no")) == "1");
  CHECK(show(entity->children[0][0].get("amount")) == "1000 USD");

  auto with_line = [](const std::string& fields) {
    auto mapping = Mapping::parse(invoice_yaml("lines:\n  from: lines\n  fields:\n" + fields), "t.yaml");
    REQUIRE_MESSAGE(mapping, why(mapping));
    return mapping->map(record_of(
        R"({"id":"I1","number":"N1","customerId":"C1","invoiceDate":"2025-03-01","currencyCode":"USD","total":1,)"
        R"("balance":0,"lines":[{"n":"0042","q":"1.234,5","a":"7","flag":"yes","bad":"4x"}]})"));
  };
  auto line = with_line(
      "    line_no: n\n    quantity: { from: q, decimal: { decimal_comma: true } }\n"
      "    amount: { from: a, money: { currency: USD } }\n");
  REQUIRE_MESSAGE(line, why(line));
  CHECK(show(line->children[0][0].get("line_no")) == "42");
  CHECK(show(line->children[0][0].get("quantity")) == "1234.5");
  auto bad = with_line("    line_no: bad\n    amount: { from: a, money: { currency: USD } }\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "field lines.0.line_no: \"4x\" at lines.0.bad is not a whole number");
  CHECK(bad.error().where == "t.yaml:14:5");

  auto contact = Mapping::parse(
      "entity: customer\nfields:\n  erp_id: id\n  name: name\n"
      "contacts:\n  from: people\n  fields:\n    name: n\n    is_primary: p\n",
      "c.yaml");
  REQUIRE(contact);
  auto customer = contact->map(record_of(
      R"({"id":"C1","name":"Acme","people":[{"n":"A","p":true},{"n":"B","p":"No"},{"n":"C","p":"maybe"}]})"));
  REQUIRE_FALSE(customer);
  CHECK(
      customer.error().message ==
      "field contacts.2.is_primary: \"maybe\" at people.2.p is not a yes/no value (true/false, yes/no, 1/0)");
  auto fine = contact->map(
      record_of(R"({"id":"C1","name":"Acme","people":[{"n":"A","p":true},{"n":"B","p":"No"}]})"));
  REQUIRE(fine);
  CHECK(show(fine->children[0][0].get("is_primary")) == "true");
  CHECK(show(fine->children[0][1].get("is_primary")) == "false");
}

TEST_CASE("run-time errors: objects where a value is expected, unknown currencies, non-list collections") {
  auto object = map_with("  po_number: nested\n");
  REQUIRE_FALSE(object);
  CHECK(object.error().message == "field po_number: the value at nested is an object, not a single value");
  CHECK(object.error().where == "t.yaml:11:3");

  auto mapping = Mapping::parse(invoice_yaml(""), "t.yaml");
  REQUIRE(mapping);
  auto xyz = mapping->map(record_of(
      R"({"id":"I1","number":"N1","customerId":"C1","invoiceDate":"2025-03-01","currencyCode":"XYZ","total":1,"balance":0})"));
  REQUIRE_FALSE(xyz);
  CHECK(xyz.error().message ==
        "field total: currency \"XYZ\" at currencyCode is not an ISO 4217 code (such as USD, EUR or JPY) (at "
        "total)");

  auto lines = Mapping::parse(invoice_yaml("lines:\n  from: number\n  fields:\n    line_no: n\n"
                                           "    amount: { from: a, money: { currency: USD } }\n"),
                              "t.yaml");
  REQUIRE(lines);
  auto not_list = lines->map(record_of(kInvoiceJson));
  REQUIRE_FALSE(not_list);
  CHECK(not_list.error().describe() == "t.yaml:11:1: lines: the value at number is not a list");
}

TEST_CASE("load: every problem kind is reported with its file:line:col") {
  // YAML syntax
  CHECK(problems("entity: invoice\nfields:\n  erp_id: [id\n").starts_with("t.yaml:4:1: YAML syntax error: "));
  // unknown entity, with a suggestion
  CHECK(
      problems("entity: invoce\nfields:\n  erp_id: id\n") ==
      "t.yaml:1:9: unknown entity 'invoce' (did you mean 'invoice'?); known: customer, invoice, credit_memo, "
      "payment, document, dispute, promise_to_pay, message, credit_request\n");
  CHECK(problems("fields:\n  erp_id: id\n").starts_with("t.yaml:1:1: the mapping does not say which entity"));
  CHECK(problems("").starts_with("t.yaml: the mapping file is empty"));
  // unknown canonical field, with a suggestion
  CHECK(problems(invoice_yaml("  totl: x\n"))
            .starts_with("t.yaml:11:3: unknown field 'totl' for invoice (did you mean 'total'?); its fields "
                         "are erp_id, number"));
  // unknown transform, with a suggestion
  CHECK(problems(invoice_yaml("  tax: { from: tax, mony: { currency: USD } }\n")) ==
        "t.yaml:11:21: unknown transform 'mony' (did you mean 'money'?) in field tax; transforms are from, "
        "value, "
        "default, required, trim, upper, lower, map, else, concat, separator, split, date, timestamp, money, "
        "decimal, bool, integer, lookup, position, cases\n");
  // duplicate canonical field (yaml-cpp would silently keep the last)
  CHECK(problems(invoice_yaml("  number: other\n")) ==
        "t.yaml:11:3: 'number' appears twice in fields (first at line 4); keep one\n");
  // missing required canonical field
  CHECK(problems(invoice_yaml("", "issue_date")) ==
        "t.yaml:2:1: required field 'issue_date' of invoice is not mapped; add issue_date: <ERP field> (or "
        "give it a "
        "value:)\n");
  // type/transform mismatch
  CHECK(problems(invoice_yaml("  terms: { from: t, date: \"%Y\" }\n")) ==
        "t.yaml:11:21: field terms is text, so date: does not apply (it is for date fields)\n");
  CHECK(
      problems(invoice_yaml("  subtotal: subtotal\n")) ==
      "t.yaml:11:3: field subtotal is money: say which currency with money: {currency_from: <ERP field>} or "
      "money: {currency: USD}\n");
  CHECK(problems(invoice_yaml("  subtotal: { from: s, money: { round: half_even } }\n")) ==
        "t.yaml:11:24: field subtotal money: say which currency: currency_from: <ERP field> or currency: "
        "<ISO code>\n");
  CHECK(problems(invoice_yaml("  subtotal: { from: s, money: { currency: USX, round: halfeven } }\n")) ==
        "t.yaml:11:43: unknown currency \"USX\"; use an ISO 4217 code such as USD, EUR or JPY\n"
        "t.yaml:11:55: unknown rounding 'halfeven' (did you mean 'half_even'?); use half_even, half_up, "
        "down\n");
  // map without values, and values the catalog does not allow
  CHECK(problems(invoice_yaml("  status: { from: s, map: {}, else: reject }\n", "status")) ==
        "t.yaml:10:27: field status map: needs a table of ERP value: canonical value, e.g. {Open: open}\n");
  CHECK(problems(invoice_yaml("  status: { from: s, map: { Open: opn, Paid: paid }, else: reject }\n", "status")) ==
        "t.yaml:10:35: field status map value for 'Open': \"opn\" is not an allowed status (open, "
        "partially_paid, "
        "paid, void, disputed); translate the ERP's values with map:\n");
  CHECK(problems(invoice_yaml("  po_number: { from: p, else: x }\n")) ==
        "t.yaml:11:25: field po_number: else: belongs to a map:\n");
  // map: must say what an unlisted value becomes; else: values are canonical values too
  CHECK(problems(invoice_yaml("  status: { from: s, map: { Open: open } }\n", "status")) ==
        "t.yaml:10:3: field status: map: needs an else: saying what an unlisted value becomes: a value, keep "
        "(use it as it is) or reject (reject the record)\n");
  CHECK(problems(invoice_yaml("  status: { from: s, map: { Open: open }, else: closed }\n", "status")) ==
        "t.yaml:10:49: field status else: \"closed\" is not an allowed status (open, partially_paid, paid, void, "
        "disputed); translate the ERP's values with map:\n");
  // bad date format string
  CHECK(
      problems(invoice_yaml("  due_date: { from: d, date: \"%Y-%q-%d\" }\n")) ==
      "t.yaml:11:30: date format \"%Y-%q-%d\" has unknown directive '%q' (use %Y %y %m %d %b %B %H %M %S, or "
      "iso8601, excel, excel1904, ms_json)\n");
  CHECK(problems(invoice_yaml("  due_date: { from: d, date: \"%Y-%m\" }\n")) ==
        "t.yaml:11:30: date format \"%Y-%m\" needs a year (%Y), a month (%m or %b) and a day (%d)\n");
  // constants and defaults are checked at load
  CHECK(problems(invoice_yaml("  due_date: { from: d, default: 03/01/2025 }\n")) ==
        "t.yaml:11:33: field due_date default: \"03/01/2025\" is not a date in the format %Y-%m-%d\n");
  // ^ only inside a child collection; from and value are exclusive
  CHECK(problems(invoice_yaml("  terms: ^terms\n")) ==
        "t.yaml:11:10: '^' reads the parent record, which only exists inside a child collection such as "
        "lines:\n");
  CHECK(problems(invoice_yaml("  terms: { from: a, value: b }\n")) ==
        "t.yaml:11:3: field terms: give one of from:, value: or concat:\n");
  CHECK(problems(invoice_yaml("  terms: { trim: true }\n")) ==
        "t.yaml:11:3: field terms needs from: <ERP field> (or value: <constant>, or concat: [...])\n");
  CHECK(problems(invoice_yaml("  terms:\n")) ==
        "t.yaml:11:3: field terms has no source; write terms: <ERP field> or terms: {value: <constant>}\n");
  CHECK(problems(invoice_yaml("  terms: a..b\n"))
            .starts_with("t.yaml:11:10: bad path 'a..b': an empty name between dots"));
  // child collections
  CHECK(problems(invoice_yaml("line:\n  from: lines\n")) ==
        "t.yaml:11:1: unknown key 'line' (did you mean 'lines'?); a invoice mapping has entity, fields, "
        "description, when, records, next_link, format, namespaces, push, lines\n");
  CHECK(problems(invoice_yaml(
            "lines:\n  fields:\n    line_no: n\n    amount: { from: a, money: { currency: USD } }\n")) ==
        "t.yaml:11:1: lines: needs from: naming the ERP list (e.g. from: lines)\n");
  CHECK(problems(invoice_yaml("lines:\n  from: lines\n  fields:\n    line_no: n\n")) ==
        "t.yaml:13:3: required field 'amount' of invoice_line is not mapped; add amount: <ERP field> (or "
        "give it a "
        "value:)\n");
}

TEST_CASE("load: several problems are reported together, in file order") {
  std::string yaml =
      "entity: invoice\n"
      "fields:\n"
      "  erp_id: id\n"
      "  numbr: number\n"
      "  customer: customerId\n"
      "  issue_date: { from: d, date: \"%Y/%m/%d\", trimm: true }\n"
      "  currency: currencyCode\n"
      "  total: total\n"
      "  balance: { from: balance, money: { currency: USD } }\n"
      "  status: { value: open }\n";
  CHECK(problems(yaml) ==
        "t.yaml:4:3: unknown field 'numbr' for invoice (did you mean 'number'?); its fields are erp_id, "
        "number, "
        "customer, issue_date, due_date, currency, subtotal, tax, total, balance, status, po_number, terms, "
        "erp_updated_at\n"
        "t.yaml:6:44: unknown transform 'trimm' (did you mean 'trim'?) in field issue_date; transforms are "
        "from, "
        "value, default, required, trim, upper, lower, map, else, concat, separator, split, date, timestamp, "
        "money, decimal, bool, integer, lookup, position, cases\n"
        "t.yaml:8:3: field total is money: say which currency with money: {currency_from: <ERP field>} or "
        "money: "
        "{currency: USD}\n"
        "t.yaml:2:1: required field 'number' of invoice is not mapped; add number: <ERP field> (or give it a "
        "value:)\n");
}

TEST_CASE("a missing mapping file is an Io problem naming the file") {
  auto mapping = Mapping::load("/nonexistent/dir/invoices.yaml");
  REQUIRE_FALSE(mapping);
  REQUIRE(mapping.error().size() == 1);
  CHECK(mapping.error()[0].kind == ErrorKind::kIo);
  CHECK(mapping.error()[0].where == "/nonexistent/dir/invoices.yaml");
}

TEST_CASE("mapping throughput (prints a figure, asserts nothing about time)") {
  Mapping mapping = demo_mapping("invoices");
  auto records = fixture("invoices");
  const Record& invoice = records[1];
  const int n = 20000;
  // CPU time, not wall time: the figure should not depend on what else the machine runs.
  std::clock_t start = std::clock();
  std::size_t ok = 0;
  for (int i = 0; i < n; ++i) ok += mapping.map(invoice).has_value();
  double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  CHECK(ok == n);
  MESSAGE("mapped " << n << " two-line invoices in " << seconds
                    << " s of CPU: " << static_cast<long>(n / std::max(seconds, 1e-9)) << " invoices/s");
}
