// The outbox (DESIGN §4 Push): portal writes waiting to reach the ERP, as plain values. The
// MirrorStore methods that move items between states are declared in mirror_store.hpp.
//
// States and the crash argument behind them:
//   pending   --claim-->    in_flight   (committed BEFORE the request is sent)
//   in_flight --answer-->   done | pending (retry later) | failed (ERP refused) | unknown
//   unknown   --lookup-->   done (the ERP has it) | pending (it certainly does not)
// An item found in_flight when a daemon starts was being sent by a process that died: it may or
// may not be in the ERP, so it becomes `unknown` and is looked up before any re-send. That is
// what makes delivery exactly once across kill -9, even for ERPs that ignore idempotency keys.
// `cancelled` is an operator's decision (arsync outbox cancel). Plain values; no thread contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arsync {

enum class OutboxStatus { kPending, kInFlight, kDone, kFailed, kUnknown, kCancelled };
const char* to_string(OutboxStatus status);
std::optional<OutboxStatus> outbox_status_from(std::string_view text);

struct OutboxItem {
  std::int64_t id = 0;
  std::string idempotency_key;
  std::string kind;     // "payment", "dispute", "profile_change", ...
  std::string target;   // the connector it goes to
  std::string payload;  // the canonical entity as JSON (schema/entity_json.hpp)
  // For a claimed item: the state it was claimed from (kPending: send it; kUnknown: look it up
  // first). Otherwise the current state.
  OutboxStatus status = OutboxStatus::kPending;
  std::int64_t attempts = 0;
  std::string next_attempt_at;  // ISO 8601 UTC; empty = now
  std::string last_error;
  std::string erp_ref;
  std::string conflict;
  std::string created_at, updated_at;
};

// What the worker learned about one claimed item; recorded with finish_outbox().
struct OutboxOutcome {
  std::int64_t id = 0;
  OutboxStatus status = OutboxStatus::kPending;  // kDone, kPending (retry), kFailed or kUnknown
  std::string erp_ref;                           // kDone
  std::string error;                             // why it is not done (the ERP's words)
  std::string next_attempt_at;                   // kPending/kUnknown: not before this time
  // A profile change whose fields the ERP changed meanwhile: how the mapping's conflict policy
  // resolved it (erp_wins / portal_wins / reject, and which fields); "" when nothing conflicted.
  std::string conflict;
};

struct OutboxCounts {
  std::int64_t pending = 0, in_flight = 0, done = 0, failed = 0, unknown = 0, cancelled = 0;
};

}  // namespace arsync
