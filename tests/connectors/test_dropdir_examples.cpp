// The drop-folder example mappings (etc/mappings/examples/{sap-idoc,csv}/) against sample files
// (tests/fixtures/{sap-idoc,csv}/): SAP IDoc XML written from SAP's segment documentation and
// a CSV export, read as the dropdir connector reads them, to exact canonical output.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "connectors/csv_reader.hpp"
#include "mapping/mapping.hpp"
#include "mapping/xml_reader.hpp"
#include "schema/entity_json.hpp"

using namespace arsync;

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

// One line per record: the entity's canonical JSON, or "reject <reason>".
std::vector<std::string> run(const std::string& mapping_file, const std::string& fixture) {
  auto mapping = Mapping::load(kRoot + "/etc/mappings/examples/" + mapping_file);
  if (!mapping) FAIL(mapping.error().front().describe());
  std::ifstream in(kRoot + "/tests/fixtures/" + fixture, std::ios::binary);
  std::string body{std::istreambuf_iterator<char>(in), {}};
  auto records =
      mapping->records_path() ? read_xml_records(body, *mapping->records_path()) : read_csv_records(body);
  REQUIRE(records);
  std::vector<std::string> out;
  for (const Record& r : *records) {
    auto entity = mapping->map(r);
    if (!entity) {
      out.push_back("reject " + entity.error().describe());
      continue;
    }
    auto valid = validate(*entity);
    out.push_back(valid ? entity_json(*entity) : "invalid " + valid.error().message);
  }
  return out;
}

}  // namespace

TEST_CASE("SAP DEBMAS06: one customer per E1KNA1M; blocks and deletion flags set the status") {
  auto out = run("sap-idoc/customers.yaml", "sap-idoc/DEBMAS06_customers.xml");
  REQUIRE(out.size() == 3);
  CHECK(out[0] ==
        R"({"erp_id":"0000100001","number":"0000100001","name":"Muster Maschinenbau GmbH","status":"active",)"
        R"("currency":"EUR","payment_terms":"ZB30","tax_id":"DE811907980","phone":"+49 711 2050",)"
        R"("billing_line1":"Königstraße 10","billing_city":"Stuttgart","billing_region":"08",)"
        R"("billing_postal_code":"70173","billing_country":"DE","contacts":[]})");
  CHECK(out[1] ==
        R"({"erp_id":"0000100002","number":"0000100002","name":"Alpen Logistik AG","status":"on_hold",)"
        R"("currency":"EUR","payment_terms":"ZB14","tax_id":"ATU12345678","billing_line1":"Kärntner Ring 5",)"
        R"("billing_city":"Wien","billing_postal_code":"1010","billing_country":"AT","contacts":[]})");
  CHECK(
      out[2] ==
      R"({"erp_id":"0000100003","number":"0000100003","name":"Lakeside Tools Inc.","status":"inactive",)"
      R"("currency":"USD","payment_terms":"","phone":"312-555-0142","billing_line1":"200 E Randolph St",)"
      R"("billing_city":"Chicago","billing_region":"IL","billing_postal_code":"60601","billing_country":"US","contacts":[]})");
}

TEST_CASE("SAP INVOIC02: segments picked by qualifier, YYYYMMDD dates, E1EDS01 totals, E1EDP01 lines") {
  auto out = run("sap-idoc/invoices.yaml", "sap-idoc/INVOIC02_invoices.xml");
  REQUIRE(out.size() == 2);
  CHECK(
      out[0] ==
      R"({"erp_id":"0090036021","number":"0090036021","customer":"0000100001","issue_date":"2025-03-04",)"
      R"("currency":"EUR","subtotal":{"amount":"1582.50","currency":"EUR"},)"
      R"("tax":{"amount":"300.68","currency":"EUR"},"total":{"amount":"1883.18","currency":"EUR"},)"
      R"("balance":{"amount":"1883.18","currency":"EUR"},"status":"open","po_number":"PO-77812","terms":"ZB30",)"
      R"("lines":[{"line_no":10,"item":"MAT-100","description":"Hydraulic pump HP-40","quantity":"10",)"
      R"("unit_price":"125","amount":{"amount":"1250.00","currency":"EUR"},"tax":{"amount":"237.50","currency":"EUR"}},)"
      R"({"line_no":20,"item":"SRV-200","description":"Installation, hours","quantity":"3.5",)"
      R"("unit_price":"95","amount":{"amount":"332.50","currency":"EUR"},"tax":{"amount":"63.18","currency":"EUR"}}]})");
  CHECK(
      out[1] ==
      R"({"erp_id":"0090036022","number":"0090036022","customer":"0000100003","issue_date":"2025-03-05",)"
      R"("currency":"USD","subtotal":{"amount":"2099.98","currency":"USD"},)"
      R"("tax":{"amount":"0.00","currency":"USD"},"total":{"amount":"2099.98","currency":"USD"},)"
      R"("balance":{"amount":"2099.98","currency":"USD"},"status":"open","po_number":"","terms":"NT30",)"
      R"("lines":[{"line_no":10,"item":"MAT-310","description":"Torque wrench set","quantity":"2",)"
      R"("unit_price":"1049.99","amount":{"amount":"2099.98","currency":"USD"},"tax":{"amount":"0.00","currency":"USD"}}]})");
}

TEST_CASE("CSV customers: quoted commas and quotes, a line break inside an address, empty cells") {
  auto out = run("csv/customers.yaml", "csv/customers.csv");
  REQUIRE(out.size() == 3);
  CHECK(out[0] ==
        R"({"erp_id":"C-1001","number":"C-1001","name":"Harbor Freight Supply, LLC","status":"active",)"
        R"("currency":"USD","credit_limit":{"amount":"25000.00","currency":"USD"},"payment_terms":"NET30",)"
        R"("billing_email":"ap@harborfreight.example","phone":"+1 206 555 0100",)"
        R"("billing_line1":"1200 Alaskan Way\nSuite 400","billing_city":"Seattle","billing_region":"WA",)"
        R"("billing_postal_code":"98101","billing_country":"US","contacts":[]})");
  CHECK(out[1] ==
        R"({"erp_id":"C-1002","number":"C-1002","name":"The \"Blue Door\" Bakery","status":"on_hold",)"
        R"("currency":"USD","credit_limit":{"amount":"0.00","currency":"USD"},"payment_terms":"NET15",)"
        R"("billing_line1":"12 Main St","billing_city":"Portland","billing_region":"OR",)"
        R"("billing_postal_code":"97204","billing_country":"US","contacts":[]})");
  CHECK(out[2] ==
        R"({"erp_id":"C-1003","number":"C-1003","name":"Nordlicht GmbH","status":"active",)"
        R"("currency":"EUR","credit_limit":{"amount":"10000.00","currency":"EUR"},"payment_terms":"ZB30",)"
        R"("billing_email":"buchhaltung@nordlicht.example","billing_line1":"Hafenstraße 3",)"
        R"("billing_city":"Hamburg","billing_postal_code":"20457","billing_country":"DE","contacts":[]})");
}

TEST_CASE("CSV invoices: MM/DD/YYYY dates, quoted thousands separators, status by the export's words") {
  auto out = run("csv/invoices.yaml", "csv/invoices.csv");
  REQUIRE(out.size() == 4);
  CHECK(
      out[0] ==
      R"({"erp_id":"INV-5001","number":"INV-5001","customer":"C-1001","issue_date":"2025-03-01",)"
      R"("due_date":"2025-03-31","currency":"USD","subtotal":{"amount":"1250.00","currency":"USD"},)"
      R"("tax":{"amount":"100.00","currency":"USD"},"total":{"amount":"1350.00","currency":"USD"},)"
      R"("balance":{"amount":"1350.00","currency":"USD"},"status":"open","po_number":"PO-881","lines":[]})");
  CHECK(
      out[1].find(
          R"("balance":{"amount":"132.00","currency":"USD"},"status":"partially_paid","po_number":"","lines":[]})") !=
      std::string::npos);
  CHECK(out[2].find(R"("status":"paid","po_number":"","lines":[]})") != std::string::npos);
  CHECK(out[3].find(R"("total":{"amount":"2380.00","currency":"EUR"})") != std::string::npos);
}
