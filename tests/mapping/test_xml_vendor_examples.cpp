// The shipped XML vendor examples (etc/mappings/examples/{sage-intacct,netsuite}/) against answers
// written from each vendor's published documentation (tests/fixtures/<vendor>/): exact canonical
// output (money in minor units, statuses), records found through the mapping's records: (with
// its namespaces:), and each push body as the ERP expects it.
#include <doctest/doctest.h>

#include <pugixml.hpp>

#include "mapping/mapping.hpp"
#include "mapping/xml_reader.hpp"
#include "tests/mapping/entity_text.hpp"

using namespace arsync;
using test::show;
using test::slurp;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

Mapping load(const std::string& vendor, const std::string& name) {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/" + vendor + "/" + name + ".yaml");
  if (!mapping) FAIL(mapping.error().front().describe());
  return std::move(*mapping);
}

// One line per record of the fixture, as the mapping reads it.
std::vector<std::string> run(const std::string& vendor, const std::string& name, const std::string& fixture) {
  Mapping mapping = load(vendor, name);
  auto records = read_xml_records(slurp(kRoot + "/tests/fixtures/" + vendor + "/" + fixture),
                                  mapping.records_path().value_or(""));
  REQUIRE(records);
  std::vector<std::string> out;
  for (const Record& r : *records) {
    auto entity = mapping.map_if(r);
    out.push_back(!entity ? "reject " + entity.error().describe() : !*entity ? "skip" : show(**entity));
  }
  return out;
}

Entity portal_payment() {
  Entity p(find_entity("payment"));
  p.set("erp_id", std::string("portal-7"));
  p.set("customer", std::string("C-00017"));
  p.set("payment_date", std::string("2025-03-14"));
  p.set("method", std::string("card"));
  p.set("reference", std::string("ch_3Ab&co"));
  p.set("currency", std::string("USD"));
  p.set("amount", Money{60000, "USD"});
  p.set("unapplied", Money{0, "USD"});
  const EntitySpec* app = find_entity("payment")->children[0].entity;
  for (auto [invoice, minor] : {std::pair{"1201", 52000}, std::pair{"1202", 8000}}) {
    Entity a(app);
    a.set("invoice", std::string(invoice));
    a.set("amount", Money{minor, "USD"});
    p.children[0].push_back(std::move(a));
  }
  return p;
}

}  // namespace

TEST_CASE("Sage Intacct customers: readByQuery of CUSTOMER, ONHOLD as on_hold, nested DISPLAYCONTACT") {
  CHECK(run("sage-intacct", "customers", "customer-readByQuery.xml") ==
        std::vector<std::string>{
            "erp_id=C-00017 number=C-00017 name=Northwind Traders status=active currency=USD "
            "credit_limit=2500000 USD "
            "payment_terms=N30 tax_id=94-1234567 billing_email=ap@northwind.example phone=415-555-0117 "
            "billing_line1=300 Harbor Blvd billing_city=Oakland billing_region=CA billing_postal_code=94607 "
            "billing_country=US",
            "erp_id=C-00042 number=C-00042 name=Brauerei Hofmann GmbH status=on_hold currency=EUR "
            "credit_limit=1000050 "
            "EUR payment_terms=N14 tax_id=DE811234567 billing_email=buchhaltung@hofmann.example phone=+49 89 "
            "5550142 "
            "billing_line1=Bierstraße 4 billing_city=München billing_postal_code=80331 billing_country=DE"});
}

// INV-1210 is a EUR invoice of a USD company: its TOTALENTERED is in USD (3864.35), and only the
// TRX_ amounts are in the invoice's EUR, so a total of 357050 EUR shows which pair was mapped.
TEST_CASE("Sage Intacct invoices: TRX_TOTALENTERED/TRX_TOTALDUE in the invoice's currency, STATE to status, MM/DD/YYYY dates") {
  CHECK(
      run("sage-intacct", "invoices", "arinvoice-readByQuery.xml") ==
      std::vector<std::string>{"erp_id=1201 number=INV-1201 customer=C-00017 issue_date=2025-02-10 "
                               "due_date=2025-03-12 currency=USD "
                               "total=125000 USD balance=125000 USD status=open po_number=PO-77812 terms=N30",
                               "erp_id=1202 number=INV-1202 customer=C-00017 issue_date=2025-02-11 "
                               "due_date=2025-03-13 currency=USD "
                               "total=98040 USD balance=48040 USD status=partially_paid po_number= terms=N30",
                               "erp_id=1210 number=INV-1210 customer=C-00042 issue_date=2025-02-20 "
                               "due_date=2025-03-06 currency=EUR "
                               "total=357050 EUR balance=0 EUR status=paid po_number=BH-2025-09 terms=N14"});
}

TEST_CASE("Sage Intacct payments: readMore's last page, receipt methods, TRX_TOTALDUE as the unapplied part in the payment's currency") {
  CHECK(run("sage-intacct", "payments", "arpymt-readMore.xml") ==
        std::vector<std::string>{
            "erp_id=5011 customer=C-00017 payment_date=2025-03-01 method=check reference=10442 "
            "currency=USD amount=50000 USD unapplied=0 USD status=posted origin=erp",
            "erp_id=5019 customer=C-00042 payment_date=2025-03-04 method=eft "
            "reference=SEPA-88120 currency=EUR amount=400000 EUR unapplied=42950 EUR "
            "status=posted origin=erp"});
}

TEST_CASE("Sage Intacct invoices by read: each invoice with its ARINVOICEITEMS lines in its own currency") {
  CHECK(run("sage-intacct", "invoices", "arinvoice-read.xml") ==
        std::vector<std::string>{
            "erp_id=1201 number=INV-1201 customer=C-00017 issue_date=2025-02-10 due_date=2025-03-12 currency=USD "
            "total=125000 USD balance=125000 USD status=open po_number=PO-77812 terms=N30 "
            "[line_no=1 description=Consulting, February amount=100000 USD] "
            "[line_no=2 description=Travel & expenses amount=25000 USD]",
            "erp_id=1202 number=INV-1202 customer=C-00017 issue_date=2025-02-11 due_date=2025-03-13 currency=USD "
            "total=98040 USD balance=48040 USD status=partially_paid po_number= terms=N30 "
            "[line_no=1 description=Support plan Q1 amount=98040 USD]"});
}

TEST_CASE("Sage Intacct payments by read: ARPYMTDETAILS become applications, one per detail") {
  CHECK(run("sage-intacct", "payments", "arpymt-read.xml") ==
        std::vector<std::string>{
            "erp_id=5011 customer=C-00017 payment_date=2025-03-01 method=check reference=10442 "
            "currency=USD amount=50000 USD unapplied=0 USD status=posted origin=erp "
            "[invoice=1202 amount=50000 USD applied_date=2025-03-01]",
            "erp_id=5019 customer=C-00042 payment_date=2025-03-04 method=eft "
            "reference=SEPA-88120 currency=EUR amount=400000 EUR unapplied=42950 EUR "
            "status=posted origin=erp [invoice=1305 amount=300000 EUR applied_date=2025-03-04] "
            "[invoice=1305 amount=57050 EUR applied_date=2025-03-04]"});
}

TEST_CASE("Sage Intacct push: a portal payment becomes create ARPYMT with one ARPYMTDETAIL per invoice") {
  Entity payment = portal_payment();
  payment.set("portal_ref", std::string("pay_7f3c"));
  auto body = load("sage-intacct", "payments").push(payment);
  REQUIRE(body);
  CHECK(
      body->body ==
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><create><ARPYMT><FINANCIALENTITY>BOA</FINANCIALENTITY>"
      "<PAYMENTMETHOD>Credit Card</PAYMENTMETHOD><CUSTOMERID>C-00017</CUSTOMERID><RECEIPTDATE>03/14/2025"
      "</RECEIPTDATE><DOCNUMBER>ch_3Ab&amp;co</DOCNUMBER><DESCRIPTION>pay_7f3c</DESCRIPTION><CURRENCY>USD</"
      "CURRENCY><ARPYMTDETAILS><ARPYMTDETAIL>"
      "<RECORDKEY>1201</RECORDKEY><TRX_PAYMENTAMOUNT>520.00</TRX_PAYMENTAMOUNT></ARPYMTDETAIL><ARPYMTDETAIL>"
      "<RECORDKEY>1202</RECORDKEY><TRX_PAYMENTAMOUNT>80.00</TRX_PAYMENTAMOUNT></ARPYMTDETAIL></ARPYMTDETAILS>"
      "</ARPYMT></create>");
}

TEST_CASE("NetSuite customers: namespaced records, credit hold and the default billing address") {
  CHECK(run("netsuite", "customers", "customer-search.xml") ==
        std::vector<std::string>{
            "erp_id=1412 number=C-00017 name=Northwind Traders status=active currency=USD "
            "credit_limit=2500000 USD "
            "payment_terms=Net 30 tax_id=94-1234567 billing_email=ap@northwind.example phone=415-555-0117 "
            "billing_line1=300 Harbor Blvd billing_city=Oakland billing_region=CA billing_postal_code=94607 "
            "billing_country=US erp_updated_at=2025-03-14T08:59:02.000Z",
            "erp_id=1877 number=C-00042 name=Brauerei Hofmann GmbH status=on_hold currency=EUR "
            "credit_limit=1000050 "
            "EUR payment_terms=Net 15 tax_id=DE811234567 billing_email=buchhaltung@hofmann.example phone=+49 "
            "89 "
            "5550142 billing_line1=Bierstraße 4 billing_city=München billing_postal_code=80331 "
            "billing_country=DE "
            "erp_updated_at=2025-03-14T09:01:45.000Z"});
}

TEST_CASE("NetSuite invoices: search page 1 and the searchMoreWithId page, lines, partly paid while Open") {
  CHECK(run("netsuite", "invoices", "invoice-search.xml") ==
        std::vector<std::string>{
            "erp_id=9101 number=INV1201 customer=1412 issue_date=2025-02-10 due_date=2025-03-12 currency=USD "
            "subtotal=115480 USD tax=9520 USD total=125000 USD balance=125000 USD status=open "
            "po_number=PO-77812 "
            "terms=Net 30 erp_updated_at=2025-02-10T16:20:31.000Z [line_no=1 item=WIDGET-100 "
            "description=Widget, "
            "blue quantity=10 unit_price=100 amount=100000 USD tax=8250 USD] [line_no=2 item=SVC-INSTALL "
            "description=Installation quantity=1.5 unit_price=103.2 amount=15480 USD tax=1270 USD]",
            "erp_id=9102 number=INV1202 customer=1412 issue_date=2025-02-11 due_date=2025-03-13 currency=USD "
            "subtotal=90567 USD tax=7473 USD total=98040 USD balance=48040 USD status=partially_paid "
            "po_number= "
            "terms=Net 30 erp_updated_at=2025-03-01T11:02:09.000Z [line_no=1 item=WIDGET-100 "
            "description=Widget, "
            "blue quantity=9 unit_price=100.63 amount=90567 USD tax=7473 USD]"});
  CHECK(
      run("netsuite", "invoices", "invoice-searchMoreWithId.xml") ==
      std::vector<std::string>{
          "erp_id=9110 number=INV1210 customer=1877 issue_date=2025-02-20 due_date=2025-03-06 currency=EUR "
          "subtotal=300042 EUR tax=57008 EUR total=357050 EUR balance=0 EUR status=paid po_number=BH-2025-09 "
          "terms=Net 30 erp_updated_at=2025-03-05T07:45:00.000Z [line_no=1 item=KEG-50L description=Keg "
          "coupler, "
          "50 l quantity=12 unit_price=250.035 amount=300042 EUR tax=57008 EUR]"});
}

TEST_CASE("NetSuite customer payments: only applyList entries with apply = true become applications") {
  CHECK(run("netsuite", "payments", "customerPayment-search.xml") ==
        std::vector<std::string>{
            "erp_id=9301 number=PYMT0311 customer=1412 payment_date=2025-03-01 method=check reference=10442 "
            "currency=USD amount=50000 USD unapplied=0 USD status=posted origin=erp "
            "erp_updated_at=2025-03-01T11:02:09.000Z [invoice=9102 amount=50000 USD applied_date=2025-03-01]",
            "erp_id=9305 number=PYMT0315 customer=1877 payment_date=2025-03-04 method=ach reference= "
            "currency=EUR "
            "amount=400000 EUR unapplied=42950 EUR status=posted origin=erp "
            "erp_updated_at=2025-03-05T07:45:00.000Z "
            "[invoice=9110 amount=357050 EUR applied_date=2025-03-04]"});
}

TEST_CASE("NetSuite credit memos: Open / Fully Applied, unapplied as remaining") {
  CHECK(run("netsuite", "credit_memos", "creditMemo-search.xml") ==
        std::vector<std::string>{
            "erp_id=9401 number=CM0042 customer=1877 issue_date=2025-02-28 currency=EUR total=15000 EUR "
            "remaining=15000 EUR status=open reason=Damaged goods erp_updated_at=2025-03-01T00:10:00.000Z",
            "erp_id=9402 number=CM0043 customer=1412 issue_date=2025-03-02 currency=USD total=7525 USD "
            "remaining=0 "
            "USD status=applied reason=Pricing error erp_updated_at=2025-03-02T17:00:00.000Z [invoice=9101 "
            "amount=7525 USD applied_date=2025-03-02]"});
}

TEST_CASE("NetSuite push: a portal payment becomes add of a CustomerPayment applied to its invoices") {
  Entity payment = portal_payment();
  payment.set("customer", std::string("1412"));
  auto body = load("netsuite", "payments").push(payment);
  REQUIRE(body);
  CHECK(body->body ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><add><record xsi:type=\"tranCust:CustomerPayment\">"
        "<tranCust:customer internalId=\"1412\"/><tranCust:tranDate>2025-03-14T00:00:00</tranCust:tranDate>"
        "<tranCust:payment>600.00</tranCust:payment><tranCust:memo>ch_3Ab&amp;co</"
        "tranCust:memo><tranCust:applyList>"
        "<tranCust:apply><tranCust:doc>1201</tranCust:doc><tranCust:apply>true</"
        "tranCust:apply><tranCust:amount>"
        "520.00</tranCust:amount></tranCust:apply><tranCust:apply><tranCust:doc>1202</"
        "tranCust:doc><tranCust:apply>"
        "true</tranCust:apply><tranCust:amount>80.00</tranCust:amount></tranCust:apply></tranCust:applyList>"
        "</record></add>");
}
