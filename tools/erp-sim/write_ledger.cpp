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

const KeyEntry* WriteLedger::find_key(std::string_view key) const {
  const auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

void WriteLedger::remember_key(std::string_view key, const KeyEntry& entry) { keys_.try_emplace(key, entry); }

WrittenPayment& WriteLedger::add_payment(WrittenPayment payment) {
  return payments_.emplace_back(std::move(payment));
}

PortalRecord& WriteLedger::add_record(PortalRecord record) {
  return records_[static_cast<int>(record.kind)].emplace_back(std::move(record));
}

const CustomerPatch* WriteLedger::patch(int64_t customer_id) const {
  if (patches_.empty()) return nullptr;
  const auto it = patches_.find(customer_id);
  return it == patches_.end() ? nullptr : &it->second;
}

const WriteLedger::Update& WriteLedger::add_update(Update update) { return updates_.emplace_back(std::move(update)); }

std::optional<int64_t> WriteLedger::find_ref(WriteTarget target, std::string_view ref) const {
  const auto& refs = refs_[static_cast<int>(target)];
  const auto it = refs.find(ref);
  return it == refs.end() ? std::nullopt : std::optional<int64_t>(it->second.first_id);
}

void WriteLedger::count_created(WriteTarget target, std::string_view ref, int64_t id) {
  WriteCounters& counters = counters_[static_cast<int>(target)];
  ++counters.created;
  if (ref.empty()) return;
  RefEntry& entry = refs_[static_cast<int>(target)].try_emplace(ref, RefEntry{id, 0}).first->second;
  const int64_t seen = ++entry.creations;
  if (seen < 2) return;
  ++counters.duplicate_creations;
  if (seen == 2) counters.duplicate_refs.push_back(ref);
}

}  // namespace arsync::sim
