// How `arsync status` shows the mirror's state, and what connectors set aside for an operator
// (dropdir's failed files with their reasons): a table for people, or JSON for scripts.
#pragma once

#include "daemon/config.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

// What a connector set aside for an operator (Connector::quarantined()).
struct QuarantinedItem {
  std::string connector;
  Quarantined item;
};

void print_status(const StatusReport& status, const Config& config, const std::vector<QuarantinedItem>& quarantined,
                  bool json);

// Asks every configured connector what it set aside (dropdir: files in failed/). A connector
// that cannot be made from the config is skipped (`arsync check` reports why).
std::vector<QuarantinedItem> quarantined_items(const Config& config);

}  // namespace arsync
