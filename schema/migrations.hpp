// The mirror's schema history: numbered SQL migrations (schema/migrations/NNN_name.sql),
// embedded into the binary at build time and applied in order, one transaction each.
#pragma once

#include <string_view>
#include <vector>

namespace arsync {

struct Migration {
  int version;             // NNN from the file name; strictly increasing
  std::string_view name;   // file name without .sql
  std::string_view sql;    // the whole file
};

// All migrations, ascending by version.
extern const std::vector<Migration> kMigrations;

}  // namespace arsync
