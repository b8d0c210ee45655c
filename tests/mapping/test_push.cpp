// push: — canonical entities rendered as ERP requests: a JSON body (QBO payment), an XML body,
// an ODBC statement with ? placeholders and ordered parameters (never values in the SQL), and
// the load-time problems (unknown fields, bad formats) with their file:line:col.
#include <doctest/doctest.h>

#include <string>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"
#include "tests/mapping/entity_text.hpp"

using namespace arsync;
using arsync::test::load_problems;
using arsync::test::slurp;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

// A portal payment of 125.50 USD applied 100.00 to INV-1 and 25.50 to INV-2.
Entity portal_payment() {
  Entity p(find_entity("payment"));
  p.set("erp_id", std::string("portal-7"));
  p.set("customer", std::string("C-42"));
  p.set("payment_date", std::string("2024-02-29"));
  p.set("method", std::string("card"));
  p.set("reference", std::string("ch_3Ab \"quoted\""));
  p.set("currency", std::string("USD"));
  p.set("amount", Money{12550, "USD"});
  p.set("unapplied", Money{0, "USD"});
  const EntitySpec* app = find_entity("payment")->children[0].entity;
  for (auto [invoice, minor] : {std::pair{"INV-1", 10000}, std::pair{"INV-2", 2550}}) {
    Entity a(app);
    a.set("invoice", std::string(invoice));
    a.set("amount", Money{minor, "USD"});
    p.children[0].push_back(std::move(a));
  }
  return p;
}

std::string payment_yaml(const std::string& push) {
  return "entity: payment\nfields:\n  erp_id: id\n  customer: c\n  payment_date: d\n  currency: cur\n"
         "  amount: { from: a, money: { currency_from: cur } }\n"
         "  unapplied: { from: u, money: { currency_from: cur } }\npush:\n" +
         push;
}


}  // namespace

TEST_CASE("QBO payment: pulled with LinkedTxn applications, pushed as QBO's create-payment body") {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/quickbooks-online/payments.yaml");
  REQUIRE(mapping);
  auto page = read_json_page(slurp(kRoot + "/tests/fixtures/quickbooks-online/payments.json"),
                             *mapping->records_path(), "");
  REQUIRE(page);
  REQUIRE(page->records.size() == 1);
  auto p = mapping->map(page->records[0]);
  REQUIRE(p);
  CHECK(validate(*p));
  CHECK(std::get<Money>(p->get("amount")) == Money{6500, "USD"});
  CHECK(std::get<Money>(p->get("unapplied")) == Money{1000, "USD"});
  CHECK(std::get<std::string>(p->get("method")) == "check");
  CHECK(std::get<std::string>(p->get("erp_updated_at")) == "2015-01-16T23:08:12.000Z");
  REQUIRE(p->children[0].size() == 2);
  CHECK(std::get<std::string>(p->children[0][1].get("invoice")) == "71");
  CHECK(std::get<Money>(p->children[0][1].get("amount")) == Money{1500, "USD"});

  REQUIRE(mapping->has_push());
  auto body = mapping->push(portal_payment());
  REQUIRE(body);
  CHECK(body->content_type == "application/json");
  CHECK(
      body->body ==
      R"({"CustomerRef":{"value":"C-42"},"TotalAmt":125.50,"TxnDate":"2024-02-29","CurrencyRef":{"value":"USD"},)"
      R"("PaymentRefNum":"ch_3Ab \"quoted\"","Line":[{"Amount":100.00,"LinkedTxn":[{"TxnId":"INV-1","TxnType":"Invoice"}]},)"
      R"({"Amount":25.50,"LinkedTxn":[{"TxnId":"INV-2","TxnType":"Invoice"}]}]})");
  CHECK(parse_json(body->body));  // well-formed
}

TEST_CASE("push: absent fields are left out; JPY amounts have no decimals; map: translates back") {
  auto m =
      Mapping::parse(payment_yaml("  body:\n    Amount: { field: amount }\n    Ref: { field: number }\n"
                                  "    Method: { field: method, map: { card: CreditCard }, else: Other }\n"
                                  "    Day: { field: payment_date, date: \"%d/%m/%y\" }\n"
                                  "    Epoch: { field: payment_date, date: ms_json }\n"),
                     "t.yaml");
  REQUIRE(m);
  Entity p = portal_payment();
  p.set("amount", Money{1200, "JPY"});
  auto body = m->push(p);
  REQUIRE(body);
  CHECK(body->body ==
        R"({"Amount":1200,"Method":"CreditCard","Day":"29/02/24","Epoch":"/Date(1709164800000+0000)/"})");
  p.set("method", std::string("ach"));
  CHECK(m->push(p)->body.find(R"("Method":"Other")") != std::string::npos);
}

TEST_CASE("push: else: keep sends the canonical value; else: reject fails the item, naming the table") {
  auto keep = Mapping::parse(
      payment_yaml("  body:\n    Method: { field: method, map: { card: CreditCard }, else: keep }\n"), "t.yaml");
  auto reject = Mapping::parse(
      payment_yaml("  body:\n    Method: { field: method, map: { card: CreditCard }, else: reject }\n"), "t.yaml");
  REQUIRE(keep);
  REQUIRE(reject);
  Entity p = portal_payment();
  p.set("method", std::string("ach"));
  CHECK(keep->push(p)->body == R"({"Method":"ach"})");
  auto refused = reject->push(p);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().describe() ==
        "t.yaml:11:13: push: method \"ach\" is not in the map (card) and its else: is reject; add it to map: if "
        "the ERP has a value for it");
}

TEST_CASE("push: XML body built as elements and attributes, text escaped") {
  auto m = Mapping::parse(
      payment_yaml("  format: xml\n  body:\n    Payment:\n      \"@currency\": { field: currency }\n"
                   "      Customer: { field: customer }\n      Amount: { field: amount }\n"
                   "      Note: { field: reference }\n"
                   "      Apply: { each: applications, body: { Invoice: { field: invoice }, "
                   "Amount: { field: amount } } }\n"),
      "t.yaml");
  REQUIRE(m);
  auto body = m->push(portal_payment());
  REQUIRE(body);
  CHECK(body->content_type == "application/xml");
  CHECK(body->body ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Payment currency=\"USD\"><Customer>C-42</Customer>"
        "<Amount>125.50</Amount><Note>ch_3Ab "
        "\"quoted\"</Note><Apply><Invoice>INV-1</Invoice><Amount>100.00</Amount>"
        "</Apply><Apply><Invoice>INV-2</Invoice><Amount>25.50</Amount></Apply></Payment>");
}

TEST_CASE("push: an ODBC statement gets ? placeholders and ordered parameters, never values") {
  auto m =
      Mapping::parse(payment_yaml("  format: statement\n"
                                  "  statement: \"INSERT INTO ar_receipts (cust, amt, paid_on, note, kind) "
                                  "VALUES (:customer, :amount, :paid_on, :number, 'a:b'::text)\"\n"
                                  "  params:\n    paid_on: { field: payment_date, date: \"%Y%m%d\" }\n"),
                     "t.yaml");
  REQUIRE(m);
  auto body = m->push(portal_payment());
  REQUIRE(body);
  REQUIRE(body->statements.size() == 1);
  const SqlStatement& s = body->statements[0];
  CHECK(s.sql == "INSERT INTO ar_receipts (cust, amt, paid_on, note, kind) VALUES (?, ?, ?, ?, 'a:b'::text)");
  CHECK(s.where == "t.yaml:11:14");
  REQUIRE(s.params.size() == 4);
  CHECK(s.params[0] == "C-42");
  CHECK(s.params[1] == "125.50");
  CHECK(s.params[2] == "20240229");
  CHECK_FALSE(s.params[3].has_value());  // number is absent: SQL NULL
}

TEST_CASE("push: a statement list runs in order, an each: statement once per child reading ^parent") {
  auto m = Mapping::parse(payment_yaml("  format: statement\n"
                                       "  statement:\n"
                                       "    - \"INSERT INTO pay (cust, amt) VALUES (:customer, :amount)\"\n"
                                       "    - each: applications\n"
                                       "      statement: \"INSERT INTO app (pay, inv, amt, paid_on) "
                                       "VALUES (:^customer, :invoice, :amount, :day)\"\n"
                                       "  params:\n    day: { field: ^payment_date, date: \"%Y%m%d\" }\n"),
                          "t.yaml");
  REQUIRE_MESSAGE(m, (m ? "" : m.error().front().describe()));
  auto body = m->push(portal_payment());
  REQUIRE(body);
  REQUIRE(body->statements.size() == 3);
  CHECK(body->statements[0].sql == "INSERT INTO pay (cust, amt) VALUES (?, ?)");
  CHECK(body->statements[0].params == std::vector<std::optional<std::string>>{"C-42", "125.50"});
  CHECK(body->statements[1].sql == "INSERT INTO app (pay, inv, amt, paid_on) VALUES (?, ?, ?, ?)");
  CHECK(body->statements[1].params ==
        std::vector<std::optional<std::string>>{"C-42", "INV-1", "100.00", "20240229"});
  CHECK(body->statements[2].params ==
        std::vector<std::optional<std::string>>{"C-42", "INV-2", "25.50", "20240229"});
  CHECK(load_problems(payment_yaml("  format: statement\n  statement:\n    - \"INSERT INTO t VALUES (:^amount)\"\n")) ==
        "t.yaml:12:7: push: statement: :^amount reads the parent, which only exists inside each:\n");
  CHECK(load_problems(payment_yaml("  format: statement\n  statement:\n    - {each: aplications, statement: \"X :amount\"}\n")) ==
        "t.yaml:12:14: push: each: 'aplications' is not a collection of payment (did you mean 'applications'?); "
        "it has applications\n");
}

TEST_CASE("push: unknown fields, collections and formats are load problems with places") {
  CHECK(load_problems(payment_yaml("  body: { Amount: { field: amont } }\n")) ==
        "t.yaml:10:28: push: unknown field 'amont' for payment (did you mean 'amount'?); its fields are "
        "erp_id, "
        "number, customer, payment_date, method, reference, currency, amount, unapplied, status, origin, "
        "portal_ref, erp_updated_at\n");
  CHECK(load_problems(payment_yaml("  body: { L: { each: aplications, body: { A: { field: amount } } } }\n")) ==
        "t.yaml:10:22: push: each: 'aplications' is not a collection of payment (did you mean "
        "'applications'?); "
        "it has applications\n");
  CHECK(load_problems(payment_yaml("  format: statement\n  statement: \"INSERT INTO t VALUES (:amout)\"\n")) ==
        "t.yaml:11:14: push: statement: :amout is not a field of payment (did you mean 'amount'?) (or define "
        "it "
        "under params:)\n");
  CHECK(load_problems(payment_yaml("  format: yaml\n  body: { A: b }\n")) ==
        "t.yaml:10:11: push: format: 'yaml' is not one of json, xml, statement\n");
  CHECK(load_problems(payment_yaml("  body: { D: { field: amount, date: \"%Y\" } }\n")) ==
        "t.yaml:10:14: push: field amount is money, so date: does not apply\n");
  CHECK(load_problems(payment_yaml("  format: xml\n  body: { A: a, B: b }\n")) ==
        "t.yaml:11:9: push: an XML body: has exactly one root element, e.g. body: {Payment: {...}}\n");
  CHECK(load_problems(payment_yaml("  body: { M: { field: method, map: { card: C } } }\n")) ==
        "t.yaml:10:14: push: field method: map: needs an else: saying what an unlisted value becomes: a value, "
        "keep (use it as it is) or reject (reject the record)\n");
  auto no_push = Mapping::parse("entity: customer\nfields:\n  erp_id: id\n  name: n\n", "t");
  REQUIRE(no_push);
  CHECK(no_push->push(portal_payment()).error().kind == ErrorKind::kNotFound);
}

TEST_CASE("push: cannot_carry: refuses an entity whose field has a value, naming it and the reason") {
  auto m = Mapping::parse(payment_yaml("  format: xml\n  cannot_carry:\n    unapplied: use an advance\n"
                                       "  body: { P: { A: { field: amount } } }\n"),
                          "t.yaml");
  REQUIRE(m);
  REQUIRE(m->push_limits().size() == 1);
  CHECK(m->push_limits()[0].spec->name == "unapplied");
  CHECK(m->push_limits()[0].reason == "use an advance");
  Entity p = portal_payment();  // unapplied 0.00: sent
  auto sent = m->push(p);
  REQUIRE(sent);
  CHECK(sent->body.find("<A>125.50</A>") != std::string::npos);
  p.set("unapplied", Money{1250, "USD"});
  auto refused = m->push(p);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::kInvalidInput);
  CHECK(refused.error().describe() ==
        "t.yaml:12:5: push: this ERP request cannot carry unapplied (12.50 USD), so the payment is not sent: use "
        "an advance");
  p.set("unapplied", std::monostate{});  // absent: nothing is lost
  CHECK(m->push(p));

  CHECK(load_problems(payment_yaml("  cannot_carry: { unaplied: x }\n  body: { A: a }\n")) ==
        "t.yaml:10:19: push: cannot_carry: 'unaplied' is not a field of payment (did you mean 'unapplied'?)\n");
  CHECK(load_problems(payment_yaml("  cannot_carry: { unapplied: \"\" }\n  body: { A: a }\n")) ==
        "t.yaml:10:30: push: cannot_carry: unapplied needs a reason (shown to operators and the portal)\n");
  CHECK(load_problems(payment_yaml("  cannot_carry: [unapplied]\n  body: { A: a }\n")) ==
        "t.yaml:10:17: push: cannot_carry: is a table of field: reason, e.g. {unapplied: \"...\"}\n");
}

TEST_CASE("push_sends: the fields a push names, at the entity's level, in a body or a statement") {
  auto json_body = Mapping::parse(payment_yaml("  body:\n    P:\n      Amt: { field: amount }\n"
                                               "      Lines:\n        each: applications\n"
                                               "        body: { Inv: { field: invoice }, Cur: { field: ^currency } }\n"),
                                  "t.yaml");
  REQUIRE(json_body);
  CHECK(json_body->push_sends("amount"));
  CHECK(json_body->push_sends("currency"));    // ^currency: the payment's, read inside each:
  CHECK_FALSE(json_body->push_sends("customer"));
  CHECK_FALSE(json_body->push_sends("invoice"));  // an application's field, not the payment's
  CHECK_FALSE(json_body->push_sends("no_such_field"));

  auto statement = Mapping::parse(payment_yaml("  format: statement\n  statement: \"INSERT INTO p (c, a) VALUES (:customer, :amount)\"\n"),
                                  "t.yaml");
  REQUIRE(statement);
  CHECK(statement->push_sends("customer"));
  CHECK_FALSE(statement->push_sends("unapplied"));

  auto no_push = Mapping::parse("entity: customer\nfields:\n  erp_id: id\n  name: n\n", "t.yaml");
  REQUIRE(no_push);
  CHECK_FALSE(no_push->push_sends("name"));
}
