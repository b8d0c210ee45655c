// The canonical AR model as data: every ERP-mapped entity, its fields and their types.
//
// The catalog is the one description of the model that the mapping layer (which canonical
// fields exist, and of what type) and the mirror store (which columns to bind) both read, so
// a field is added in one place: here, plus a migration adding its column. A test checks the
// catalog against the migrated schema. Constant, process-wide, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "schema/money.hpp"

namespace arsync {

enum class FieldType : std::uint8_t {
  kText,
  kInteger,
  kBool,
  kMoney,      // stored as INTEGER minor units; the currency is the entity's `currency` field
  kDecimal,    // stored as canonical TEXT ("2.5"): quantities, unit prices
  kDate,       // TEXT "YYYY-MM-DD"
  kTimestamp,  // TEXT "YYYY-MM-DDTHH:MM:SS.sssZ", UTC, millisecond precision
  kRef,        // the ERP id of another entity of the same source; stored as that row's id
  kBytes,      // BLOB: any octets (a document's content), NUL and non-UTF-8 included
};

const char* to_string(FieldType type);

struct FieldSpec {
  std::string_view name;  // canonical name, also the column name (a kRef `customer` is column `customer_id`)
  FieldType type;
  bool required = false;
  std::string_view ref_entity = {};               // for kRef: the entity the id refers to
  std::span<const std::string_view> allowed = {};  // for enumerated kText fields (status)
  std::string_view description = {};              // one line, shown in `arsync check` and docs

  // Whether `value` may be stored here: one of `allowed`, or anything when the field lists none.
  bool allows(std::string_view value) const;
  // `allowed` as "open, paid, void", for the message that refuses a value.
  std::string allowed_text() const;
};

struct EntitySpec;

// A nested collection owned by its parent (invoice lines, payment applications): replaced as a
// whole whenever the parent changes.
struct ChildSpec {
  std::string_view name;  // "lines", "applications", "contacts"
  const EntitySpec* entity;
};

struct EntitySpec {
  std::string_view name;   // canonical entity name used in mappings: "invoice"
  std::string_view table;  // mirror table: "invoices"
  std::span<const FieldSpec> fields;
  std::span<const ChildSpec> children;
  bool top_level = true;  // false for children, which have no (source, erp_id) of their own
  // What customers create on the portal and only ever send to the ERP (a dispute, a message):
  // a push mapping addresses its fields, the mirror keeps it in its portal table (`table`),
  // never upserts it from a pull. Not in all_entities(); find_entity() knows it.
  bool push_only = false;

  // Index of `field` in `fields`, or -1.
  int field_index(std::string_view field) const;
  int child_index(std::string_view child) const;
};

// All entity specs the mirror syncs from ERPs, top-level ones first in dependency order
// (customers before invoices).
std::span<const EntitySpec* const> all_entities();
// The push-only entities (dispute, promise_to_pay, message, credit_request) and their children.
std::span<const EntitySpec* const> push_only_entities();
// The spec named `name` ("invoice", "invoice_line", "dispute"), or nullptr.
const EntitySpec* find_entity(std::string_view name);

// The value of a kBytes field: octets, not text. A distinct type (not std::string) so that no
// text path (JSON string, SQLite TEXT, push template) takes it by accident.
struct Bytes {
  std::string data;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

// A canonical field value. Absent fields are monostate.
using Value = std::variant<std::monostate, bool, std::int64_t, std::string, Money, Decimal, Bytes>;

// Whether `value` holds the alternative that fields of `type` take: text, dates, timestamps and
// references are strings; money is Money; decimals are Decimal; bytes are Bytes. Absent (monostate) never fits.
bool value_fits(FieldType type, const Value& value);

// One canonical record, produced by a mapping and consumed by the mirror store.
struct Entity {
  const EntitySpec* spec = nullptr;
  std::vector<Value> values;                  // parallel to spec->fields
  std::vector<std::vector<Entity>> children;  // parallel to spec->children

  explicit Entity(const EntitySpec* s = nullptr);

  // Value of `field` by name; throws std::out_of_range for a name not in the spec (a bug).
  const Value& get(std::string_view field) const;
  void set(std::string_view field, Value value);
  // The erp_id as text, for messages ("?" if absent).
  std::string key() const;
};

// Checks a mapped entity against the model before it reaches the mirror: required fields
// present, enums allowed, money in the entity's currency, and the sums that must agree
// (line amounts = subtotal, applications + unapplied = payment amount, ...).
// The error names the field and the values involved.
Result<void> validate(const Entity& entity);

}  // namespace arsync
