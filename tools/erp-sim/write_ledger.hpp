// write_ledger: what portal writes have left in the simulated ERP (API.md "Writes"): the
// written records themselves, the Idempotency-Key store, and the counters /admin/writes
// reports (created, replayed, rejected, portalRefs created more than once). A write costs a
// few hundred bytes here; nothing is stored for generated records.
// Owned by Dataset, which guards it with its shared_mutex: read under the shared lock, change
// under the exclusive lock (so a key's check-and-create is atomic). Not thread-safe by itself.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/write_request.hpp"

namespace arsync::sim {

// Where a write lands: payments (a generated collection), the four portal-only collections,
// and customers (profile changes).
enum class WriteTarget : uint8_t { kPayments, kDisputes, kPromisesToPay, kMessages, kCreditRequests, kCustomers };
inline constexpr int kWriteTargetCount = 6;

std::string_view write_target_name(WriteTarget target);  // "promisesToPay"
WriteTarget portal_target(PortalKind kind);
// "disputes" -> kDispute; nullopt for any other name.
std::optional<PortalKind> portal_kind_from_name(std::string_view name);

struct WrittenApplication {
  int64_t invoice_id = 0;
  int64_t amount = 0;
};

struct WrittenPayment {
  int64_t id = 0;  // continues after the generated payment slots
  int64_t customer_id = 0;
  int64_t created_ms = 0;
  int64_t amount = 0;
  int64_t day = 0;
  Currency currency{};
  uint8_t method = 0;
  std::string reference, portal_ref, idempotency_key;
  std::vector<WrittenApplication> applications;
};

struct PortalRecord {
  int64_t id = 0;  // 1.. per collection
  int64_t customer_id = 0;
  int64_t created_ms = 0;
  int64_t day = 0;
  std::optional<int64_t> amount;
  Currency currency{};
  PortalKind kind{};
  std::vector<int64_t> invoice_ids;
  std::string reason_code, text, portal_ref, idempotency_key;
};

// The first write made with an Idempotency-Key.
struct KeyEntry {
  WriteTarget target{};
  int64_t id = 0;              // the record created (or the customer updated)
  uint64_t request_hash = 0;   // of the canonical body and target, to tell a replay from a reuse
  int64_t update_index = -1;   // customers: the stored answer in updates_
};

struct WriteCounters {
  int64_t created = 0;  // records created (customers: updates applied)
  int64_t replayed = 0;
  int64_t rejected = 0;
  int64_t duplicate_creations = 0;  // creations whose portalRef had been created before
  std::vector<std::string_view> duplicate_refs;  // each such portalRef once
};

class WriteLedger {
 public:
  const KeyEntry* find_key(std::string_view key) const;
  // Records `key` for a new write unless it is already known (honor_idempotency off).
  void remember_key(std::string_view key, const KeyEntry& entry);

  const WrittenPayment& payment(int64_t index) const { return payments_[index]; }  // 0-based
  int64_t payment_count() const { return std::ssize(payments_); }
  WrittenPayment& add_payment(WrittenPayment payment);

  const std::deque<PortalRecord>& records(PortalKind kind) const { return records_[static_cast<int>(kind)]; }
  PortalRecord& add_record(PortalRecord record);

  const CustomerPatch* patch(int64_t customer_id) const;
  CustomerPatch& patch_for(int64_t customer_id) { return patches_[customer_id]; }
  // A profile change as applied: its key and portalRef, and its answer for replays.
  struct Update {
    std::string key, portal_ref, answer;
  };
  const Update& add_update(Update update);
  int64_t update_count() const { return std::ssize(updates_); }
  const Update& update(int64_t index) const { return updates_[index]; }

  // Counts the creation of record `id`; a portalRef seen before in this target is a duplicate
  // (`ref` must live as long as the ledger: it points into one of its records).
  void count_created(WriteTarget target, std::string_view ref, int64_t id);
  // The first record created with this portalRef in `target`.
  std::optional<int64_t> find_ref(WriteTarget target, std::string_view ref) const;
  void count_replayed(WriteTarget target) { ++counters_[static_cast<int>(target)].replayed; }
  void count_rejected(WriteTarget target) { ++counters_[static_cast<int>(target)].rejected; }
  const WriteCounters& counters(WriteTarget target) const { return counters_[static_cast<int>(target)]; }

 private:
  // Views point into the records' own strings (deque elements never move).
  std::unordered_map<std::string_view, KeyEntry> keys_;
  std::deque<WrittenPayment> payments_;
  std::array<std::deque<PortalRecord>, kPortalKindCount> records_;
  std::unordered_map<int64_t, CustomerPatch> patches_;
  std::deque<Update> updates_;
  struct RefEntry {
    int64_t first_id = 0;
    int64_t creations = 0;
  };
  std::array<std::unordered_map<std::string_view, RefEntry>, kWriteTargetCount> refs_;
  std::array<WriteCounters, kWriteTargetCount> counters_;
};

}  // namespace arsync::sim
