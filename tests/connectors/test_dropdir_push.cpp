// The dropdir connector's push on a real folder: one file per outbox item named by its key,
// written whole (temporary name, fsync, rename, fsync of the folder), a re-send replacing the
// same file, look-ups in outgoing/ and in the folder the ERP moves imported files to, and the
// refusals (no outgoing folder, a statement mapping, a folder that cannot be written).
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "connectors/dropdir_connector.hpp"
#include "connectors/dropdir_outgoing.hpp"
#include "tests/connectors/scratch_folder.hpp"
#include "tests/result_text.hpp"

using namespace arsync;
using arsync::test::Folder;
using arsync::test::why;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Connector> make(const Folder& folder, bool with_outgoing = true) {
  ConnectorConfig config;
  config.name = "erp";
  config.type = "dropdir";
  config.options = {{"path", {(folder.path / "export").string(), "test"}}};
  if (with_outgoing) {
    config.options["outgoing"] = {(folder.path / "import").string(), "test"};
    config.options["outgoing_imported"] = {(folder.path / "import/done").string(), "test"};
  }
  config.streams.push_back({"payments", {{"pattern", {"PAY*.json", "test"}}}, "test"});
  fs::create_directories(folder.path / "export");
  REQUIRE(check_options(config.options, dropdir_spec().options, "dropdir").empty());
  auto connector = dropdir_spec().create(config, ConnectorContext{});
  REQUIRE_MESSAGE(connector, why(connector));
  return std::move(*connector);
}

PushRequest payment(const std::string& key, const std::string& amount = "125.50") {
  return {.kind = "payment",
          .idempotency_key = key,
          .body = "{\"customerId\":\"C-1\",\"amount\":" + amount + "}",
          .stream = "payments",
          .content_type = "application/json"};
}

}  // namespace

TEST_CASE("dropdir push: an item is one whole file named by its key; a re-send replaces it") {
  Folder folder;
  auto connector = make(folder);
  auto before = connector->lookup(payment("pp-1"));
  REQUIRE_MESSAGE(before, why(before));
  CHECK_FALSE(before->has_value());

  PushResult first = connector->push(payment("pp-1"));
  INFO(first.message);
  REQUIRE(first.status == PushStatus::kDelivered);
  CHECK(first.erp_ref == "payment-pp-1.json");
  CHECK(folder.files("import") == std::vector<std::string>{"payment-pp-1.json"});  // no temporary left
  CHECK(folder.read("import/payment-pp-1.json") == payment("pp-1").body);

  // An unknown outcome resolved by look-up; a blind re-send rewrites the same file, never a second.
  auto found = connector->lookup(payment("pp-1"));
  REQUIRE(found);
  CHECK(*found == std::optional<std::string>("payment-pp-1.json"));
  CHECK(connector->push(payment("pp-1", "125.5")).status == PushStatus::kDelivered);
  CHECK(folder.files("import") == std::vector<std::string>{"payment-pp-1.json"});
  CHECK(folder.read("import/payment-pp-1.json") == payment("pp-1", "125.5").body);

  // The ERP imported it and moved it away: still found, and not written again.
  fs::create_directories(folder.path / "import/done");
  fs::rename(folder.path / "import/payment-pp-1.json", folder.path / "import/done/payment-pp-1.json");
  CHECK(*connector->lookup(payment("pp-1")) == std::optional<std::string>("payment-pp-1.json"));
  PushResult again = connector->push(payment("pp-1"));
  CHECK(again.status == PushStatus::kDelivered);
  CHECK(again.message == "already imported by the ERP");
  CHECK(folder.files("import") == std::vector<std::string>{"done"});
}

TEST_CASE("dropdir push: keys become distinct safe file names") {
  CHECK(DropOutgoing::file_name("payment", "a/b c", "xml") == "payment-a%2Fb%20c.xml");
  CHECK(DropOutgoing::file_name("payment", "a%2Fb c", "xml") == "payment-a%252Fb%20c.xml");
  CHECK(DropOutgoing::file_name("profile_change", "../x", "json") == "profile_change-..%2Fx.json");
}

TEST_CASE("dropdir push: what cannot be written as a file is refused, what cannot be written now retried") {
  Folder folder;
  CHECK(make(folder, false)->push(payment("pp-2")).status == PushStatus::kReject);
  auto connector = make(folder);
  PushRequest statement = payment("pp-3");
  statement.statements.push_back({"INSERT INTO t VALUES (?)", {"1"}, "payments.yaml:3:5"});
  PushResult refused = connector->push(statement);
  CHECK(refused.status == PushStatus::kReject);
  CHECK(refused.message.find("JSON or XML body") != std::string::npos);

  // The import folder is replaced by a file (a broken mount): nothing lands, try again later.
  fs::remove_all(folder.path / "import");
  std::ofstream(folder.path / "import") << "not a folder";
  PushResult blocked = connector->push(payment("pp-4"));
  INFO(blocked.message);
  CHECK(blocked.status == PushStatus::kRetry);
  CHECK(blocked.message.find("import") != std::string::npos);
}
