// erp-sim's invoice documents (tools/erp-sim/API.md "Invoice documents"): the listing collection
// pages like the invoices, and each invoice's PDF is a structurally valid PDF (its xref offsets
// point at its objects) generated from the invoice as served now.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/erp_sim_process.hpp"
#include "tests/support/http_client.hpp"

using arsync::test::ErpSimProcess;
using arsync::test::http_request;

namespace {

arsync::test::HttpReply get(const ErpSimProcess& sim, const std::string& target) {
  return http_request("GET", "127.0.0.1", sim.port(), target, {}, {{"Authorization", "Bearer t0k"}});
}

// Checks what a PDF reader relies on first: the header, startxref pointing at the xref table, and
// every in-use xref entry pointing at "N 0 obj".
void check_pdf_structure(const std::string& pdf) {
  REQUIRE(pdf.starts_with("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n"));
  REQUIRE(pdf.ends_with("%%EOF\n"));
  std::smatch m;
  REQUIRE(std::regex_search(pdf, m, std::regex("startxref\n(\\d+)\n%%EOF\n$")));
  const std::size_t xref = std::stoul(m[1]);
  REQUIRE(pdf.compare(xref, 5, "xref\n") == 0);
  std::size_t at = pdf.find('\n', pdf.find('\n', xref) + 1) + 1;  // past "xref" and "0 6"
  at = pdf.find('\n', at) + 1;                                    // past the free entry
  for (int object = 1; object <= 5; ++object, at += 20) {
    const std::size_t offset = std::stoul(pdf.substr(at, 10));
    CHECK(pdf.compare(offset, std::to_string(object).size() + 6, std::to_string(object) + " 0 obj") == 0);
  }
  REQUIRE(std::regex_search(pdf, m, std::regex("/Length (\\d+) >>\nstream\n")));
  const std::size_t stream = static_cast<std::size_t>(m.position(0) + m.length(0));
  CHECK(pdf.compare(stream + std::stoul(m[1]), 10, "endstream\n") == 0);
}

}  // namespace

TEST_CASE("invoice documents are listed like the invoices and each PDF is valid and follows its invoice") {
  ErpSimProcess sim({"--seed", "5", "--customers", "10", "--invoices", "60", "--token", "t0k"});
  auto page = get(sim, "/odata/invoiceDocuments?$top=25");
  REQUIRE(page.status == 200);
  const auto listing = nlohmann::json::parse(page.body);
  REQUIRE(listing["value"].size() == 25);
  CHECK(listing.contains("@odata.nextLink"));
  const auto& first = listing["value"][0];
  CHECK(first["id"] == "INV-0000001");
  CHECK(first["invoiceId"] == "INV-0000001");
  CHECK(first["fileName"] == "SI-0000001.pdf");
  CHECK(first["mediaType"] == "application/pdf");
  auto invoices = nlohmann::json::parse(get(sim, "/odata/invoices?$top=25").body);
  CHECK(first["lastModifiedDateTime"] == invoices["value"][0]["lastModifiedDateTime"]);

  auto pdf = get(sim, "/odata/invoices('INV-0000007')/pdf");
  REQUIRE(pdf.status == 200);
  CHECK(pdf.header("Content-Type") == "application/pdf");
  check_pdf_structure(pdf.body);
  CHECK(pdf.body.find("(INVOICE SI-0000007) '") != std::string::npos);
  CHECK(get(sim, "/odata/invoices/INV-0000007/pdf").body == pdf.body);
  CHECK(get(sim, "/odata/invoices('INV-0009999')/pdf").status == 404);
  CHECK(http_request("GET", "127.0.0.1", sim.port(), "/odata/invoices('INV-0000007')/pdf").status == 401);

  // A voided invoice's copy says so, and its listing entry moves to the end with the new time.
  auto voided = nlohmann::json::parse(
      http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate", R"({"collection":"invoices","action":"void"})")
          .body)["ids"][0]
                    .get<std::string>();
  auto copy = get(sim, "/odata/invoices('" + voided + "')/pdf");
  check_pdf_structure(copy.body);
  CHECK(copy.body.find("(Status Canceled) '") != std::string::npos);
  auto changed = nlohmann::json::parse(get(sim, "/odata/invoiceDocuments?$filter=lastModifiedDateTime%20ge%202025-12-01T00:00:00Z").body);
  REQUIRE(changed["value"].size() == 1);
  CHECK(changed["value"][0]["invoiceId"] == voided);
}
