// Loading the transforms that take options (see mapping_loader.hpp): map:, date:, timestamp:,
// money:, decimal:, concat:, cases:, split: and lookup:.
#include <algorithm>
#include <charconv>

#include "mapping/mapping_loader.hpp"
#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

using sv = std::string_view;

constexpr sv kSplitKeys[] = {"separator", "part"};
constexpr sv kTimestampFormats[] = {"iso8601", "ms_json", "excel", "excel1904"};
constexpr sv kMoneyKeys[] = {"currency_from", "currency", "decimal_comma", "round"};
constexpr sv kDecimalKeys[] = {"decimal_comma"};
constexpr sv kRoundings[] = {"half_even", "half_up", "down"};

}  // namespace

MappingLoader::Rows MappingLoader::table_rows(const Entry& t, const FieldRule& rule) {
  Rows rows;
  if (!t.value.IsMap() || t.value.size() == 0) {
    problem(t.value,
            "field " + rule.field + " map: needs a table of ERP value: canonical value, e.g. {Open: open}");
    return rows;
  }
  for (const Entry& row : entries(t.value, "field " + rule.field + " map:")) {
    auto text = scalar(row.value, "map value for " + quoted(row.key));
    if (!text) continue;
    check_canonical(row.value, rule, *text, "map value for " + quoted(row.key) + ": ");
    rows.emplace_back(row.key, *text);
  }
  return rows;
}

std::optional<ValueTable> MappingLoader::value_table(const YAML::Node& at, const std::string& what,
                                                     std::optional<Rows> rows,
                                                     const std::optional<Entry>& otherwise) {
  if (otherwise && !rows) {
    problem(otherwise->key_node, what + ": else: belongs to a map:");
    return std::nullopt;
  }
  if (!rows) return std::nullopt;
  if (!otherwise) {
    problem(at, what + ": map: needs an else: saying what an unlisted value becomes: a value, "
                                   "keep (use it as it is) or reject (reject the record)");
    return std::nullopt;
  }
  auto text = scalar(otherwise->value, what + " else:");
  if (!text) return std::nullopt;
  return ValueTable(std::move(*rows), *text);
}

void MappingLoader::load_typed(const Entry& t, FieldRule& rule, bool in_child) {
  std::string field = "field " + rule.field;
  if (t.key == "date") {
    auto pattern = scalar(t.value, field + " date:");
    if (!pattern) return;
    auto format = DateFormat::compile(*pattern);
    if (format)
      rule.date = std::move(*format);
    else
      problem(t.value, format.error().message);
  } else if (t.key == "timestamp") {
    auto kind = scalar(t.value, field + " timestamp:");
    if (!kind) return;
    if (*kind == "ms_json")
      rule.timestamp = TimestampFormat::kMsJson;
    else if (*kind == "excel")
      rule.timestamp = TimestampFormat::kExcel;
    else if (*kind == "excel1904")
      rule.timestamp = TimestampFormat::kExcel1904;
    else if (*kind != "iso8601")
      problem(t.value, field + " timestamp: " + quoted(*kind) + " is not supported" +
                           did_you_mean(*kind, kTimestampFormats) + "; use " + names_of(kTimestampFormats));
  } else if (t.key == "lookup") {
    load_lookup(t, rule);
  } else if (t.key == "money") {
    load_money(t, rule, in_child);
  } else if (t.key == "decimal") {
    if (t.value.IsMap()) {
      for (const Entry& o : entries(t.value, field + " decimal:")) {
        if (o.key == "decimal_comma")
          rule.number = comma_format(o, field);
        else
          problem(o.key_node, "unknown key " + quoted(o.key) + did_you_mean(o.key, kDecimalKeys) + " in " +
                                  field + " decimal:");
      }
    } else {
      flag(t.value, field + " decimal:");
    }
  } else {  // bool, integer: the type says it all; accept the explicit spelling
    flag(t.value, field + " " + t.key + ":");
  }
}

NumberFormat MappingLoader::comma_format(const Entry& o, const std::string& field) {
  return flag(o.value, field + " decimal_comma:").value_or(false) ? NumberFormat{',', '.'} : NumberFormat{};
}

void MappingLoader::load_money(const Entry& t, FieldRule& rule, bool in_child) {
  std::string field = "field " + rule.field;
  if (!t.value.IsMap()) {
    problem(t.value, field + " money: needs {currency_from: <ERP field>} or {currency: <ISO code>}");
    return;
  }
  bool has_currency = false;
  for (const Entry& o : entries(t.value, field + " money:")) {
    if (o.key == "currency_from") {
      if (auto p = path(o.value, field + " currency_from:", in_child))
        rule.money.currency_from = std::move(*p);
      has_currency = true;
    } else if (o.key == "currency") {
      auto code = scalar(o.value, field + " currency:");
      if (code && !currency_exponent(*code)) problem(o.value, currency_exponent(*code).error().message);
      if (code) rule.money.currency = *code;
      has_currency = true;
    } else if (o.key == "decimal_comma") {
      rule.money.format = comma_format(o, field);
    } else if (o.key == "round") {
      load_rounding(o, rule);
    } else {
      problem(o.key_node, "unknown key " + quoted(o.key) + did_you_mean(o.key, kMoneyKeys) + " in " + field +
                              " money:; it takes " + names_of(kMoneyKeys));
    }
  }
  if (rule.money.currency_from && !rule.money.currency.empty())
    problem(t.key_node, field + " money: give currency_from: or currency:, not both");
  else if (!has_currency)
    problem(t.key_node,
            field + " money: say which currency: currency_from: <ERP field> or currency: <ISO code>");
}

void MappingLoader::load_rounding(const Entry& o, FieldRule& rule) {
  auto text = scalar(o.value, "round:");
  if (!text) return;
  if (*text == "half_even")
    rule.money.rounding = Rounding::kHalfEven;
  else if (*text == "half_up")
    rule.money.rounding = Rounding::kHalfUp;
  else if (*text == "down")
    rule.money.rounding = Rounding::kDown;
  else
    problem(o.value, "unknown rounding " + quoted(*text) + did_you_mean(*text, kRoundings) + "; use " +
                         names_of(kRoundings));
}

// concat: [FirstName, {value: " "}, LastName]: ERP fields and constant texts.
void MappingLoader::load_concat(const Entry& t, FieldRule& rule, bool in_child) {
  std::string field = "field " + rule.field;
  if (!t.value.IsSequence() || t.value.size() == 0) {
    problem(t.value, field + " concat: needs a list such as [FirstName, {value: \" \"}, LastName]");
    return;
  }
  for (const YAML::Node& item : t.value) {
    ConcatPart part;
    if (item.IsMap() && item.size() == 1 && item["value"]) {
      if (auto text = scalar(item["value"], field + " concat: value:")) part.constant = *text;
    } else if (auto p = path(item, field + " concat: part", in_child)) {
      part.from = std::move(*p);
    } else {
      continue;
    }
    rule.concat.push_back(std::move(part));
  }
}

// cases: [{when: {...}, value: paid}, ...]
void MappingLoader::load_cases(const Entry& t, FieldRule& rule, bool in_child) {
  std::string field = "field " + rule.field;
  if (!t.value.IsSequence() || t.value.size() == 0) {
    problem(t.value, field + " cases: needs a list of {when: {...}, value: ...}");
    return;
  }
  for (const YAML::Node& item : t.value) {
    if (!item.IsMap() || !item["when"] || !item["value"] || item.size() != 2) {
      problem(item, field + " cases: each case is {when: {...}, value: ...}");
      continue;
    }
    auto when = load_condition(item["when"], in_child);
    auto value = scalar(item["value"], field + " cases: value:");
    if (!when || !value) continue;
    check_canonical(item["value"], rule, *value, "cases: value: ");
    rule.cases.emplace_back(std::move(*when), *value);
  }
}

void MappingLoader::load_split(const Entry& t, FieldRule& rule) {
  std::string field = "field " + rule.field;
  if (!t.value.IsMap()) {
    problem(t.value, field + " split: needs {separator: \"-\", part: 0} (part 0 = first, -1 = last)");
    return;
  }
  SplitRule split;
  bool has_separator = false;
  for (const Entry& o : entries(t.value, field + " split:")) {
    if (o.key == "separator") {
      auto text = scalar(o.value, field + " split: separator:");
      if (text && text->empty()) problem(o.value, field + " split: separator: cannot be empty");
      if (text) split.separator = *text, has_separator = !text->empty();
    } else if (o.key == "part") {
      auto text = scalar(o.value, field + " split: part:");
      int part = 0;
      auto [end, ec] = text ? std::from_chars(text->data(), text->data() + text->size(), part)
                            : std::from_chars_result{nullptr, std::errc::invalid_argument};
      if (text && (ec != std::errc() || end != text->data() + text->size() || part < -100 || part > 100))
        problem(o.value, field + " split: part: is a position: 0 = first, 1 = second, -1 = last");
      split.part = part;
    } else {
      problem(o.key_node, "unknown key " + quoted(o.key) + did_you_mean(o.key, kSplitKeys) + " in " + field +
                              " split:; it takes separator: and part:");
    }
  }
  if (!has_separator) problem(t.key_node, field + " split: needs a separator:");
  rule.split = std::move(split);
}

// lookup: number (or {by: number}): the reference is matched on that field of the target.
void MappingLoader::load_lookup(const Entry& t, FieldRule& rule) {
  const YAML::Node& by = t.value.IsMap() && t.value["by"] ? t.value["by"] : t.value;
  auto text = scalar(by, "field " + rule.field + " lookup:");
  if (!text) return;
  const EntitySpec* target = find_entity(rule.spec->ref_entity);
  std::vector<sv> names;
  if (target)
    for (const FieldSpec& f : target->fields)
      if (f.type == FieldType::kText && f.name != "erp_id") names.push_back(f.name);
  if (std::find(names.begin(), names.end(), sv(*text)) == names.end()) {
    problem(by, "field " + rule.field + " lookup: " + quoted(*text) + " is not a text field of " +
                    std::string(rule.spec->ref_entity) + did_you_mean(*text, names) + "; use one of " +
                    names_of(names) + " (without lookup: the value is the " +
                    std::string(rule.spec->ref_entity) + "'s ERP id)");
    return;
  }
  rule.lookup = *text;
}

}  // namespace arsync::mapping
