// Intacct-style detail reads end to end: readByQuery pages whose records are read again whole with
// `read` (the xml-http stream option detail_request, as etc/mappings/examples/sage-intacct does
// for ARINVOICE lines and ARPYMT details), from the real erp-sim into the real arsync's mirror.
#include <doctest/doctest.h>

#include "tests/integration/support_xml.hpp"
#include "tests/support/http_client.hpp"

using namespace arsync::test;

TEST_CASE("invoices and payments read whole by key after each page mirror erp-sim exactly, lines included") {
  ErpSimProcess sim({"--seed", "41", "--customers", "40", "--invoices", "900"});
  SyncDeployment d(sim);
  DaemonSettings settings;
  for (const auto& [stream, object] : {std::pair{"invoices", "ARINVOICE"}, std::pair{"payments", "ARPYMT"}})
    settings.stream_options[stream] = std::string("        detail_request: \"<read><object>") + object +
                                      "</object><keys>{keys}</keys><fields>*</fields></read>\"\n";
  use_xml_api(d, sim, {{"page_size", "250"}}, &settings);
  auto first = d.run({"sync", "--once"});
  INFO(first.err);
  REQUIRE(first.status.ok());
  check_mirror_matches_sim(d.mirror(), sim);
  MirrorQuery q(d.mirror());
  CHECK(q.scalar("SELECT count(*) FROM rejects") == 0);
  CHECK(q.scalar("SELECT count(*) FROM invoice_lines") > 900);

  // A delta: the changed invoices are read whole again, nothing else.
  REQUIRE(http_request("POST", "127.0.0.1", sim.port(), "/admin/mutate",
                       R"({"collection":"invoices","action":"modify","count":12})").status == 200);
  REQUIRE(d.run({"sync", "--once"}).status.ok());
  check_mirror_matches_sim(d.mirror(), sim);
  CHECK(MirrorQuery(d.mirror()).scalar("SELECT updated FROM sync_runs WHERE stream = 'invoices' ORDER BY id DESC LIMIT 1") == 12);
}
