// PushTemplate: the `push:` section of a mapping compiled — how a canonical Entity (an outbox
// item: a portal payment, a profile change) becomes the ERP's request: a JSON body, an XML body,
// or for ODBC an SQL statement with `?` placeholders and its ordered parameter values.
//
// A template is a tree whose leaves are literals or canonical fields, converted the reverse way
// of pull: money → decimal text at the currency's exponent ("25.00", "1200" for JPY), dates →
// the ERP's pattern (%Y %m %d %y, or ms_json), map: canonical → ERP words. `each:` repeats a body
// per child entity (a payment's applications); inside it, {field: ^name} reads the parent.
// Statements never contain values: `:name` becomes `?` and the value goes to params; a
// statement list runs in order, an `each:` statement once per child (`:^name` reads the parent).
// Built by the loader; immutable; render() is thread-safe.
#pragma once

#include <arsync/connector.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mapping/value_table.hpp"
#include "schema/catalog.hpp"
#include "schema/result.hpp"

namespace arsync {

// What Mapping::push() produces. For json/xml: content_type and body. For statement: the
// statements in order, each SQL with `?` placeholders and one parameter per placeholder
// (nullopt = SQL NULL, for an absent canonical value).
struct PushBody {
  std::string content_type;  // "application/json", "application/xml", "" for a statement
  std::string body;
  std::vector<SqlStatement> statements;
};

// What happens to a profile change whose fields the ERP changed since the portal showed them
// (DESIGN §4 Conflicts), from a customer mapping's `push: conflict:`:
//   erp_wins    (default) those fields are dropped from the push; if none is left, nothing is sent
//   portal_wins the change is pushed as it is, over the ERP's
//   reject      nothing is sent; the item is parked failed with the conflict for an operator
enum class ConflictPolicy : unsigned char { kErpWins, kPortalWins, kReject };
const char* to_string(ConflictPolicy policy);

namespace mapping {

// A canonical field as the ERP wants it.
struct PushField {
  std::size_t index = 0;  // in the entity spec's fields
  const FieldSpec* spec = nullptr;
  bool parent = false;  // "^amount": the field of the parent entity, inside each:
  std::string date;     // output pattern; "" = canonical
  ValueTable table;     // map: with its else:, canonical → ERP
  std::string where;                                       // file:line:col, for errors

  // The ERP text of the field, nullopt when absent.
  Result<std::optional<std::string>> text(const Entity& entity, const Entity* parent = nullptr) const;
  // Whether the JSON form is a bare number/bool (money, decimal, integer, bool without map:).
  bool json_bare() const;
};

struct PushNode {
  enum class Kind : unsigned char { kObject, kArray, kLiteral, kField, kEach };
  Kind kind = Kind::kObject;
  std::string name;  // member (JSON) or element (XML) name in the parent object; "@x" = XML attribute
  std::vector<PushNode> children;  // object members, array items, each's body (children[0])
  std::string literal;
  PushField field;
  std::size_t child = 0;  // kEach: the child collection's index in the spec
};

struct PushStatement {
  std::string sql;                  // with ? placeholders
  std::vector<PushField> params;    // one per placeholder
  std::optional<std::size_t> each;  // run once per child of this collection (index in the spec)
  std::string where;                // file:line:col
};

// A canonical field the ERP's request cannot carry (push: cannot_carry: {unapplied: reason}):
// an entity where it is present and not zero (money, integer or decimal 0, false, "") is refused
// rather than pushed without it, so nothing the portal accepted is silently dropped.
struct PushLimit {
  std::size_t index = 0;  // in the entity spec's fields
  const FieldSpec* spec = nullptr;
  std::string reason;  // the mapping's words: why, and what finance does instead
  std::string where;   // file:line:col

  // Whether `entity` has a value of this field that the push would lose.
  bool hit(const Entity& entity) const;
};

struct PushTemplate {
  enum class Format : unsigned char { kJson, kXml, kStatement };
  Format format = Format::kJson;
  ConflictPolicy conflict = ConflictPolicy::kErpWins;  // push: conflict: (customer mappings)
  std::string content_type;
  PushNode body;  // json/xml: the root (xml: exactly one member, the root element)
  std::vector<PushStatement> statements;
  std::vector<PushLimit> cannot_carry;

  // InvalidInput naming the field, its value and the mapping's reason when a cannot_carry:
  // field has a value (the outbox parks such an item as failed with that message).
  Result<PushBody> render(const Entity& entity) const;
  // Whether the request carries the entity's field `index` (a top-level field, not a child's):
  // a field no body member, element or statement parameter names is dropped when pushed.
  bool sends(std::size_t index) const;
};

// Output form of a canonical "YYYY-MM-DD" date in `pattern` (%Y %m %d %y %%, or "ms_json");
// "" for a pattern that is not one (checked at load).
std::string format_date(std::string_view date, std::string_view pattern);

}  // namespace mapping
}  // namespace arsync
