// arsync SDK — the connector API (DESIGN §6): how arsync talks to one ERP. A connector is a
// ConnectorSpec — a type name, a one-line description, a declarative schema of its options
// and its streams' options, and a factory — and the Connector objects the factory makes.
// Built-in connectors and plugins (plugin.hpp) implement the same interface; this header and
// the ones it includes are the whole public API, all inline: a plugin links no arsync code
// and gets everything of the host's (clock, HTTP client) through its ConnectorContext.
//
// The engine hands a connector a stream and the committed cursor and takes records back; a
// connector never opens the mirror.
//
// Threading: pull() and push() are called by one thread at a time (the stream's reader). They
// may block (network, database); they return promptly when the context's stop token fires.
// committed() is called by the mirror's writer thread, possibly while pull() runs.
//
// Errors: no exception crosses this interface. Failures are values, classified at the
// connector (kTransient: worth retrying later; kPermanent: the ERP refused for good;
// kInvalidInput: our configuration or the ERP's data is wrong) so the engine decides what to do.
#pragma once

#include <arsync/clock.hpp>
#include <arsync/http.hpp>
#include <arsync/record.hpp>
#include <arsync/result.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace arsync {

struct PullRequest {
  std::string stream;      // the stream's configured name ("invoices")
  std::string cursor;      // the committed cursor; "" before the stream's first page
  std::string page_token;  // "" for a run's first page, else the previous Page::next_page_token
  // Non-empty: a targeted read of these records only (a thin webhook's ids), at most
  // max_ids_per_pull() of them; `cursor` is then ignored, and the page's cursor must be
  // `cursor` unchanged: a targeted read moves the stream's delta cursor neither way.
  std::vector<std::string> ids;
};

struct Page {
  std::vector<Record> records;
  // The stream's cursor once this page is committed. Committed in the same transaction as the
  // page's rows, so it must never be ahead of a record that this run has not yet returned.
  std::string cursor;
  std::string next_page_token;  // "" when this run has read everything there is
  // True: the next page continues this one's transaction (one source file read in parts): the
  // engine commits nothing, cursor included, until a page with continues == false, and a
  // failure or crash before then leaves nothing of any of them. Needs a next_page_token.
  bool continues = false;
};

// What happened to one pushed item (fluent-bit's OK / RETRY / ERROR).
enum class PushStatus {
  kDelivered,  // the ERP has it; erp_ref says under which id
  kRetry,      // not delivered; safe to send again later (refused before processing: 429, 503, 408)
  kReject,     // the ERP refused it for good (validation); an operator must look
  kUnknown,    // the request may have reached the ERP but no answer came back (timeout, reset
               // after sending, 500/502/504): the outbox looks the key up before any re-send
};

inline const char* to_string(PushStatus status) {
  switch (status) {
    case PushStatus::kDelivered: return "delivered";
    case PushStatus::kRetry: return "retry";
    case PushStatus::kReject: return "reject";
    case PushStatus::kUnknown: return "unknown";
  }
  return "?";
}

// One SQL statement of a push (ODBC): `?` placeholders and one parameter per placeholder, in
// order (nullopt = NULL). Values never appear in `sql`.
struct SqlStatement {
  std::string sql;
  std::vector<std::optional<std::string>> params;
  std::string where;  // the mapping's file:line:col it came from, for error messages
};

struct PushRequest {
  std::string kind;             // "payment", "credit_request", "profile_change", ...
  std::string idempotency_key;  // stable across retries of the same item
  std::string body;             // json/xml: the ERP request produced by the mapping's push section
  std::string stream;           // the stream whose mapping rendered it (where it is sent)
  std::string content_type;     // json/xml bodies; "" = the connector's usual one
  // ODBC: the statements that write the item, run in order in one transaction (a payment's row,
  // then one statement per application).
  std::vector<SqlStatement> statements;
  // The ERP id of the record the item changes rather than creates (a profile change's
  // customer), for the connector's address of it (json-http push_path {erp_id}); "" otherwise.
  std::string erp_id;
};

struct PushResult {
  PushStatus status = PushStatus::kRetry;
  std::string erp_ref;                                   // the ERP's id for the item, when delivered
  std::string message;                                   // the ERP's words, for operators
  std::optional<std::chrono::milliseconds> retry_after;  // the ERP's own hint (429 Retry-After)
};

// Something a connector set aside for an operator on the ERP side of the sync (dropdir: a file
// it moved to failed/, with the reason from the .error file beside it).
struct Quarantined {
  std::string stream;  // the stream it was read for; "" when that cannot be told
  std::string item;    // what to look at: "/srv/erp-export/failed/INVOIC_0042.xml"
  std::string reason;  // why it was set aside, as the connector recorded it
  std::string since;   // ISO 8601 UTC
};

class Connector {
 public:
  virtual ~Connector() = default;

  // Reads the page after request.cursor / request.page_token. Transient failures are retried
  // inside the connector's own policy first; what persists comes back as an Error.
  virtual Result<Page> pull(const PullRequest& request) = 0;

  // How many ids one targeted pull of `stream` may name; 0 (the default) when the connector
  // cannot read records by id, and the engine pulls the stream's delta instead.
  virtual std::size_t max_ids_per_pull(const std::string& stream) const {
    (void)stream;
    return 0;
  }

  // Sends one outbox item. Connectors that cannot write say so with kReject.
  virtual PushResult push(const PushRequest& request) {
    return {PushStatus::kReject,
            "",
            "this connector cannot write to its ERP (item kind " + request.kind + ")",
            {}};
  }

  // Whether the ERP already has the item `request` would create, found by its idempotency key
  // (or a natural key, for ERPs without idempotency support): its erp_ref if so, nullopt if it
  // certainly does not. An Error when the ERP cannot tell (unreachable) or the connector cannot
  // look items up: the item then stays `unknown` and is never re-sent blindly.
  virtual Result<std::optional<std::string>> lookup(const PushRequest& request) {
    return fail(ErrorKind::kPermanent, "this connector cannot look up pushed items (item " +
                                           request.idempotency_key +
                                           "): resolve it with `arsync outbox retry` or `arsync outbox cancel`");
  }

  // The page whose cursor is `cursor` is now committed to the mirror (with its rows), the
  // acknowledgement a source needs when reading must be followed by an action on the ERP side
  // (dropdir moves the file to processed/). Called on the writer thread after each committed
  // page, in page order; it may run while pull() reads ahead. A crash can fall between the
  // commit and this call: the next run sees the committed cursor and must finish the action
  // then. Default: nothing.
  virtual void committed(const std::string& cursor) { (void)cursor; }

  // What this connector has set aside and an operator has not cleared yet (dropdir: the files
  // in failed/). `arsync status` lists them; /metrics counts them after each run
  // (arsync_quarantined_items). May read the disk; called after a run by the thread that ran
  // it, and by commands. Default: nothing.
  virtual std::vector<Quarantined> quarantined() const { return {}; }
};

enum class OptionType {
  kString,
  kInteger,
  kBool,
  kDuration,  // "500ms", "30s", "5m", "1h"
  kSecret,    // a string that is never logged or echoed back
  kUrl,
};

struct OptionSpec {
  std::string_view key;
  OptionType type;
  std::string_view default_value;  // "" with required = false: no default
  bool required = false;
  std::string_view description;
};

// One option as written in the config, after ${ENV} and file references were resolved.
struct OptionValue {
  std::string text;
  std::string where;  // "arsync.yaml:12:5"
};
using OptionValues = std::map<std::string, OptionValue, std::less<>>;

struct StreamConfig {
  std::string name;
  OptionValues options;  // the connector's stream options (engine keys like `mapping` removed)
  std::string where;
};

struct ConnectorConfig {
  std::string name;  // the instance name, also the `source` of its rows in the mirror
  std::string type;  // the spec's type: "json-http"
  OptionValues options;
  std::vector<StreamConfig> streams;
  std::string where;
};

// What a connector gets from its host: the environment, injected (tests swap in fakes).
struct ConnectorContext {
  Clock* clock = &system_clock();
  // Creates the HTTP client a connector sends through; tests inject fakes or fault injectors.
  std::unique_ptr<HttpTransport> (*make_transport)(HttpTransportOptions) = &make_http_transport;
  std::stop_token stop;
};

struct ConnectorSpec {
  std::string_view type;
  std::string_view description;
  std::span<const OptionSpec> options;
  std::span<const OptionSpec> stream_options;
  // Builds a connector from a config already checked against the two option schemas.
  Result<std::unique_ptr<Connector>> (*create)(const ConnectorConfig& config,
                                               const ConnectorContext& context);
};

}  // namespace arsync
