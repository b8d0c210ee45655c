// Profile changes (declared in mirror_store.hpp; values in portal_write.hpp): a customer's
// change to their own billing email, phone and addresses. Each changed field is stored with
// the value the portal showed ("from") and the new one ("to", null for a field cleared); the
// outbox pushes the new values as a canonical customer, a cleared field as "". A field the
// customer's push mapping would not carry (ApiWrite::cannot_carry) is refused, not dropped. At push time profile_change_basis() reads the "from" values
// beside the mirror's current ones, so the worker can tell what the ERP changed meanwhile
// (DESIGN §4 Conflicts).
#include <nlohmann/json.hpp>

#include "schema/entity_json.hpp"
#include "schema/portal_write_tx.hpp"

namespace arsync {
namespace {

// The canonical fields a customer may change on the portal (DESIGN §1: billing email,
// addresses, phone); contacts are changed as their own requests. The basis query below reads
// the same columns in the same order.
constexpr std::string_view kProfileFields[] = {
    "billing_email",       "phone",           "billing_line1",  "billing_line2",  "billing_city",
    "billing_region",      "billing_postal_code", "billing_country", "shipping_line1", "shipping_line2",
    "shipping_city",       "shipping_region", "shipping_postal_code", "shipping_country"};

#define ARSYNC_PROFILE_COLUMNS                                                                       \
  "c.billing_email, c.phone, c.billing_line1, c.billing_line2, c.billing_city, c.billing_region, " \
  "c.billing_postal_code, c.billing_country, c.shipping_line1, c.shipping_line2, c.shipping_city, " \
  "c.shipping_region, c.shipping_postal_code, c.shipping_country"

bool profile_field(std::string_view name) {
  for (std::string_view f : kProfileFields)
    if (f == name) return true;
  return false;
}

// "" and null are the same to a person reading a profile: both are "no value".
std::optional<std::string> value_of(const nlohmann::json& v) {
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) return std::nullopt;
  return v.get<std::string>();
}

}  // namespace

Result<PortalWriteResult> MirrorStore::write_profile_change(const ApiWrite& api, const ProfileChangeWrite& change) {
  std::lock_guard lock(impl_->mutex);
  return PortalWriteTx::run(*impl_, api, "store a profile change", [&](PortalWriteTx& tx) -> Result<PortalWriteResult> {
    std::vector<FieldError> errors;
    auto customer = tx.customer(change.customer_id);
    if (!customer) return fail(customer.error());
    if (!*customer) errors.push_back({"customer_id", "no such customer: " + std::to_string(change.customer_id)});
    nlohmann::json changes = nlohmann::json::object();
    Entity pushed(find_entity("customer"));
    for (std::size_t i = 0; i < change.changes.size(); ++i) {
      const auto& c = change.changes[i];
      const std::string field = "changes[" + std::to_string(i) + "].field";
      if (!profile_field(c.field)) {
        errors.push_back({field, "'" + c.field + "' cannot be changed on the portal"});
        continue;
      }
      if (changes.contains(c.field)) errors.push_back({field, "'" + c.field + "' is changed twice"});
      if (*customer && tx.can_push((*customer)->source))
        if (const ApiWrite::CannotCarry* limit = tx.cannot_carry((*customer)->source, c.field))
          errors.push_back({field, "'" + c.field + "' cannot be changed for this customer: its ERP ('" + limit->target +
                                       "') would not receive it: " + limit->reason});
      changes[c.field] = {{"from", c.from ? nlohmann::json(*c.from) : nlohmann::json()},
                          {"to", c.to ? nlohmann::json(*c.to) : nlohmann::json()}};
      // A clear ("to": null) is pushed as an empty value: "" in JSON, an empty element in XML.
      pushed.set(c.field, c.to.value_or(std::string()));
    }
    if (!errors.empty()) return invalid_write(std::move(errors));
    const std::string changes_text = changes.dump();  // bound, not copied: must outlive the insert
    auto id = tx.insert(
        "INSERT INTO profile_changes (portal_id, customer_id, changes, created_by, created_at, updated_at, "
        "updated_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
        [&](Statement& st) {
          st.bind_text(1, change.portal_id);
          st.bind_int(2, change.customer_id);
          st.bind_text(3, changes_text);
          tx.bind_stamp(st, 4);
        },
        "cannot store the profile change");
    if (!id) return fail(id.error());
    std::int64_t outbox_id = 0;
    if (tx.can_push((*customer)->source)) {
      pushed.set("erp_id", (*customer)->erp_id);
      auto item = tx.enqueue("profile_change", change.portal_id, (*customer)->source, entity_json(pushed),
                             "profile_changes", *id);
      if (!item) return fail(item.error());
      outbox_id = *item;
    }
    return tx.commit(outbox_id);
  });
}

Result<std::vector<ProfileFieldBasis>> MirrorStore::profile_change_basis(std::int64_t outbox_id) {
  std::lock_guard lock(impl_->mutex);
  auto s = impl_->stmt("SELECT pc.changes, " ARSYNC_PROFILE_COLUMNS
                       " FROM outbox o JOIN profile_changes pc ON pc.id = o.object_id "
                       "JOIN customers c ON c.id = pc.customer_id "
                       "WHERE o.id = ?1 AND o.object_table = 'profile_changes'");
  if (!s) return fail(s.error());
  Statement& st = **s;
  StatementScope scope(st);
  st.bind_int(1, outbox_id);
  const int rc = st.step();
  if (rc != SQLITE_ROW) {
    if (rc != SQLITE_DONE) return fail(impl_->db.error(rc, "cannot read the profile change of an outbox item"));
    return fail(ErrorKind::kNotFound, "outbox item " + std::to_string(outbox_id) + " carries no profile change");
  }
  const auto changes = nlohmann::json::parse(st.column_text(0), nullptr, false);
  if (!changes.is_object())
    return fail(ErrorKind::kInvalidInput, "the profile change of outbox item " + std::to_string(outbox_id) +
                                              " is not a JSON object of changes");
  std::vector<ProfileFieldBasis> basis;
  for (std::size_t i = 0; i < std::size(kProfileFields); ++i) {
    const std::string field(kProfileFields[i]);
    if (!changes.contains(field)) continue;
    const nlohmann::json& change = changes[field];
    if (!change.is_object()) continue;
    ProfileFieldBasis b{field, value_of(change.value("from", nlohmann::json())),
                        value_of(change.value("to", nlohmann::json())), std::nullopt};
    const int column = static_cast<int>(i) + 1;
    if (!st.column_null(column) && !st.column_text(column).empty()) b.current = st.column_string(column);
    basis.push_back(std::move(b));
  }
  return basis;
}

}  // namespace arsync
