// The shipped vendor examples (etc/mappings/examples/) against payloads written from each
// vendor's published API documentation (tests/fixtures/<vendor>/): exact canonical output,
// records found through the mapping's records:, skipped records and left-out child items.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "mapping/json_reader.hpp"
#include "mapping/mapping.hpp"
#include "schema/catalog.hpp"
#include "tests/mapping/entity_text.hpp"

using namespace arsync;
using test::show;
using test::slurp;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

// Maps the vendor's sample: one line per record, "skip" for records the when: leaves out.
std::vector<std::string> run(const std::string& vendor, const std::string& name) {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/" + vendor + "/" + name + ".yaml");
  if (!mapping) FAIL(mapping.error().front().describe());
  auto page = read_json_page(slurp(kRoot + "/tests/fixtures/" + vendor + "/" + name + ".json"),
                             mapping->records_path().value_or(""), mapping->next_link_path().value_or(""));
  REQUIRE(page);
  std::vector<std::string> out;
  for (const Record& r : page->records) {
    auto entity = mapping->map_if(r);
    if (!entity) {
      out.push_back("reject " + entity.error().describe());
    } else if (!*entity) {
      out.push_back("skip");
    } else {
      auto valid = validate(**entity);
      out.push_back(valid ? show(**entity) : "invalid " + valid.error().message);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("Xero invoices: ACCREC only, /Date()/ dates in the writer's zone, lines numbered by position") {
  auto out = run("xero", "invoices");
  REQUIRE(out.size() == 4);
  CHECK(out[0] ==
        "erp_id=243216c5-369e-4056-ac67-05388f86dc81 number=INV-0001 "
        "customer=025867f1-d741-4d6b-b1af-9ac774b59ba7 "
        "issue_date=2018-02-15 due_date=2018-03-01 currency=NZD subtotal=26000 NZD tax=3900 NZD total=29900 "
        "NZD "
        "balance=19900 NZD status=partially_paid po_number=PO 4411 erp_updated_at=2018-02-15T09:12:30.940Z "
        "[line_no=1 item=GB1-White description=Golf balls - white single quantity=2 unit_price=40 "
        "amount=8000 NZD "
        "tax=1200 NZD] [line_no=2 description=Consulting, 1.5 hours quantity=1.5 unit_price=120 amount=18000 "
        "NZD "
        "tax=2700 NZD]");
  CHECK(out[1] == "skip");  // ACCPAY: a bill, not the portal's business
  CHECK(out[2] ==
        "erp_id=0032a8ef-1f3c-4f5b-b6a2-0e3a6f4b6b9d number=INV-0002 "
        "customer=025867f1-d741-4d6b-b1af-9ac774b59ba7 "
        "issue_date=2024-02-29 due_date=2024-03-31 currency=JPY subtotal=1200 JPY tax=0 JPY total=1200 JPY "
        "balance=0 JPY status=paid po_number= erp_updated_at=2024-03-01T00:00:00.000Z "
        "[line_no=1 description=Annual membership quantity=1 unit_price=1200 amount=1200 JPY tax=0 JPY]");
  CHECK(out[3] == "skip");  // DRAFT
}

TEST_CASE(
    "QuickBooks Online invoices: QueryResponse.Invoice, SubTotalLineDetail left out, status from Balance") {
  auto out = run("quickbooks-online", "invoices");
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "erp_id=130 number=1037 customer=24 issue_date=2014-09-19 due_date=2014-10-19 currency=USD tax=2682 "
        "USD "
        "total=36207 USD balance=36207 USD status=open po_number=102 terms=3 "
        "erp_updated_at=2014-09-19T20:16:17.000Z "
        "[line_no=1 item=Rock Fountain description=Rock Fountain quantity=1 unit_price=275 amount=27500 USD] "
        "[line_no=2 item=Pump description=Fountain Pump quantity=1 unit_price=12.75 amount=1275 USD] "
        "[line_no=3 item=Concrete description=Concrete for fountain installation quantity=5 unit_price=9.5 "
        "amount=4750 USD]");
  CHECK(out[1] ==
        "erp_id=131 number=1038 customer=8 issue_date=2024-02-29 due_date=2024-03-30 currency=USD tax=0 USD "
        "total=3500 USD balance=0 USD status=paid po_number= erp_updated_at=2024-03-02T00:30:00.000Z "
        "[line_no=1 item=Pest Control description=Pest control service quantity=1 unit_price=35 amount=3500 "
        "USD]");
}

TEST_CASE("Business Central invoices: value[], drafts skipped, comment lines left out, customer by number") {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/business-central/invoices.yaml");
  REQUIRE(mapping);
  REQUIRE(mapping->lookups().size() == 1);
  CHECK(mapping->lookups()[0].by == "number");
  auto out = run("business-central", "invoices");
  REQUIRE(out.size() == 2);
  CHECK(
      out[0] ==
      "erp_id=9e0f5c9c-44e3-ea11-bb43-000d3a2feca1 number=PS-INV103001 customer=20000 issue_date=2019-01-15 "
      "due_date=2019-02-14 currency=USD subtotal=109680 USD tax=6581 USD total=116261 USD balance=116261 USD "
      "status=open po_number= erp_updated_at=2019-01-15T09:55:36.270Z "
      "[line_no=10000 item=1896-S description=ATHENS Desk quantity=2 unit_price=548.4 amount=109680 USD "
      "tax=6581 USD]");
  CHECK(out[1] == "skip");
}

TEST_CASE("Xero credit notes: ACCRECCREDIT only, Allocations become applications") {
  auto out = run("xero", "credit_notes");
  REQUIRE(out.size() == 2);
  CHECK(
      out[0] ==
      "erp_id=7be578f5-63af-45c8-9b00-dcc4732baf0b number=CN-0012 "
      "customer=025867f1-d741-4d6b-b1af-9ac774b59ba7 "
      "issue_date=2019-03-05 currency=NZD total=5750 NZD remaining=1750 NZD status=open reason=Damaged goods "
      "erp_updated_at=2019-03-05T23:29:03.255Z "
      "[invoice=243216c5-369e-4056-ac67-05388f86dc81 amount=4000 NZD applied_date=2019-03-05]");
  CHECK(out[1] == "skip");  // a supplier credit
}

TEST_CASE(
    "Xero payments: one invoice object is a list of one application; push makes one Xero payment each") {
  auto out = run("xero", "payments");
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "erp_id=99ea7f6b-c3b0-4a1f-9e8a-5b5e2b7c3d11 customer=025867f1-d741-4d6b-b1af-9ac774b59ba7 "
        "payment_date=2019-03-14 reference=Direct credit 5531 currency=NZD amount=10000 NZD unapplied=0 NZD "
        "status=posted erp_updated_at=2019-03-14T19:21:02.523Z "
        "[invoice=243216c5-369e-4056-ac67-05388f86dc81 amount=10000 NZD applied_date=2019-03-14]");
  CHECK(out[1] == "skip");  // a supplier payment

  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/xero/payments.yaml");
  REQUIRE(mapping);
  Entity p(find_entity("payment"));
  p.set("payment_date", std::string("2024-02-29"));
  p.set("reference", std::string("portal 77"));
  const EntitySpec* app = find_entity("payment")->children[0].entity;
  for (auto [invoice, minor] : {std::pair{"INV-A", 1000}, std::pair{"INV-B", 250}}) {
    Entity a(app);
    a.set("invoice", std::string(invoice));
    a.set("amount", Money{minor, "NZD"});
    p.children[0].push_back(std::move(a));
  }
  auto body = mapping->push(p);
  REQUIRE(body);
  CHECK(
      body->body ==
      R"({"Payments":[{"Invoice":{"InvoiceID":"INV-A"},"Account":{"Code":"090"},"Date":"2024-02-29","Amount":10.00,)"
      R"("Reference":"portal 77"},{"Invoice":{"InvoiceID":"INV-B"},"Account":{"Code":"090"},"Date":"2024-02-29",)"
      R"("Amount":2.50,"Reference":"portal 77"}]})");
}

TEST_CASE("QuickBooks Online customers: Active true/false, nested address objects") {
  auto out = run("quickbooks-online", "customers");
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "erp_id=1 name=Amy's Bird Sanctuary status=active currency=USD payment_terms=3 "
        "billing_email=Birds@Intuit.com "
        "phone=(650) 555-3311 billing_line1=4581 Finch St. billing_city=Bayshore billing_region=CA "
        "billing_postal_code=94326 billing_country=US shipping_line1=4581 Finch St. shipping_city=Bayshore "
        "shipping_region=CA shipping_postal_code=94326 erp_updated_at=2014-09-18T19:56:01.000Z");
  CHECK(out[1] ==
        "erp_id=58 name=Northern Lights Ltd (deleted) status=inactive currency=CAD billing_country=US "
        "erp_updated_at=2024-03-01T16:00:00.000Z");
}

TEST_CASE(
    "Business Central customers: blocked \" \" is active, empty texts stay empty, credit limits exact") {
  auto out = run("business-central", "customers");
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "erp_id=f3a5738a-44e3-ea11-bb43-000d3a2feca1 number=20000 name=Trey Research status=active "
        "currency=USD "
        "credit_limit=0 USD tax_id= billing_email=helen.ray@contoso.com billing_line1=153 Thomas Drive "
        "billing_city=Chicago billing_region=IL billing_postal_code=61236 billing_country=US "
        "erp_updated_at=2020-08-21T00:26:53.793Z");
  CHECK(out[1] ==
        "erp_id=f0a5738a-44e3-ea11-bb43-000d3a2feca1 number=10000 name=Adatum Corporation status=on_hold "
        "currency=USD credit_limit=1500050 USD tax_id=US-77-1234567 billing_email=robert.townes@contoso.com "
        "billing_line1=192 Market Square billing_city=Atlanta billing_region=GA billing_postal_code=31772 "
        "billing_country=US erp_updated_at=2020-08-21T00:26:53.793Z");
}

TEST_CASE("Business Central payments: the line is its own application, invoices and customers by number") {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/business-central/payments.yaml");
  REQUIRE(mapping);
  REQUIRE(mapping->lookups().size() == 2);
  CHECK(mapping->lookups()[1].child == "applications");
  CHECK(mapping->lookups()[1].field == "invoice");
  CHECK(mapping->lookups()[1].target == "invoice");
  CHECK(mapping->lookups()[1].by == "number");
  auto out = run("business-central", "payments");
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "erp_id=17cce948-c6a5-4861-8ff5-30428ed83207 number=G02001 customer=20000 payment_date=2019-01-31 "
        "reference=CHK 4471 currency=USD amount=116261 USD unapplied=0 USD status=pending "
        "erp_updated_at=2019-01-31T11:02:22.043Z [invoice=PS-INV103001 amount=116261 USD "
        "applied_date=2019-01-31]");
  CHECK(out[1] ==
        "erp_id=27cce948-c6a5-4861-8ff5-30428ed83208 number=G02002 customer=10000 payment_date=2019-01-31 "
        "reference= currency=USD amount=25000 USD unapplied=25000 USD status=pending "
        "erp_updated_at=2019-01-31T11:05:00.000Z");
}

TEST_CASE("QuickBooks Online credit memos: status from RemainingCredit, memo text as the reason") {
  auto out = run("quickbooks-online", "credit_memos");
  REQUIRE(out.size() == 2);
  CHECK(out[0] ==
        "erp_id=73 number=1026 customer=3 issue_date=2014-09-02 currency=USD total=10000 USD remaining=0 USD "
        "status=applied reason=Returned rocks erp_updated_at=2014-09-18T20:30:04.000Z");
  CHECK(out[1] ==
        "erp_id=74 number=1027 customer=24 issue_date=2024-02-29 currency=USD total=1250 USD remaining=1250 "
        "USD "
        "status=open reason= erp_updated_at=2024-02-29T20:00:00.000Z");
}

TEST_CASE("Business Central credit memos: drafts skipped, Paid applied in full to its invoice, Open unused") {
  auto out = run("business-central", "credit_memos");
  REQUIRE(out.size() == 3);
  CHECK(out[0] ==
        "erp_id=5d115c9c-44e3-ea11-bb43-000d3a2feca1 number=PS-CR104001 customer=20000 issue_date=2019-02-04 "
        "currency=USD total=58130 USD remaining=0 USD status=applied reason= "
        "erp_updated_at=2019-02-04T14:20:11.830Z [invoice=PS-INV103001 amount=58130 USD "
        "applied_date=2019-02-04]");
  CHECK(out[1] ==
        "erp_id=6d115c9c-44e3-ea11-bb43-000d3a2feca1 number=PS-CR104002 customer=10000 issue_date=2019-02-28 "
        "currency=USD total=127200 USD remaining=127200 USD status=open reason=RMA-2231 "
        "erp_updated_at=2019-02-28T08:00:00.000Z");
  CHECK(out[2] == "skip");  // Draft
}

TEST_CASE("Xero contacts: customers only, phones and addresses picked by type, contact persons") {
  auto out = run("xero", "contacts");
  REQUIRE(out.size() == 3);
  CHECK(out[0] ==
        "erp_id=bd2270c3-8706-4c11-9cfb-000b551c3f51 number=AR-1001 name=ABC Limited status=active "
        "currency=NZD "
        "payment_terms=OFFOLLOWINGMONTH 20 tax_id=11-111-111 billing_email=a.dutchess@abclimited.com "
        "phone=+64 04 1111111 billing_line1=P O Box 123 billing_city=Wellington billing_postal_code=6011 "
        "billing_country=New Zealand shipping_line1=Level 2 shipping_line2=1 Willis Street "
        "shipping_city=Wellington shipping_postal_code=6011 shipping_country=New Zealand "
        "erp_updated_at=2017-03-01T18:03:42.280Z "
        "[name=John Smith role=billing email=john.smith@abclimited.com is_primary=no] "
        "[name=Mary role=billing is_primary=no]");
  CHECK(out[1] ==
        "erp_id=565acaa9-e7f3-4fbf-80c3-16b081ddae10 number= name=Bayside Club status=inactive "
        "erp_updated_at=2019-03-01T00:15:21.043Z");
  CHECK(out[2] == "skip");  // a supplier only
}

TEST_CASE("Xero contacts push: a profile change as POST /Contacts, unchanged elements left out") {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/xero/contacts.yaml");
  REQUIRE(mapping);
  auto page = read_json_page(slurp(kRoot + "/tests/fixtures/xero/contacts.json"), "Contacts", "");
  REQUIRE(page);
  auto customer = mapping->map(page->records[0]);
  REQUIRE(customer);
  customer->set("billing_email", std::string("ap@abclimited.com"));
  customer->set("billing_line2", std::string("Lambton Quay"));
  auto body = mapping->push(*customer);
  if (!body) FAIL(body.error().describe());
  CHECK(body->content_type == "application/json");
  CHECK(body->body ==
        R"({"Contacts":[{"ContactID":"bd2270c3-8706-4c11-9cfb-000b551c3f51","Name":"ABC Limited",)"
        R"("EmailAddress":"ap@abclimited.com","TaxNumber":"11-111-111",)"
        R"("Phones":[{"PhoneType":"DEFAULT","PhoneNumber":"+64 04 1111111"}],)"
        R"("Addresses":[{"AddressType":"POBOX","AddressLine1":"P O Box 123","AddressLine2":"Lambton Quay",)"
        R"("City":"Wellington","PostalCode":"6011","Country":"New Zealand"}]}]})");
  // The archived contact has no email, phone or address: those elements are not sent at all.
  auto bare = mapping->push(*mapping->map(page->records[1]));
  REQUIRE(bare);
  CHECK(bare->body ==
        R"({"Contacts":[{"ContactID":"565acaa9-e7f3-4fbf-80c3-16b081ddae10","Name":"Bayside Club",)"
        R"("Phones":[{"PhoneType":"DEFAULT"}],"Addresses":[{"AddressType":"POBOX"}]}]})");
}

TEST_CASE("Business Central payment push: one journal line per application, in one transactional $batch") {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/business-central/payments.yaml");
  REQUIRE(mapping);
  Entity payment(find_entity("payment"));
  payment.set("erp_id", std::string("PORTAL-0042"));
  payment.set("customer", std::string("f3a5738a-44e3-ea11-bb43-000d3a2feca1"));
  payment.set("payment_date", std::string("2019-02-10"));
  payment.set("reference", std::string("card 4242"));
  payment.set("currency", std::string("USD"));
  payment.set("amount", Money{136261, "USD"});
  payment.set("unapplied", Money{0, "USD"});
  const EntitySpec& application = *payment.spec->children[0].entity;
  for (auto [invoice, minor] : {std::pair{"9e0f5c9c-44e3-ea11-bb43-000d3a2feca1", 116261},
                                std::pair{"ae0f5c9c-44e3-ea11-bb43-000d3a2feca1", 20000}}) {
    Entity a(&application);
    a.set("invoice", std::string(invoice));
    a.set("amount", Money{minor, "USD"});
    payment.children[0].push_back(std::move(a));
  }
  auto body = mapping->push(payment);
  if (!body) FAIL(body.error().describe());
  auto line = [](const char* invoice, const char* amount) {
    return std::string(R"({"method":"POST","id":")") + invoice +
           R"(","atomicityGroup":"payment","url":"companies(00000000-0000-0000-0000-000000000000)/customerPayments",)"
           R"("headers":{"Content-Type":"application/json"},"body":{"customerId":"f3a5738a-44e3-ea11-bb43-000d3a2feca1",)"
           R"("postingDate":"2019-02-10","documentNumber":"PORTAL-0042","externalDocumentNumber":"card 4242",)"
           R"("amount":)" +
           amount + R"(,"appliesToInvoiceId":")" + invoice + R"("}})";
  };
  CHECK(body->body == R"({"requests":[)" + line("9e0f5c9c-44e3-ea11-bb43-000d3a2feca1", "1162.61") + "," +
                          line("ae0f5c9c-44e3-ea11-bb43-000d3a2feca1", "200.00") + "]}");
}
