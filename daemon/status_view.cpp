#include "daemon/status_view.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>
#include <string>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/text_table.hpp"

namespace arsync {
namespace {

nlohmann::json to_json(const StatusReport& status, const Config& config,
                       const std::vector<QuarantinedItem>& quarantined) {
  nlohmann::json out;
  out["mirror"] = config.mirror.string();
  out["schema_version"] = status.schema_version;
  out["open_rejects"] = status.open_rejects;
  for (const auto& table : status.tables) out["tables"][table.table] = table.rows;
  out["cursors"] = nlohmann::json::array();
  for (const CursorRow& c : status.cursors)
    out["cursors"].push_back(
        {{"connector", c.source}, {"stream", c.stream}, {"cursor", c.cursor}, {"updated_at", c.updated_at}});
  out["runs"] = nlohmann::json::array();
  for (const RunSummary& r : status.last_runs)
    out["runs"].push_back({{"id", r.id},
                           {"connector", r.source},
                           {"stream", r.stream},
                           {"started_at", r.started_at},
                           {"finished_at", r.finished_at},
                           {"outcome", to_string(r.outcome)},
                           {"pages", r.pages},
                           {"inserted", r.inserted},
                           {"updated", r.updated},
                           {"unchanged", r.unchanged},
                           {"rejected", r.rejected},
                           {"error", r.error}});
  out["quarantined"] = nlohmann::json::array();
  for (const QuarantinedItem& q : quarantined)
    out["quarantined"].push_back({{"connector", q.connector},
                                  {"stream", q.item.stream},
                                  {"item", q.item.item},
                                  {"reason", q.item.reason},
                                  {"since", q.item.since}});
  return out;
}

TextTable runs_table(const StatusReport& status) {
  TextTable table({{"connector"}, {"stream"}, {"cursor"}, {"last run"}, {"outcome"}, {"inserted", true},
                   {"updated", true}, {"rejected", true}});
  for (const RunSummary& r : status.last_runs) {
    std::string cursor;
    for (const CursorRow& c : status.cursors)
      if (c.source == r.source && c.stream == r.stream) cursor = c.cursor;
    table.add({r.source, r.stream, cursor.empty() ? "(none)" : cursor, r.started_at, to_string(r.outcome),
               std::to_string(r.inserted), std::to_string(r.updated), std::to_string(r.rejected)});
  }
  return table;
}

void print_table(const StatusReport& status, const Config& config, const std::vector<QuarantinedItem>& quarantined) {
  std::printf("mirror %s (schema version %lld)\n\n", config.mirror.string().c_str(),
              static_cast<long long>(status.schema_version));
  const TextTable runs = runs_table(status);
  std::printf("%s\n", runs.header().c_str());
  for (std::size_t k = 0; k < runs.rows(); ++k) {
    std::printf("%s\n", runs.line(k).c_str());
    const std::string& error = status.last_runs[k].error;
    if (!error.empty()) std::printf("    error: %s\n", error.c_str());
  }
  std::printf("\nrows:");
  for (const auto& table : status.tables)
    std::printf(" %s %lld", table.table.c_str(), static_cast<long long>(table.rows));
  std::printf("\nopen rejects: %lld\n", static_cast<long long>(status.open_rejects));
  if (quarantined.empty()) return;
  std::printf("\nset aside for an operator: %zu (fix and drop again, or remove)\n", quarantined.size());
  for (const QuarantinedItem& q : quarantined)
    std::printf("  %s %s %s\n    %s\n", q.connector.c_str(), q.item.since.c_str(), q.item.item.c_str(),
                q.item.reason.empty() ? "(no reason recorded)" : q.item.reason.c_str());
}

}  // namespace

void print_status(const StatusReport& status, const Config& config, const std::vector<QuarantinedItem>& quarantined,
                  bool json) {
  if (json) {
    std::cout << to_json(status, config, quarantined).dump(2) << '\n';
  } else {
    print_table(status, config, quarantined);
  }
}

std::vector<QuarantinedItem> quarantined_items(const Config& config) {
  std::vector<QuarantinedItem> out;
  for (const ConnectorEntry& entry : config.connectors) {
    auto connector = entry.spec->create(entry.config, ConnectorContext{});
    if (!connector) continue;
    for (Quarantined& q : (*connector)->quarantined()) out.push_back({entry.config.name, std::move(q)});
  }
  return out;
}

}  // namespace arsync
