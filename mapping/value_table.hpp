// ValueTable: a `map:` with its `else:`, the finance-owned table from one system's values to the
// other's (ERP status codes to canonical statuses on pull, the reverse on push).
//
// `else:` is required wherever `map:` is written, so a mapping says on its face what happens to
// a value nobody listed: `else: reject` (the record is rejected and named in the rejects),
// `else: keep` (the value passes through untranslated and must then be valid as it is) or any
// other text, which is the value to use. Immutable after load; lookups allocate nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arsync::mapping {

class ValueTable {
 public:
  enum class Unmapped { kReject, kKeep, kValue };

  // Rows in any order; `otherwise` is the else: text ("reject", "keep" or a value).
  ValueTable(std::vector<std::pair<std::string, std::string>> rows, std::string_view otherwise);
  ValueTable() = default;

  bool empty() const { return rows_.empty(); }
  // Whether the table names the empty value ({"": active}), so "" is a value rather than absent.
  bool maps_empty() const { return !rows_.empty() && rows_.front().first.empty(); }
  Unmapped unmapped() const { return unmapped_; }
  const std::string& otherwise() const { return otherwise_; }  // kValue only

  // The translation of `text`, `text` itself under else: keep, nullopt under else: reject.
  std::optional<std::string_view> translate(std::string_view text) const;
  // Whether `text` came out as a table value or the else: value (so it is in the target's form).
  bool translated(std::string_view text) const;
  // "Open, Paid, \"\"": the listed values, for messages.
  std::string known() const;

 private:
  const std::pair<std::string, std::string>* find(std::string_view text) const;

  std::vector<std::pair<std::string, std::string>> rows_;  // sorted by the value mapped from
  Unmapped unmapped_ = Unmapped::kReject;
  std::string otherwise_;
};

}  // namespace arsync::mapping
