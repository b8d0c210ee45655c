// Config: arsync.yaml parsed once into typed values (DESIGN §7).
//
//   mirror: /var/lib/arsync/mirror.db      # relative paths are relative to this file
//   connectors:
//     - name: demo                         # the `source` of its rows in the mirror
//       type: json-http                    # a ConnectorSpec type; its options follow inline
//       base_url: ${ERP_URL}/odata
//       token: ${credential:erp-token}     # $CREDENTIALS_DIRECTORY/erp-token (systemd LoadCredential=)
//       streams:                           # synced in this order (customers before invoices)
//         - name: invoices
//           mapping: mappings/invoices.yaml
//           path: invoices                 # the connector's stream options follow inline
//
// Values may reference ${ENV}, ${ENV:-default}, ${file:/path} and ${credential:name}; the
// resolved text of a secret option is never logged. Every problem is reported with its
// file:line:col, all of them at once. Plain value; no thread contract.
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "connectors/connector_spec.hpp"
#include "schema/result.hpp"

namespace arsync {

struct StreamEntry {
  std::string name;
  std::filesystem::path mapping;  // absolute
  std::string where;
};

struct ConnectorEntry {
  ConnectorConfig config;  // what the connector's factory gets
  const ConnectorSpec* spec = nullptr;
  std::vector<StreamEntry> streams;
};

struct Config {
  std::filesystem::path file;
  std::filesystem::path mirror;
  std::vector<ConnectorEntry> connectors;

  const ConnectorEntry* find_connector(std::string_view name) const;
};

// Reads and checks `file`: syntax, required keys, unknown keys, each connector's options
// against its spec. Mapping files are named here but loaded by the caller.
std::expected<Config, std::vector<Error>> load_config(const std::filesystem::path& file);

// The config file used when none is given: $ARSYNC_CONFIG, else /etc/arsync/arsync.yaml.
std::filesystem::path default_config_path();

}  // namespace arsync
