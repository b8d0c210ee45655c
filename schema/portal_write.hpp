// Portal writes as plain values (DESIGN §1): what a customer asked for through the portal API,
// already parsed and shape-checked by the daemon, on its way into the mirror and the outbox.
// The MirrorStore methods that commit them are declared in mirror_store.hpp.
//
// Validation splits in two: the request's shape (types, enums, formats, positive amounts, a
// promise not in the past) is checked where it is parsed; everything that depends on the
// mirror (the invoice exists, belongs to the customer, is in the payment's currency, has the
// open balance applied to it) is checked by the store inside the write's own transaction, so
// two concurrent payments cannot both take the same open balance.
// Plain values; no thread contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace arsync {

// The API request a write answers: who sent it, under which Idempotency-Key, and the answer
// to keep for a retry of it.
struct ApiWrite {
  std::string principal;        // the API token's name
  std::string idempotency_key;  // the client's Idempotency-Key header
  std::string request_hash;     // sha256 hex of method, path and body: a reused key must match
  std::string answer;           // the JSON body of the 201 answer, kept for replays
  // The connectors that accept this kind of item (have a push mapping for it). An object whose
  // target is not among them is still kept in the mirror, without an outbox item.
  std::vector<std::string> push_targets;
  // What those targets' push mappings cannot carry (push: cannot_carry:): a write that needs
  // such a field for its target is answered 422 at once, not queued to fail in the outbox.
  struct CannotCarry {
    std::string target;  // the connector
    std::string field;   // canonical field of the pushed entity ("unapplied")
    std::string reason;  // the mapping's words
  };
  std::vector<CannotCarry> cannot_carry;
};

struct FieldError {
  std::string field;    // "applications[1].amount"
  std::string message;  // "exceeds the invoice's open balance of 100.00 USD"
};

struct PortalWriteResult {
  enum class Kind { kCreated, kReplayed, kInvalid, kKeyReused };
  Kind kind = Kind::kCreated;
  int status = 201;                // kReplayed: the status first answered
  std::string answer;              // kCreated: ApiWrite::answer; kReplayed: the stored answer
  std::vector<FieldError> errors;  // kInvalid
  std::int64_t outbox_id = 0;      // kCreated with an outbox item
};

struct PortalPaymentWrite {
  std::string portal_id;  // chosen by the API ("pay_…"); the outbox item's idempotency key too
  std::int64_t customer_id = 0;
  std::string method;     // card | ach | eft | paypal | check
  std::string reference;  // the processor's reference
  std::string payment_date;
  std::string currency;
  std::int64_t amount = 0;  // minor units, > 0
  struct Application {
    std::int64_t invoice_id = 0;
    std::int64_t amount = 0;  // minor units, > 0, in the payment's currency
  };
  std::vector<Application> applications;
};

struct DisputeWrite {
  std::string portal_id;
  std::int64_t invoice_id = 0;
  std::string reason_code;
  std::optional<std::int64_t> amount;  // minor units in the invoice's currency; none = whole invoice
  std::string currency;                // with amount
  std::string text;
};

struct PromiseWrite {
  std::string portal_id;
  std::int64_t customer_id = 0;
  std::string promised_date;  // not in the past (checked by the API)
  std::string currency;
  std::int64_t amount = 0;
  std::vector<std::int64_t> invoice_ids;
  std::string note;
};

struct MessageWrite {
  std::string portal_id;
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> invoice_id;
  std::string body;
};

struct CreditRequestWrite {
  std::string portal_id;
  std::int64_t customer_id = 0;
  std::optional<std::int64_t> invoice_id;
  std::string currency;
  std::int64_t amount = 0;
  std::string reason_code;
  std::string text;
};

// A change to the customer's own profile: for each field, the value the portal showed (what
// the change is based on) and the new one. Fields are canonical customer fields
// (billing_email, phone, billing_line1, ...).
struct ProfileChangeWrite {
  std::string portal_id;
  std::int64_t customer_id = 0;
  struct Change {
    std::string field;
    std::optional<std::string> from;
    std::optional<std::string> to;
  };
  std::vector<Change> changes;
};

// What one field of a profile change was based on, read when its outbox item is pushed: the
// value the portal showed (`from`), the new one (`to`), and the mirror's current value of the
// customer's field (the ERP's, as last pulled). Absent and "" are both nullopt.
struct ProfileFieldBasis {
  std::string field;
  std::optional<std::string> from, to, current;
};

}  // namespace arsync
