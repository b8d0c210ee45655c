// write_ledger: what portal writes have left in the simulated ERP (API.md "Writes"): the
// written records themselves, the Idempotency-Key store, and the counters /admin/writes
// reports (created, replayed, rejected, portalRefs created more than once). A write costs its
// record plus two index slots; nothing is stored for generated records.
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
#include <unordered_set>
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
  uint64_t request_hash = 0;  // of the write that made it (tells a replay from a key reuse)
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
  uint64_t request_hash = 0;
  std::optional<int64_t> amount;
  Currency currency{};
  PortalKind kind{};
  std::vector<int64_t> invoice_ids;
  std::string reason_code, text, portal_ref, idempotency_key;
};

// A profile change as applied: its key, portalRef and answer (for replays).
struct CustomerUpdateRecord {
  int64_t customer_id = 0;
  uint64_t request_hash = 0;
  std::string idempotency_key, portal_ref, answer;
};

// The write an Idempotency-Key (or portalRef) names.
struct KeyEntry {
  WriteTarget target{};
  int64_t id = 0;             // the record created (customers: the customer updated)
  uint64_t request_hash = 0;  // of the canonical body and target, to tell a replay from a reuse
  int64_t update_index = -1;  // customers: the update in update()
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
  std::optional<KeyEntry> find_key(std::string_view key) const;
  // The first write in `target` with this portalRef.
  std::optional<KeyEntry> find_ref(WriteTarget target, std::string_view ref) const;

  const WrittenPayment& payment(int64_t index) const { return payments_[index]; }  // 0-based
  int64_t payment_count() const { return std::ssize(payments_); }
  const std::deque<PortalRecord>& records(PortalKind kind) const { return records_[static_cast<int>(kind)]; }
  const CustomerUpdateRecord& update(int64_t index) const { return updates_[index]; }
  const CustomerPatch* patch(int64_t customer_id) const;
  CustomerPatch& patch_for(int64_t customer_id) { return patches_[customer_id]; }

  // Store a new record, index its key (unless the key is known: honor_idempotency off) and
  // its portalRef, and count it (a portalRef created before in its target is a duplicate).
  const WrittenPayment& add_payment(WrittenPayment payment);
  const PortalRecord& add_record(PortalRecord record);
  const CustomerUpdateRecord& add_update(CustomerUpdateRecord update);

  void count_replayed(WriteTarget target) { ++counters_[static_cast<int>(target)].replayed; }
  void count_rejected(WriteTarget target) { ++counters_[static_cast<int>(target)].rejected; }
  const WriteCounters& counters(WriteTarget target) const { return counters_[static_cast<int>(target)]; }

 private:
  // An open-addressing index of strings held by the records themselves. A slot packs a
  // record's target (low 3 bits) and its position in that target's store (+1; 0 = empty):
  // 8 bytes per slot, under 32 per entry at the load kept, where a hash node holding a
  // string_view costs about 80. Lookups compare the record's own string, so they are exact.
  struct StringIndex {
    std::vector<uint64_t> slots;
    size_t used = 0;
  };
  enum class Field : uint8_t { kKey, kRef };

  std::string_view text_at(uint64_t slot, Field field) const;
  KeyEntry entry_at(uint64_t slot) const;
  uint64_t hash_of(std::string_view text, Field field, WriteTarget target) const;
  // The slot holding `text` (for kRef: in `target`), or the empty slot where it would go.
  size_t probe(const StringIndex& index, std::string_view text, Field field, WriteTarget target) const;
  void insert(StringIndex& index, uint64_t slot, Field field);
  void record_created(WriteTarget target, size_t position);

  StringIndex keys_;
  StringIndex refs_;
  std::deque<WrittenPayment> payments_;  // deques: records never move
  std::array<std::deque<PortalRecord>, kPortalKindCount> records_;
  std::deque<CustomerUpdateRecord> updates_;
  std::unordered_map<int64_t, CustomerPatch> patches_;
  std::array<WriteCounters, kWriteTargetCount> counters_;
  std::array<std::unordered_set<std::string_view>, kWriteTargetCount> listed_;  // duplicate_refs, as a set
};

}  // namespace arsync::sim
