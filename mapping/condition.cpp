// Evaluation of `when:` conditions (see condition.hpp). Runs per record on the sync path:
// no allocation, the constants were parsed at load.
#include "mapping/condition.hpp"

#include <algorithm>

namespace arsync::mapping {
namespace {

// The scalar text at `path`, or nullptr when missing, null, empty or not a single value.
const Node* present(const Path& path, const Node& record, const Node* parent) {
  const Node* node = path.resolve(record, parent);
  if (node == nullptr || !node->is_scalar() || node->text().empty()) return nullptr;
  return node;
}

bool same(const Node& node, const std::string& value) {
  if (node.text() == value) return true;
  if (node.type() != Node::Type::kNumber) return false;
  auto a = parse_decimal(node.text()), b = parse_decimal(value);
  return a && b && compare(*a, *b) == 0;
}

}  // namespace

int compare(const Decimal& a, const Decimal& b) {
  // Bring both to the larger scale in 128 bits: |units| < 2^63 and 10^18 < 2^60 cannot overflow.
  __int128 x = a.units, y = b.units;
  for (int s = a.scale; s < b.scale; ++s) x *= 10;
  for (int s = b.scale; s < a.scale; ++s) y *= 10;
  return x < y ? -1 : x > y ? 1 : 0;
}

bool Condition::holds(const Node& record, const Node* parent) const {
  switch (op) {
    case Op::kAll:
      return std::all_of(terms.begin(), terms.end(),
                         [&](const Condition& c) { return c.holds(record, parent); });
    case Op::kAny:
      return std::any_of(terms.begin(), terms.end(),
                         [&](const Condition& c) { return c.holds(record, parent); });
    case Op::kExists:
      return (present(*from, record, parent) != nullptr) == exists;
    case Op::kEquals:
    case Op::kNotEquals:
    case Op::kIn: {
      const Node* node = present(*from, record, parent);
      bool found = node != nullptr && std::any_of(values.begin(), values.end(),
                                                  [&](const std::string& v) { return same(*node, v); });
      return op == Op::kNotEquals ? !found : found;
    }
    case Op::kLessThan:
    case Op::kGreaterThan: {
      const Node* node = present(*from, record, parent);
      if (node == nullptr) return false;
      auto value = parse_decimal(node->text());
      if (!value) return false;
      int order = compare(*value, number);
      return op == Op::kLessThan ? order < 0 : order > 0;
    }
  }
  return false;
}

}  // namespace arsync::mapping
