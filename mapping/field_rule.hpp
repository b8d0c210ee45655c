// FieldRule: the compiled rule for one canonical field of a mapping — where its value comes
// from in the ERP record and which small transforms turn that into the canonical value.
//
// The transforms run in a fixed order, so the YAML order of keys never matters:
//   source (from: path | value: constant | concat: parts) → split: → missing/null/"" ?
//   default: or, with required: true, an error (unless map: names "") →
//   trim → upper/lower → map: (else: value, keep or reject) → conversion to the field's catalog type
//   (text, integer, bool, money, decimal, date, timestamp, reference).
// `value:` constants, `default:` and the right-hand side of `map:`/`else:` are written in
// canonical form (dates as 2025-03-01, amounts as 12.50) and skip the source-format steps.
// Built by the loader; immutable afterwards; evaluate() is thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mapping/condition.hpp"
#include "mapping/date_format.hpp"
#include "mapping/path.hpp"
#include "mapping/record.hpp"
#include "mapping/value_table.hpp"
#include "schema/catalog.hpp"
#include "schema/money.hpp"
#include "schema/result.hpp"

namespace arsync::mapping {

enum class TextCase : unsigned char { kKeep, kUpper, kLower };
enum class TimestampFormat : unsigned char { kIso8601, kMsJson, kExcel, kExcel1904 };

// One part of concat:: an ERP field, or a constant text ({value: "-"}).
struct ConcatPart {
  std::optional<Path> from;
  std::string constant;
};

// split: {separator: "-", part: 1}: the part-th piece (0 = first, -1 = last).
struct SplitRule {
  std::string separator;
  int part = 0;
};

struct MoneyRule {
  std::optional<Path> currency_from;  // the ERP field holding the ISO code, or
  std::string currency;               // a constant code
  NumberFormat format;                // decimal_comma: true → {',', '.'}
  Rounding rounding = Rounding::kNone;
};

// Where a child record sits, for messages only (built into text only when an error occurs):
// canonical "lines.2." and ERP "lines.2." (or "data.lines.2." when the list is nested).
struct Place {
  std::string_view child;     // canonical collection name, "lines"
  std::string_view erp_list;  // the from: path of the list
  std::size_t index = 0;

  std::string canonical_prefix() const;
  std::string erp_prefix() const;
};

// How a text reached conversion: as the ERP wrote it in a string, as a JSON number (always
// plain "1234.5", whatever decimal_comma says), or in canonical form (value:, default:, map:).
enum class TextForm : unsigned char { kSource, kJsonNumber, kCanonical };

struct FieldRule {
  std::string field;      // canonical name, for messages
  std::size_t index = 0;  // position in the entity spec's fields
  const FieldSpec* spec = nullptr;
  std::string where;                    // "file:line:col" of the rule
  std::optional<Path> from;             // from: (empty for a value: constant)
  std::optional<std::string> constant;  // value:
  std::optional<std::string> fallback;  // default:
  bool required = false;                // required: true — absent is an error even if optional
  std::vector<ConcatPart> concat;       // concat: (instead of from:)
  std::string separator;                // concat:'s separator:
  std::optional<SplitRule> split;       // split:
  std::optional<std::string> lookup;    // lookup: — reference fields: the target's field to match
  TimestampFormat timestamp = TimestampFormat::kIso8601;
  bool position = false;  // position: true — the item's 1-based place in its ERP list
  // cases: — the first case whose when: holds gives the (canonical) value; none: the rest of the rule.
  std::vector<std::pair<Condition, std::string>> cases;
  bool trim = false;
  TextCase text_case = TextCase::kKeep;
  ValueTable table;                  // map: with its else:, ERP value → canonical
  std::optional<DateFormat> date;    // date fields: the ERP's pattern (default ISO)
  NumberFormat number;               // decimal fields
  MoneyRule money;                   // money fields

  // The canonical value for `record` (monostate when absent and not required), or an error
  // naming the field, the ERP path and the value, located at `where`. `parent` is the parent
  // record and `place` the record's position, for child collections (else both nullptr).
  Result<Value> evaluate(const Node& record, const Node* parent, const Place* place) const;

  // Load-time check of canonical-form text (value:, default:, map values): "" if fine, else
  // the problem. Money amounts are checked as numbers (their currency may come per record).
  std::string check_canonical(std::string_view text) const;

 private:
  Result<Value> convert(std::string_view text, TextForm form, const Node& record, const Node* parent) const;
  Result<Value> convert_money(std::string_view text, TextForm form, const Node& record,
                              const Node* parent) const;
  Result<Value> convert_text(std::string_view text) const;
  Result<Value> convert_timestamp(std::string_view text) const;
  // concat:'s text into `out`; false when no ERP part had a value.
  bool join(const Node& record, const Node* parent, std::string& out) const;
  Result<Value> absent(const Place* place, std::string_view what, const Node& record,
                       const Node* parent) const;
  Error error(const Place* place, std::string message) const;
  std::string erp_path(const Place* place) const;
};

}  // namespace arsync::mapping
