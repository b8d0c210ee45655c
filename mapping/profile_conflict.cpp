#include "mapping/profile_conflict.hpp"

namespace arsync {
namespace {

bool conflicts(const ProfileFieldBasis& b) { return b.current != b.from && b.current != b.to; }

std::string shown(const std::optional<std::string>& value) { return value ? "'" + *value + "'" : "empty"; }

}  // namespace

ConflictDecision resolve_profile_conflicts(ConflictPolicy policy, const std::vector<ProfileFieldBasis>& basis,
                                           Entity& customer) {
  ConflictDecision decision;
  std::string fields;
  bool left_to_send = false;
  for (const ProfileFieldBasis& b : basis) {
    if (!conflicts(b)) {
      left_to_send = true;  // a new value, or a clear (sent as an empty value)
      continue;
    }
    fields += (fields.empty() ? "" : "; ") + b.field + " was " + shown(b.from) + " when the change was made, the ERP now has " +
              shown(b.current);
    if (policy == ConflictPolicy::kErpWins && customer.spec->field_index(b.field) >= 0) customer.set(b.field, {});
  }
  if (fields.empty()) return decision;
  switch (policy) {
    case ConflictPolicy::kErpWins:
      decision.action = left_to_send ? ConflictDecision::Action::kPush : ConflictDecision::Action::kNothingToSend;
      decision.conflict = "erp_wins: kept the ERP's value (" + fields + ")" +
                          (left_to_send ? "; pushed the other fields" : "; nothing left to send");
      break;
    case ConflictPolicy::kPortalWins:
      decision.conflict = "portal_wins: pushed over the ERP's change (" + fields + ")";
      break;
    case ConflictPolicy::kReject:
      decision.action = ConflictDecision::Action::kReject;
      decision.conflict = "reject: the ERP changed the profile since (" + fields + ")";
      break;
  }
  return decision;
}

}  // namespace arsync
