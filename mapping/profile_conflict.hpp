// Profile-change conflicts (DESIGN §4 Conflicts): a profile change carries the values the
// portal showed when the customer made it; when its outbox item is pushed, each changed field is
// compared with the mirror's current value (the ERP's, as last pulled). A field conflicts when
// the ERP changed it since: its current value is neither the one the change was based on nor
// the one it asks for (a field already at the new value is no conflict: that is the portal's own
// change coming back, e.g. after an unanswered push). The mapping's policy decides:
//   erp_wins     conflicting fields are dropped from the push; nothing left -> nothing is sent
//   portal_wins  everything is pushed, over the ERP's values
//   reject       nothing is sent; the item is parked failed for an operator
// Pure functions on plain values; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "mapping/push_template.hpp"
#include "schema/catalog.hpp"
#include "schema/portal_write.hpp"

namespace arsync {

struct ConflictDecision {
  enum class Action { kPush, kNothingToSend, kReject };
  Action action = Action::kPush;
  // For outbox.conflict and profile_changes.conflict: the policy and each conflicting field
  // with the value the change was based on and the ERP's now; "" when nothing conflicted.
  std::string conflict;
};

// Decides what to push of `customer` (the canonical customer the item carries: erp_id and the
// new values); under erp_wins the conflicting fields are cleared from it.
ConflictDecision resolve_profile_conflicts(ConflictPolicy policy, const std::vector<ProfileFieldBasis>& basis,
                                           Entity& customer);

}  // namespace arsync
