// Loading one field's rule (see mapping_loader.hpp): its source, the transform keys it may
// take, and the checks on the rule as a whole once every key is read.
#include <algorithm>

#include "mapping/mapping_loader.hpp"
#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

using sv = std::string_view;

constexpr sv kFieldKeys[] = {"from",  "value",   "default", "required",  "trim",   "upper",    "lower",
                             "map",   "else",    "concat",  "separator", "split",  "date",     "timestamp",
                             "money", "decimal", "bool",    "integer",   "lookup", "position", "cases"};

// The field type each type-specific transform belongs to.
struct TypedKey {
  sv key;
  FieldType type;
};
constexpr TypedKey kTypedKeys[] = {{"date", FieldType::kDate},   {"timestamp", FieldType::kTimestamp},
                                   {"money", FieldType::kMoney}, {"decimal", FieldType::kDecimal},
                                   {"bool", FieldType::kBool},   {"integer", FieldType::kInteger},
                                   {"lookup", FieldType::kRef}};

}  // namespace

std::optional<FieldRule> MappingLoader::load_field(const Entry& entry, const EntitySpec& entity,
                                                   std::size_t index, bool in_child) {
  FieldRule rule;
  rule.field = entry.key;
  rule.index = index;
  rule.spec = &entity.fields[index];
  rule.where = where(entry.key_node.Mark());
  std::size_t before = problems_.size();
  if (entry.value.IsScalar() && !entry.value.Scalar().empty()) {
    if (auto p = path(entry.value, "field " + entry.key, in_child)) rule.from = std::move(*p);
  } else if (entry.value.IsMap()) {
    load_transforms(entry, rule, in_child);
  } else {
    problem(entry.key_node, "field " + entry.key + " has no source; write " + entry.key +
                                ": <ERP field> or " + entry.key + ": {value: <constant>}");
    return std::nullopt;
  }
  if (problems_.size() == before) check_rule(entry, rule);  // skip follow-on noise from a typo
  if (problems_.size() != before) return std::nullopt;
  return rule;
}

void MappingLoader::load_transforms(const Entry& entry, FieldRule& rule, bool in_child) {
  std::string field = "field " + entry.key;
  std::optional<Rows> rows;  // map: and else: come in either order; they become one ValueTable
  std::optional<Entry> otherwise;
  for (const Entry& t : entries(entry.value, field)) {
    const sv key = t.key;
    if (std::find(std::begin(kFieldKeys), std::end(kFieldKeys), key) == std::end(kFieldKeys)) {
      problem(t.key_node, "unknown transform " + quoted(key) + did_you_mean(key, kFieldKeys) + " in " +
                              field + "; transforms are " + names_of(kFieldKeys));
      continue;
    }
    if (!check_type(t, rule)) continue;
    if (key == "from") {
      if (auto p = path(t.value, field + " from:", in_child)) rule.from = std::move(*p);
    } else if (key == "value" || key == "default") {
      auto text = scalar(t.value, field + " " + t.key + ":");
      if (!text) continue;
      (key == "value" ? rule.constant : rule.fallback) = *text;
      check_canonical(t.value, rule, *text, t.key + ": ");
    } else if (key == "else") {
      otherwise = t;
    } else if (key == "trim") {
      rule.trim = flag(t.value, field + " trim:").value_or(false);
    } else if (key == "upper" || key == "lower") {
      if (flag(t.value, field + " " + t.key + ":").value_or(false)) {
        if (rule.text_case != TextCase::kKeep)
          problem(t.key_node, field + ": choose upper: or lower:, not both");
        rule.text_case = key == "upper" ? TextCase::kUpper : TextCase::kLower;
      }
    } else if (key == "map") {
      rows = table_rows(t, rule);
    } else if (key == "required") {
      rule.required = flag(t.value, field + " required:").value_or(false);
    } else if (key == "concat") {
      load_concat(t, rule, in_child);
    } else if (key == "separator") {
      if (auto text = scalar(t.value, field + " separator:")) rule.separator = *text;
    } else if (key == "split") {
      load_split(t, rule);
    } else if (key == "position") {
      rule.position = flag(t.value, field + " position:").value_or(false);
      if (rule.position && (!in_child || rule.spec->type != FieldType::kInteger))
        problem(t.key_node, field +
                                " position: numbers the items of a child list (lines:); it fills a "
                                "whole-number field there");
    } else if (key == "cases") {
      load_cases(t, rule, in_child);
    } else {
      load_typed(t, rule, in_child);
    }
  }
  if (auto table = value_table(entry.key_node, field, std::move(rows), otherwise)) {
    if (table->unmapped() == ValueTable::Unmapped::kValue)
      check_canonical(otherwise->value, rule, table->otherwise(), "else: ");
    rule.table = std::move(*table);
  }
}

// A type-specific transform on a field of another type is a mistake worth stopping for.
bool MappingLoader::check_type(const Entry& t, const FieldRule& rule) {
  for (const TypedKey& typed : kTypedKeys) {
    if (t.key != typed.key || rule.spec->type == typed.type) continue;
    problem(t.key_node, "field " + rule.field + " is " + to_string(rule.spec->type) + ", so " + t.key +
                            ": does not apply (it is for " + to_string(typed.type) + " fields)");
    return false;
  }
  return true;
}

void MappingLoader::check_rule(const Entry& entry, const FieldRule& rule) {
  const YAML::Mark& at = entry.key_node.Mark();
  int sources =
      (rule.from ? 1 : 0) + (rule.constant ? 1 : 0) + (rule.concat.empty() ? 0 : 1) + (rule.position ? 1 : 0);
  if (sources > 1) problem(at, "field " + rule.field + ": give one of from:, value: or concat:");
  if (sources == 0 && rule.cases.empty() && entry.value.IsMap())
    problem(at, "field " + rule.field + " needs from: <ERP field> (or value: <constant>, or concat: [...])");
  if (!rule.separator.empty() && rule.concat.empty())
    problem(at, "field " + rule.field + ": separator: belongs to concat: (split: has its own)");
  if (rule.required && rule.fallback)
    problem(at, "field " + rule.field + ": give required: or default:, not both");
  if (rule.spec->type == FieldType::kMoney && (!entry.value.IsMap() || !entry.value["money"]))
    problem(at, "field " + rule.field +
                    " is money: say which currency with money: {currency_from: <ERP field>} "
                    "or money: {currency: USD}");
}

void MappingLoader::check_canonical(const YAML::Node& at, const FieldRule& rule, const std::string& text,
                                    const std::string& what) {
  std::string why = rule.check_canonical(text);
  if (!why.empty()) problem(at, "field " + rule.field + " " + what + why);
}

}  // namespace arsync::mapping
