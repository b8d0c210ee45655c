// Config: arsync.yaml parsed once into typed values (DESIGN §7).
//
//   mirror: /var/lib/arsync/mirror.db      # relative paths are relative to this file
//   plugin_dirs: [/usr/lib/arsync/plugins] # connector plugins (*.so) loaded before connectors are checked
//   connectors:
//     - name: demo                         # the `source` of its rows in the mirror
//       type: json-http                    # a ConnectorSpec type; its options follow inline
//       base_url: ${ERP_URL}/odata
//       token: ${credential:erp-token}     # $CREDENTIALS_DIRECTORY/erp-token (systemd LoadCredential=)
//       webhook:                           # optional: how this ERP's notifications are verified
//         scheme: qbo                      # a WebhookSchemeSpec name; its options follow
//         verifier_token: ${credential:qbo-verifier}
//       streams:                           # synced in this order (customers before invoices)
//         - name: invoices
//           mapping: mappings/invoices.yaml
//           poll: 60s                      # `arsync run` pulls this often (plus up to 10% jitter)
//           webhook_entity: Invoice        # the ERP's entity name in webhook events (default: name)
//           reconcile: 24h                 # full key scan tombstoning what the ERP deleted (default off)
//           path: invoices                 # the connector's stream options follow inline
//   server:                                # `arsync run`'s HTTP server (webhooks, health, metrics)
//     listen: 127.0.0.1:8080
//     tls_cert: /etc/arsync/tls.crt        # both set: HTTPS only
//     tls_key: /etc/arsync/tls.key
//     max_body: 1048576
//     max_connections: 512
//     io_threads: 2                        # threads parsing requests and verifying webhooks
//   portal:                                # the portal API under /v1 (docs/portal-api.md)
//     read_threads: 2                      # read-only mirror connections answering GETs
//     tokens:
//       - name: portal-web                 # the principal its writes are recorded under
//         sha256: 3b1f...                  # `arsync token hash` < token; never the token itself
//         scopes: [read, write]
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
#include "daemon/api_tokens.hpp"
#include "connectors/retry_policy.hpp"
#include "daemon/http_server.hpp"
#include "schema/result.hpp"

namespace arsync {

struct StreamEntry {
  std::string name;
  std::filesystem::path mapping;  // absolute
  std::chrono::milliseconds poll{60'000};
  std::string webhook_entity;  // the ERP's entity name in webhook events; "" = the stream's name
  std::chrono::milliseconds reconcile{0};  // 0: never; else a reconcile pass this often (DESIGN §4)
  std::string where;
};

struct WebhookEntry {
  std::string scheme;  // "" = this connector takes no webhooks
  OptionValues options;
  std::string where;
};

struct ConnectorEntry {
  ConnectorConfig config;  // what the connector's factory gets (every stream, pulled or not)
  const ConnectorSpec* spec = nullptr;
  std::vector<StreamEntry> streams;  // pulled, in order; load_generation() moves push-only ones out
  // Streams whose mapping only pushes (disputes, messages): where those portal writes are sent.
  // Never pulled, scheduled or reconciled.
  std::vector<StreamEntry> push_streams;
  WebhookEntry webhook;
};

struct PortalOptions {
  std::vector<ApiToken> tokens;  // none: every /v1 request is answered 401
  int read_threads = 2;
};

// How the outbox worker delivers portal writes (daemon/outbox_worker.hpp):
//   outbox:
//     concurrency: 4        # items sent at once
//     batch: 16             # items one sender claims per transaction
//     retry_base: 1s        # first wait after a retryable failure (doubles, with jitter)
//     retry_max: 15m        # longest wait
struct OutboxSettings {
  int concurrency = 4;
  std::size_t batch = 16;
  // How often an idle daemon looks for items another process made due (`arsync outbox retry`);
  // its own new items and retries wake a sender exactly when they are due.
  std::chrono::milliseconds idle_poll{5'000};
  RetryPolicy retry{.max_attempts = 0, .base = std::chrono::seconds(1), .cap = std::chrono::minutes(15)};
};

struct Config {
  std::filesystem::path file;
  std::filesystem::path mirror;
  std::vector<std::filesystem::path> plugin_dirs;  // absolute; docs/plugins.md
  std::vector<ConnectorEntry> connectors;
  ServerOptions server;
  PortalOptions portal;
  OutboxSettings outbox;

  const ConnectorEntry* find_connector(std::string_view name) const;
};

// Reads and checks `file`: syntax, required keys, unknown keys, each connector's options
// against its spec. Mapping files are named here but loaded by the caller.
std::expected<Config, std::vector<Error>> load_config(const std::filesystem::path& file);

// The config file used when none is given: $ARSYNC_CONFIG, else /etc/arsync/arsync.yaml.
std::filesystem::path default_config_path();

}  // namespace arsync
