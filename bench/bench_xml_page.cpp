// bench_xml_page: one large XML page through the xml-http connector and the mapping, in process
// (a transport that hands back a prepared body: no network). The page is Intacct-shaped like
// erp-sim's XML API (readByQuery of ARINVOICE, 3 lines per invoice), mapped by
// etc/mappings/demo-xml/invoices.yaml. Prints, for a 2 MB and a 20 MB page, the seconds of this
// thread's CPU spent in pull() (parse once, select records, read each record's cursor) and in
// mapping, and MB/s: equal MB/s at both sizes means no quadratic step.
//
//   build/bench/bench_xml_page [--mb 20]
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "bench/bench_harness.hpp"
#include "connectors/xml_http_connector.hpp"
#include "mapping/mapping.hpp"

using namespace arsync;
using namespace arsync::bench;

namespace {

std::string g_body;  // the page every request gets

class PreparedTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest&, std::chrono::milliseconds) override {
    return HttpResponse{200, {}, g_body};
  }
};
std::unique_ptr<HttpTransport> make_prepared(HttpTransportOptions) {
  return std::make_unique<PreparedTransport>();
}

std::string page(std::size_t target_bytes, std::size_t& count) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><control><status>success</status>"
      "</control><operation><authentication><status>success</status></authentication><result>"
      "<status>success</status><function>readByQuery</function><data listtype=\"arinvoice\">";
  count = 0;
  while (out.size() < target_bytes) {
    const std::string id = std::to_string(++count);
    char modified[32];
    std::snprintf(modified, sizeof modified, "03/%02zu/2025 %02zu:%02zu:%02zu", 1 + count / 86400 % 28,
                  count / 3600 % 24, count / 60 % 60, count % 60);
    out +=
        "<arinvoice><RECORDNO>" + id + "</RECORDNO><RECORDID>SI-" + id +
        "</RECORDID><CUSTOMERID>C000001</CUSTOMERID><WHENCREATED>02/10/2025</WHENCREATED><WHENDUE>03/12/2025"
        "</WHENDUE><CURRENCY>USD</CURRENCY><BASECURR>USD</BASECURR><SUBTOTAL>300.00</SUBTOTAL><TOTALTAX>24.75"
        "</TOTALTAX><TOTALENTERED>324.75</TOTALENTERED><TRX_TOTALENTERED>324.75</TRX_TOTALENTERED><TOTALDUE>"
        "324.75</TOTALDUE><TRX_TOTALDUE>324.75</TRX_TOTALDUE><STATE>Posted</STATE><DOCNUMBER>PO-4411</DOCNUMBER>"
        "<TERMNAME>NET30</TERMNAME><WHENMODIFIED>" +
        std::string(modified) + "</WHENMODIFIED><ARINVOICEITEMS>";
    for (int line = 1; line <= 3; ++line)
      out += "<arinvoiceitem><LINE_NO>" + std::to_string(line) +
             "</LINE_NO><ITEMID>ITEM-100</ITEMID><MEMO>Widget</MEMO><QUANTITY>2.5</QUANTITY><UNITPRICE>40.00"
             "</UNITPRICE><AMOUNT>100.00</AMOUNT><TAXAMOUNT>8.25</TAXAMOUNT></arinvoiceitem>";
    out += "</ARINVOICEITEMS></arinvoice>";
  }
  return out + "</data></result></operation></response>";
}

void measure(double mb, const Mapping& mapping) {
  std::size_t count = 0;
  g_body = page(static_cast<std::size_t>(mb * 1024 * 1024), count);
  ConnectorConfig config;
  config.name = "bench";
  config.options = {{"base_url", {"http://bench.invalid/gw", ""}}, {"dialect", {"intacct", ""}}};
  config.streams.push_back({"invoices",
                            {{"request", {"<readByQuery><object>ARINVOICE</object></readByQuery>", ""}},
                             {"records", {"/response/operation/result/data/arinvoice", ""}},
                             {"cursor_field", {"WHENMODIFIED", ""}},
                             {"cursor_format", {"%m/%d/%Y %H:%M:%S", ""}}},
                            ""});
  ConnectorContext context;
  context.make_transport = &make_prepared;
  auto connector = xml_http_spec().create(config, context);
  if (!connector) throw std::runtime_error(connector.error().describe());
  const double t0 = thread_cpu_seconds();
  auto pulled = (*connector)->pull({"invoices", "", ""});
  const double t1 = thread_cpu_seconds();
  if (!pulled || pulled->records.size() != count) throw std::runtime_error("wrong record count");
  std::size_t mapped = 0;
  for (const Record& r : pulled->records) mapped += mapping.map(r).has_value();
  const double t2 = thread_cpu_seconds();
  const double size_mb = static_cast<double>(g_body.size()) / (1024 * 1024);
  std::printf(
      "page %6.1f MB  %7zu invoices  pull %.3f s (%.0f MB/s)  map %.3f s (%.0f invoices/s)  mapped %zu  "
      "cursor %s\n",
      size_mb, count, t1 - t0, size_mb / (t1 - t0), t2 - t1, static_cast<double>(mapped) / (t2 - t1), mapped,
      pulled->cursor.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  double mb = 20;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--mb") == 0) mb = std::atof(argv[i + 1]);
  auto mapping = Mapping::load(std::string(ARSYNC_SOURCE_DIR) + "/etc/mappings/demo-xml/invoices.yaml");
  if (!mapping) {
    std::fprintf(stderr, "%s\n", mapping.error().front().describe().c_str());
    return 1;
  }
  measure(mb / 10, *mapping);
  measure(mb, *mapping);
  return 0;
}
