// How `arsync status` shows the mirror's state: a table for people, or JSON for scripts.
#pragma once

#include "daemon/config.hpp"
#include "schema/mirror_store.hpp"

namespace arsync {

void print_status(const StatusReport& status, const Config& config, bool json);

}  // namespace arsync
