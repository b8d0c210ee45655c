// Loading when: conditions (see mapping_loader.hpp and condition.hpp for the syntax).
#include <algorithm>

#include "mapping/mapping_loader.hpp"
#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

using sv = std::string_view;

constexpr sv kConditionKeys[] = {"from",      "equals",       "not_equals", "in", "exists",
                                 "less_than", "greater_than", "all",        "any"};

}  // namespace

std::optional<Condition> MappingLoader::load_condition(const YAML::Node& node, bool in_child) {
  if (!node.IsMap()) {
    problem(node, "when: is a table such as {from: Type, equals: ACCREC}");
    return std::nullopt;
  }
  std::vector<Entry> all = entries(node, "when:");
  const Entry *test = nullptr, *from = nullptr;
  for (const Entry& e : all) {
    if (std::find(std::begin(kConditionKeys), std::end(kConditionKeys), e.key) == std::end(kConditionKeys))
      problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, kConditionKeys) +
                              " in when:; it takes " + names_of(kConditionKeys));
    else if (e.key == "from")
      from = &e;
    else if (test)
      problem(e.key_node, "when: takes one test (" + test->key + " or " + e.key +
                              "); combine several with all: [...] or any: [...]");
    else
      test = &e;
  }
  if (test == nullptr) {
    problem(node, "when: needs a test: equals, not_equals, in, exists, less_than, greater_than, all or any");
    return std::nullopt;
  }
  Condition c;
  if (test->key == "all" || test->key == "any") {
    c.op = test->key == "all" ? Condition::Op::kAll : Condition::Op::kAny;
    if (from) problem(from->key_node, test->key + ": takes a list of conditions; put from: inside each");
    if (!test->value.IsSequence() || test->value.size() == 0)
      problem(test->value, test->key + ": needs a list of conditions, e.g. [{from: Type, equals: ACCREC}]");
    else
      for (const YAML::Node& item : test->value)
        if (auto term = load_condition(item, in_child)) c.terms.push_back(std::move(*term));
    return c;
  }
  if (from == nullptr) {
    problem(test->key_node, "when: " + test->key + " needs from: <ERP field>");
    return std::nullopt;
  }
  auto p = path(from->value, "when: from:", in_child);
  if (!p) return std::nullopt;
  c.from = std::move(*p);
  if (!load_test(*test, c)) return std::nullopt;
  return c;
}

bool MappingLoader::load_test(const Entry& test, Condition& c) {
  std::string what = "when: " + test.key + ":";
  if (test.key == "equals" || test.key == "not_equals") {
    c.op = test.key == "equals" ? Condition::Op::kEquals : Condition::Op::kNotEquals;
    auto text = scalar(test.value, what);
    if (text) c.values.push_back(*text);
    return text.has_value();
  }
  if (test.key == "in") {
    c.op = Condition::Op::kIn;
    if (!test.value.IsSequence() || test.value.size() == 0) {
      problem(test.value, what + " needs a list of values, e.g. [ACCREC, ACCRECCREDIT]");
      return false;
    }
    for (const YAML::Node& item : test.value)
      if (auto text = scalar(item, what)) c.values.push_back(*text);
    return true;
  }
  if (test.key == "exists") {
    c.op = Condition::Op::kExists;
    auto yes = flag(test.value, what);
    c.exists = yes.value_or(true);
    return yes.has_value();
  }
  c.op = test.key == "less_than" ? Condition::Op::kLessThan : Condition::Op::kGreaterThan;
  auto text = scalar(test.value, what);
  if (!text) return false;
  auto number = parse_decimal(*text);
  if (!number) {
    problem(test.value, what + " compares numbers; " + quoted(*text) + " is not one");
    return false;
  }
  c.number = *number;
  return true;
}

}  // namespace arsync::mapping
