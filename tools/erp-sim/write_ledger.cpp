// write_ledger: see write_ledger.hpp.
#include "tools/erp-sim/write_ledger.hpp"

namespace arsync::sim {
namespace {
constexpr std::string_view kTargetNames[kWriteTargetCount] = {"payments", "disputes",       "promisesToPay",
                                                              "messages", "creditRequests", "customers"};
}  // namespace

std::string_view write_target_name(WriteTarget target) { return kTargetNames[static_cast<int>(target)]; }

WriteTarget portal_target(PortalKind kind) {
  switch (kind) {
    case PortalKind::kDispute:
      return WriteTarget::kDisputes;
    case PortalKind::kPromiseToPay:
      return WriteTarget::kPromisesToPay;
    case PortalKind::kMessage:
      return WriteTarget::kMessages;
    case PortalKind::kCreditRequest:
      return WriteTarget::kCreditRequests;
  }
  return WriteTarget::kDisputes;
}

std::optional<PortalKind> portal_kind_from_name(std::string_view name) {
  for (int k = 0; k < kPortalKindCount; ++k)
    if (write_target_name(portal_target(static_cast<PortalKind>(k))) == name) return static_cast<PortalKind>(k);
  return std::nullopt;
}

// Positions are per target: payments_, records_[kind] or updates_.
std::string_view WriteLedger::text_at(uint64_t slot, Field field) const {
  const auto target = static_cast<WriteTarget>(slot & 7);
  const size_t position = (slot >> 3) - 1;
  if (target == WriteTarget::kPayments) {
    const WrittenPayment& p = payments_[position];
    return field == Field::kKey ? p.idempotency_key : p.portal_ref;
  }
  if (target == WriteTarget::kCustomers) {
    const CustomerUpdateRecord& u = updates_[position];
    return field == Field::kKey ? u.idempotency_key : u.portal_ref;
  }
  for (int k = 0; k < kPortalKindCount; ++k) {
    if (portal_target(static_cast<PortalKind>(k)) != target) continue;
    const PortalRecord& r = records_[k][position];
    return field == Field::kKey ? r.idempotency_key : r.portal_ref;
  }
  return {};
}

KeyEntry WriteLedger::entry_at(uint64_t slot) const {
  const auto target = static_cast<WriteTarget>(slot & 7);
  const size_t position = (slot >> 3) - 1;
  if (target == WriteTarget::kPayments)
    return KeyEntry{target, payments_[position].id, payments_[position].request_hash};
  if (target == WriteTarget::kCustomers) {
    const CustomerUpdateRecord& u = updates_[position];
    return KeyEntry{target, u.customer_id, u.request_hash, static_cast<int64_t>(position)};
  }
  for (int k = 0; k < kPortalKindCount; ++k)
    if (portal_target(static_cast<PortalKind>(k)) == target)
      return KeyEntry{target, records_[k][position].id, records_[k][position].request_hash};
  return KeyEntry{};
}

// Keys are one namespace for all targets; portalRefs are per target.
uint64_t WriteLedger::hash_of(std::string_view text, Field field, WriteTarget target) const {
  const uint64_t h = std::hash<std::string_view>{}(text);
  return field == Field::kKey ? h : h ^ (0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(target) + 1));
}

size_t WriteLedger::probe(const StringIndex& index, std::string_view text, Field field, WriteTarget target) const {
  const size_t mask = index.slots.size() - 1;
  for (size_t i = hash_of(text, field, target) & mask;; i = (i + 1) & mask) {
    const uint64_t slot = index.slots[i];
    if (slot == 0) return i;
    if ((field == Field::kKey || static_cast<WriteTarget>(slot & 7) == target) && text_at(slot, field) == text)
      return i;
  }
}

// Keeps the table at most half full (power-of-two size), so probes stay short.
void WriteLedger::insert(StringIndex& index, uint64_t slot, Field field) {
  if (2 * (index.used + 1) > index.slots.size()) {
    std::vector<uint64_t> old = std::move(index.slots);
    index.slots.assign(std::max<size_t>(64, old.size() * 2), 0);
    for (const uint64_t moved : old)
      if (moved != 0)
        index.slots[probe(index, text_at(moved, field), field, static_cast<WriteTarget>(moved & 7))] = moved;
  }
  const auto target = static_cast<WriteTarget>(slot & 7);
  index.slots[probe(index, text_at(slot, field), field, target)] = slot;
  ++index.used;
}

std::optional<KeyEntry> WriteLedger::find_key(std::string_view key) const {
  if (keys_.slots.empty()) return std::nullopt;
  const uint64_t slot = keys_.slots[probe(keys_, key, Field::kKey, WriteTarget::kPayments)];
  return slot == 0 ? std::nullopt : std::optional<KeyEntry>(entry_at(slot));
}

std::optional<KeyEntry> WriteLedger::find_ref(WriteTarget target, std::string_view ref) const {
  if (refs_.slots.empty()) return std::nullopt;
  const uint64_t slot = refs_.slots[probe(refs_, ref, Field::kRef, target)];
  return slot == 0 ? std::nullopt : std::optional<KeyEntry>(entry_at(slot));
}

const WrittenPayment& WriteLedger::add_payment(WrittenPayment payment) {
  payments_.push_back(std::move(payment));
  record_created(WriteTarget::kPayments, payments_.size() - 1);
  return payments_.back();
}

const PortalRecord& WriteLedger::add_record(PortalRecord record) {
  auto& store = records_[static_cast<int>(record.kind)];
  const WriteTarget target = portal_target(record.kind);
  store.push_back(std::move(record));
  record_created(target, store.size() - 1);
  return store.back();
}

const CustomerUpdateRecord& WriteLedger::add_update(CustomerUpdateRecord update) {
  updates_.push_back(std::move(update));
  record_created(WriteTarget::kCustomers, updates_.size() - 1);
  return updates_.back();
}

const CustomerPatch* WriteLedger::patch(int64_t customer_id) const {
  if (patches_.empty()) return nullptr;
  const auto it = patches_.find(customer_id);
  return it == patches_.end() ? nullptr : &it->second;
}

void WriteLedger::record_created(WriteTarget target, size_t position) {
  const uint64_t slot = (static_cast<uint64_t>(position + 1) << 3) | static_cast<uint64_t>(target);
  // With honor_idempotency off a key may come again: the first record keeps it.
  if (!find_key(text_at(slot, Field::kKey))) insert(keys_, slot, Field::kKey);
  WriteCounters& counters = counters_[static_cast<int>(target)];
  ++counters.created;
  const std::string_view ref = text_at(slot, Field::kRef);
  if (ref.empty()) return;
  if (!find_ref(target, ref)) {
    insert(refs_, slot, Field::kRef);
    return;
  }
  ++counters.duplicate_creations;
  if (listed_[static_cast<int>(target)].insert(ref).second) counters.duplicate_refs.push_back(ref);
}

}  // namespace arsync::sim
