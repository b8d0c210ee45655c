// Profile-change conflicts (DESIGN §4): each changed field against the mirror's current value,
// resolved by the customer mapping's push: conflict: policy, with the outcome in words.
#include <doctest/doctest.h>

#include "mapping/mapping.hpp"
#include "mapping/profile_conflict.hpp"

using namespace arsync;

namespace {

using S = std::string;
using Basis = std::vector<ProfileFieldBasis>;

// The canonical customer a profile change's item carries: erp_id and the new values.
Entity pushed(const Basis& basis) {
  Entity c(find_entity("customer"));
  c.set("erp_id", S("C-1"));
  for (const ProfileFieldBasis& b : basis)
    if (b.to) c.set(b.field, *b.to);
  return c;
}

bool has(const Entity& e, std::string_view field) { return !std::holds_alternative<std::monostate>(e.get(field)); }

// The ERP changed the e-mail (a -> clerk) after the portal showed it; nobody else touched the phone.
const Basis kEmailChanged = {{"billing_email", S("a@x.example"), S("new@x.example"), S("clerk@x.example")},
                             {"phone", S("1"), S("2"), S("1")}};

}  // namespace

TEST_CASE("a field conflicts only when the ERP's value is neither the one the change was based on nor its new one") {
  const Basis calm = {{"billing_email", S("a@x.example"), S("new@x.example"), S("a@x.example")},
                      {"phone", S("1"), S("2"), S("2")},             // already what the portal asks: its own change back
                      {"billing_city", std::nullopt, S("Ogdenville"), std::nullopt}};
  for (ConflictPolicy policy : {ConflictPolicy::kErpWins, ConflictPolicy::kPortalWins, ConflictPolicy::kReject}) {
    Entity c = pushed(calm);
    const ConflictDecision d = resolve_profile_conflicts(policy, calm, c);
    CHECK(d.action == ConflictDecision::Action::kPush);
    CHECK(d.conflict.empty());
    CHECK(has(c, "billing_email"));
  }
}

TEST_CASE("erp_wins drops the fields the ERP changed and pushes the rest; with nothing left, nothing is sent") {
  Entity c = pushed(kEmailChanged);
  ConflictDecision d = resolve_profile_conflicts(ConflictPolicy::kErpWins, kEmailChanged, c);
  CHECK(d.action == ConflictDecision::Action::kPush);
  CHECK(d.conflict ==
        "erp_wins: kept the ERP's value (billing_email was 'a@x.example' when the change was made, the ERP now has "
        "'clerk@x.example'); pushed the other fields");
  CHECK_FALSE(has(c, "billing_email"));
  CHECK(has(c, "phone"));

  const Basis only_email = {kEmailChanged[0]};
  Entity alone = pushed(only_email);
  d = resolve_profile_conflicts(ConflictPolicy::kErpWins, only_email, alone);
  CHECK(d.action == ConflictDecision::Action::kNothingToSend);
  CHECK(d.conflict.ends_with("; nothing left to send"));
}

TEST_CASE("portal_wins pushes everything over the ERP's change; reject sends nothing") {
  Entity c = pushed(kEmailChanged);
  ConflictDecision d = resolve_profile_conflicts(ConflictPolicy::kPortalWins, kEmailChanged, c);
  CHECK(d.action == ConflictDecision::Action::kPush);
  CHECK(d.conflict.starts_with("portal_wins: pushed over the ERP's change (billing_email was 'a@x.example'"));
  CHECK(has(c, "billing_email"));

  // A value the portal showed as empty, which the ERP has since filled.
  const Basis filled = {{"billing_city", std::nullopt, S("Ogdenville"), S("Springfield")}};
  Entity r = pushed(filled);
  d = resolve_profile_conflicts(ConflictPolicy::kReject, filled, r);
  CHECK(d.action == ConflictDecision::Action::kReject);
  CHECK(d.conflict ==
        "reject: the ERP changed the profile since (billing_city was empty when the change was made, the ERP now has "
        "'Springfield')");
}

TEST_CASE("push: conflict: is read from a customer mapping, erp_wins by default, and refused elsewhere") {
  const std::string customer = "entity: customer\nfields:\n  erp_id: id\n  name: n\npush:\n  body:\n    e: { field: billing_email }\n";
  auto plain = Mapping::parse(customer, "c.yaml");
  REQUIRE(plain);
  CHECK(plain->conflict_policy() == ConflictPolicy::kErpWins);
  auto reject = Mapping::parse(customer + "  conflict: reject\n", "c.yaml");
  REQUIRE(reject);
  CHECK(reject->conflict_policy() == ConflictPolicy::kReject);

  auto typo = Mapping::parse(customer + "  conflict: portal_win\n", "c.yaml");
  REQUIRE_FALSE(typo);
  CHECK(typo.error()[0].describe() ==
        "c.yaml:8:13: push: conflict: 'portal_win' is not one of erp_wins, portal_wins, reject (did you mean "
        "'portal_wins'?)");
  auto elsewhere = Mapping::parse("entity: message\npush:\n  conflict: reject\n  body:\n    b: { field: body }\n", "m.yaml");
  REQUIRE_FALSE(elsewhere);
  CHECK(elsewhere.error()[0].message.find("only to a customer mapping") != std::string::npos);
}
