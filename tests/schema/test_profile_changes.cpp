// Profile changes in the mirror (schema/profile_changes.cpp): a field the customer's push mapping
// would not carry is refused on its changes[i].field, and nothing is stored; a cleared field
// ("to": null) is stored as null and queued as an empty value, so the ERP clears it too.
#include <doctest/doctest.h>

#include "schema/entity_json.hpp"
#include "schema/mirror_store.hpp"
#include "tests/result_text.hpp"
#include "tests/schema/ledger_fixture.hpp"

using namespace arsync;
using namespace arsync::test;

namespace {

ProfileChangeWrite change(Ledger& l, std::vector<ProfileChangeWrite::Change> changes) {
  return {"pfc_1", l.id("customers", "C1"), std::move(changes)};
}

PortalWriteResult write(Ledger& l, const ApiWrite& a, const ProfileChangeWrite& c) {
  auto result = l.store->write_profile_change(a, c);
  REQUIRE_MESSAGE(result.has_value(), why(result));
  return *result;
}

}  // namespace

TEST_CASE("a profile change of a field the ERP's push mapping does not carry is refused, naming the field") {
  Ledger l;
  ApiWrite a = api("k1");
  a.cannot_carry.push_back({"demo", "billing_line2", "its push mapping (customers.yaml) sends no value for it"});
  const auto refused = write(l, a, change(l, {{"phone", std::nullopt, "+1 555 0100"}, {"billing_line2", std::nullopt, "Suite 4"}}));
  REQUIRE(refused.kind == PortalWriteResult::Kind::kInvalid);
  REQUIRE(refused.errors.size() == 1);
  CHECK(refused.errors[0].field == "changes[1].field");
  CHECK(refused.errors[0].message ==
        "'billing_line2' cannot be changed for this customer: its ERP ('demo') would not receive it: its push mapping "
        "(customers.yaml) sends no value for it");
  CHECK(l.number("SELECT count(*) FROM profile_changes") == 0);
  CHECK(l.number("SELECT count(*) FROM outbox") == 0);

  // A limit of another connector does not concern this customer's ERP.
  ApiWrite other = api("k2");
  other.cannot_carry.push_back({"elsewhere", "billing_line2", "not there"});
  CHECK(write(l, other, change(l, {{"billing_line2", std::nullopt, "Suite 4"}})).kind == PortalWriteResult::Kind::kCreated);
}

TEST_CASE("a cleared profile field is stored as null and pushed as an empty value") {
  Ledger l;
  const auto created =
      write(l, api("k1"), change(l, {{"phone", std::string("+1 555 0100"), std::nullopt}, {"billing_city", std::nullopt, "Springfield"}}));
  REQUIRE(created.kind == PortalWriteResult::Kind::kCreated);
  CHECK(l.text("SELECT changes FROM profile_changes") ==
        R"({"billing_city":{"from":null,"to":"Springfield"},"phone":{"from":"+1 555 0100","to":null}})");
  auto pushed = entity_from_json(*find_entity("customer"), l.text("SELECT payload FROM outbox"));
  REQUIRE_MESSAGE(pushed.has_value(), why(pushed));
  CHECK(std::get<std::string>(pushed->get("phone")) == "");
  CHECK(std::get<std::string>(pushed->get("billing_city")) == "Springfield");
  CHECK(std::holds_alternative<std::monostate>(pushed->get("billing_email")));  // not changed: not sent
  CHECK(std::get<std::string>(pushed->get("erp_id")) == "C1");
}
