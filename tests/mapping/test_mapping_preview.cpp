// mapping preview (daemon/mapping_preview.cpp): table and JSON output for the vendor examples,
// skipped records, rejects with reasons and places, XML samples, and the exit codes.
//
// The preview is the daemon's, but it uses only the mapping layer: its one source file is
// compiled into this test so the test links the mapping layer alone, like its neighbours.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "daemon/mapping_preview.cpp"

namespace {

const std::string kRoot = ARSYNC_SOURCE_DIR;

struct Run {
  int code;
  std::string out, err;
};

Run preview(const std::string& mapping, const std::string& sample, const std::string& format,
            const std::string& records = "") {
  std::ostringstream out, err;
  int code =
      arsync::run_mapping_preview(kRoot + "/" + mapping, kRoot + "/" + sample, format, records, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("preview table: one line per record, skipped records, a summary; exit 0") {
  Run r = preview("etc/mappings/examples/business-central/invoices.yaml",
                  "tests/fixtures/business-central/invoices.json", "table");
  CHECK(r.code == 0);
  CHECK(r.err == "");
  CHECK(r.out ==
        "ok      #0 9e0f5c9c-44e3-ea11-bb43-000d3a2feca1 number=PS-INV103001 customer=20000 "
        "issue_date=2019-01-15 "
        "currency=USD total=1162.61 USD balance=1162.61 USD status=open lines=1\n"
        "skipped #1 5d115c9c-44e3-ea11-bb43-000d3a2feca1  (the mapping's when: does not match)\n"
        "1 mapped, 1 skipped, 0 rejected\n");
}

TEST_CASE("preview table: rejects carry the mapping's place and the reason; exit 1") {
  Run r = preview("etc/mappings/demo/invoices.yaml", "tests/fixtures/demo/invoices.json", "table");
  CHECK(r.code == 1);
  CHECK(
      r.out.find("reject  #7 INV-0000008  " + kRoot +
                 "/etc/mappings/demo/invoices.yaml:15:3: field status: \"Pending\" at status "
                 "is not in the map (Canceled, Open, Paid, Partially Paid) and its else: is reject; add it "
                 "to map: if it is a valid value\n") != std::string::npos);
  CHECK(r.out.ends_with("3 mapped, 0 skipped, 6 rejected\n"));
}

TEST_CASE("preview json: every field, money as exact decimal text with its currency, children") {
  Run r = preview("etc/mappings/examples/xero/invoices.yaml", "tests/fixtures/xero/invoices.json", "json");
  CHECK(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["records"].size() == 2);
  CHECK(j["skipped"] == nlohmann::json::array({1, 3}));
  CHECK(j["rejects"].empty());
  CHECK(j["records"][0]["fields"]["total"] == nlohmann::json{{"amount", "299.00"}, {"currency", "NZD"}});
  CHECK(j["records"][1]["fields"]["total"] == nlohmann::json{{"amount", "1200"}, {"currency", "JPY"}});
  CHECK(j["records"][0]["lines"][1]["fields"]["quantity"] == "1.5");
  CHECK(j["records"][0]["key"] == "243216c5-369e-4056-ac67-05388f86dc81");
}

TEST_CASE("preview: XML samples, an explicit records path, and exit 2 for problems") {
  Run xml = preview("etc/mappings/examples/quickbooks-online/invoices-xml.yaml",
                    "tests/fixtures/quickbooks-online/invoices.xml", "table");
  CHECK(xml.code == 0);
  CHECK(xml.out.starts_with("ok      #0 130 number=1037 customer=24"));
  Run path = preview("etc/mappings/demo/customers.yaml", "tests/fixtures/demo/customers.json", "table",
                     "nothing.here");
  CHECK(path.code == 2);
  CHECK(path.err.ends_with("customers.json: the sample has no list at nothing.here\n"));
  Run missing = preview("etc/mappings/demo/invoices.yaml", "tests/fixtures/demo/none.json", "table");
  CHECK(missing.code == 2);
  Run bad_format = preview("etc/mappings/demo/invoices.yaml", "tests/fixtures/demo/invoices.json", "csv");
  CHECK(bad_format.code == 2);
  CHECK(bad_format.err == "unknown preview format 'csv'; use table or json\n");
  std::string broken = (std::filesystem::temp_directory_path() / "arsync_preview_broken.yaml").string();
  std::ofstream(broken) << "entity: invoce\n";
  std::ostringstream out, err;
  CHECK(arsync::run_mapping_preview(broken, kRoot + "/tests/fixtures/demo/invoices.json", "table", "", out,
                                    err) == 2);
  CHECK(err.str().find("arsync_preview_broken.yaml:1:9: unknown entity 'invoce' (did you mean 'invoice'?)") !=
        std::string::npos);
  std::filesystem::remove(broken);
}
