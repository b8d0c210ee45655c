#include "mapping/value_table.hpp"

#include <algorithm>

namespace arsync::mapping {

ValueTable::ValueTable(std::vector<std::pair<std::string, std::string>> rows, std::string_view otherwise)
    : rows_(std::move(rows)) {
  std::sort(rows_.begin(), rows_.end());
  if (otherwise == "reject") {
    unmapped_ = Unmapped::kReject;
  } else if (otherwise == "keep") {
    unmapped_ = Unmapped::kKeep;
  } else {
    unmapped_ = Unmapped::kValue;
    otherwise_ = std::string(otherwise);
  }
}

const std::pair<std::string, std::string>* ValueTable::find(std::string_view text) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), text,
                             [](const auto& row, std::string_view t) { return row.first < t; });
  return it != rows_.end() && it->first == text ? &*it : nullptr;
}

std::optional<std::string_view> ValueTable::translate(std::string_view text) const {
  if (const auto* row = find(text)) return std::string_view(row->second);
  switch (unmapped_) {
    case Unmapped::kValue:
      return std::string_view(otherwise_);
    case Unmapped::kKeep:
      return text;
    case Unmapped::kReject:
      break;
  }
  return std::nullopt;
}

bool ValueTable::translated(std::string_view text) const {
  return find(text) != nullptr || unmapped_ == Unmapped::kValue;
}

std::string ValueTable::known() const {
  std::string out;
  for (const auto& row : rows_) {
    if (!out.empty()) out += ", ";
    out += row.first.empty() ? "\"\"" : row.first;
  }
  return out;
}

}  // namespace arsync::mapping
