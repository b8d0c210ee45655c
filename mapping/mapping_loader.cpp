// Loading a mapping file: YAML → CompiledMapping, with every problem reported at its
// file:line:col (see compiled_mapping.hpp and docs/mappings.md for the language).
//
// yaml-cpp exceptions never leave this file. yaml-cpp 0.7 silently keeps the last of two equal
// keys, so maps are read entry by entry and duplicates are reported here.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "mapping/compiled_mapping.hpp"
#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

using sv = std::string_view;

constexpr sv kTopKeys[] = {"entity",  "fields",    "description", "when",
                           "records", "next_link", "format",      "push"};
constexpr sv kPushKeys[] = {"format", "content_type", "body", "statement", "params"};
constexpr sv kPushFormats[] = {"json", "xml", "statement"};
constexpr sv kPushFieldKeys[] = {"field", "date", "map", "else"};
constexpr sv kFieldKeys[] = {"from",  "value",   "default", "required",  "trim",   "upper",    "lower",
                             "map",   "else",    "concat",  "separator", "split",  "date",     "timestamp",
                             "money", "decimal", "bool",    "integer",   "lookup", "position", "cases"};
constexpr sv kSplitKeys[] = {"separator", "part"};
constexpr sv kConditionKeys[] = {"from",      "equals",       "not_equals", "in", "exists",
                                 "less_than", "greater_than", "all",        "any"};
constexpr sv kTimestampFormats[] = {"iso8601", "ms_json"};
constexpr sv kMoneyKeys[] = {"currency_from", "currency", "decimal_comma", "round"};
constexpr sv kDecimalKeys[] = {"decimal_comma"};
constexpr sv kChildKeys[] = {"from", "fields", "when"};
constexpr sv kRoundings[] = {"half_even", "half_up", "down"};

// The field type each type-specific transform belongs to.
struct TypedKey {
  sv key;
  FieldType type;
};
constexpr TypedKey kTypedKeys[] = {{"date", FieldType::kDate},   {"timestamp", FieldType::kTimestamp},
                                   {"money", FieldType::kMoney}, {"decimal", FieldType::kDecimal},
                                   {"bool", FieldType::kBool},   {"integer", FieldType::kInteger},
                                   {"lookup", FieldType::kRef}};

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

std::string quoted(sv text) { return "'" + std::string(text) + "'"; }

std::string names_of(std::span<const sv> names) {
  std::string out;
  for (sv n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

class Loader {
 public:
  explicit Loader(std::string name) : name_(std::move(name)) {}

  std::expected<CompiledMapping, std::vector<Error>> run(const std::string& text) {
    CompiledMapping out;
    out.file = name_;
    try {
      YAML::Node root = YAML::Load(text);
      load_root(root, out);
    } catch (const YAML::Exception& e) {
      problem(e.mark, "YAML syntax error: " + e.msg + " (check indentation, colons and quotes)");
    }
    if (!problems_.empty()) return std::unexpected(std::move(problems_));
    for (std::size_t i = 0; i < out.root.fields.size(); ++i)
      if (out.root.fields[i].field == "erp_id") out.key_rule = static_cast<int>(i);
    return out;
  }

 private:
  // ----- problems -----
  std::string where(const YAML::Mark& mark) const {
    if (mark.is_null()) return name_;
    return name_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  void problem(const YAML::Mark& mark, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidInput, std::move(message), where(mark)});
  }
  void problem(const YAML::Node& at, std::string message) { problem(at.Mark(), std::move(message)); }

  // ----- YAML reading -----
  // A map's entries in source order; duplicate and non-text keys are reported and dropped.
  std::vector<Entry> entries(const YAML::Node& map, sv what) {
    std::vector<Entry> out;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) {
        problem(it->first, std::string(what) + ": a key must be a plain name");
        continue;
      }
      std::string key = it->first.Scalar();
      auto first = std::find_if(out.begin(), out.end(), [&](const Entry& e) { return e.key == key; });
      if (first != out.end()) {
        problem(it->first, quoted(key) + " appears twice in " + std::string(what) + " (first at line " +
                               std::to_string(first->key_node.Mark().line + 1) + "); keep one");
        continue;
      }
      out.push_back(Entry{key, it->first, it->second});
    }
    return out;
  }

  std::optional<std::string> scalar(const YAML::Node& node, sv what) {
    if (node.IsScalar()) return node.Scalar();
    problem(node,
            std::string(what) + " needs a single value" +
                (node.IsNull() ? " (it is empty; write \"\" for empty text)" : ", not a list or a table"));
    return std::nullopt;
  }

  std::optional<bool> flag(const YAML::Node& node, sv what) {
    auto text = scalar(node, what);
    if (!text) return std::nullopt;
    if (*text == "true" || *text == "yes") return true;
    if (*text == "false" || *text == "no") return false;
    problem(node, std::string(what) + " is true or false, not " + quoted(*text));
    return std::nullopt;
  }

  std::optional<Path> path(const YAML::Node& node, sv what, bool in_child, int child = -1) {
    auto text = scalar(node, what);
    if (!text) return std::nullopt;
    if (xml_) return xpath(node, *text, in_child, child);
    auto compiled = Path::compile(*text);
    if (!compiled) {
      problem(node, compiled.error().message);
      return std::nullopt;
    }
    if (compiled->from_parent() && !in_child) {
      problem(node,
              "'^' reads the parent record, which only exists inside a child collection such as lines:");
      return std::nullopt;
    }
    return std::move(*compiled);
  }

  // format: xml — the path is an XPath, compiled into a slot of the current entity level (or of
  // the parent's, for "^"); the rule reads the slot by name (see XPathSlot).
  std::optional<Path> xpath(const YAML::Node& node, const std::string& text, bool in_child, int child) {
    bool up = text.starts_with('^');
    if (up && !in_child) {
      problem(node,
              "'^' reads the parent record, which only exists inside a child collection such as lines:");
      return std::nullopt;
    }
    std::string expr = up ? text.substr(1) : text;
    XPathSlot slot{text, nullptr, child};
    try {
      slot.query = std::make_shared<const pugi::xpath_query>(expr.c_str());
    } catch (const pugi::xpath_exception& e) {
      problem(node, quoted(expr) + " is not an XPath: " + e.result().description());
      return std::nullopt;
    }
    if (child >= 0 && slot.query->return_type() != pugi::xpath_type_node_set) {
      problem(node,
              quoted(expr) + " selects no elements; a child collection's from: is an XPath to its items");
      return std::nullopt;
    }
    std::vector<XPathSlot>& table = up ? *parent_slots_ : *slots_;
    table.push_back(std::move(slot));
    return *Path::compile((up ? "^x" : "x") + std::to_string(table.size() - 1));
  }

  // ----- the file -----
  void load_root(const YAML::Node& root, CompiledMapping& out) {
    if (!root.IsMap()) {
      problem(root, root.IsNull() ? "the mapping file is empty; it needs entity: and fields:"
                                  : "a mapping file is a table with entity: and fields:");
      return;
    }
    std::vector<Entry> top = entries(root, "the mapping");
    const EntitySpec* spec = load_entity(root, top);
    if (spec == nullptr) return;  // field names cannot be checked without the entity
    out.root.spec = spec;
    // Paths are read as XPath or dotted paths depending on format:, wherever it appears.
    for (const Entry& e : top)
      xml_ = xml_ || (e.key == "format" && e.value.IsScalar() && e.value.Scalar() == "xml");
    slots_ = &out.root.xpaths;
    std::vector<sv> allowed(std::begin(kTopKeys), std::end(kTopKeys));
    for (const ChildSpec& child : spec->children) allowed.push_back(child.name);
    bool has_fields = false;
    for (const Entry& e : top) {
      if (e.key == "entity" || e.key == "description") continue;
      if (e.key == "when") {
        out.root.when = load_condition(e.value, false);
      } else if (e.key == "records" || e.key == "next_link") {
        auto text = scalar(e.value, e.key + ":");
        if (text && (text->empty() || !Path::compile(*text)))
          problem(e.value, e.key + ": names a place in the response such as value or QueryResponse.Invoice");
        else if (text)
          (e.key == "records" ? out.records : out.next_link) = *text;
      } else if (e.key == "format") {
        auto text = scalar(e.value, "format:");
        if (text && *text != "json" && *text != "xml")
          problem(e.value, "format: " + quoted(*text) + " is not supported; use format: json or format: xml");
        else if (text)
          out.format = *text, out.xml = *text == "xml";
      } else if (e.key == "push") {
        load_push(e, *spec, out);
      } else if (e.key == "fields") {
        has_fields = true;
        load_fields(e, *spec, false, out.root);
      } else if (spec->child_index(e.key) >= 0) {
        load_child(e, *spec, out.root);
      } else {
        problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, allowed) + "; a " +
                                std::string(spec->name) + " mapping has " + names_of(allowed));
      }
    }
    if (!has_fields) problem(root, "the mapping has no fields: section");
  }

  const EntitySpec* load_entity(const YAML::Node& root, const std::vector<Entry>& top) {
    auto it = std::find_if(top.begin(), top.end(), [](const Entry& e) { return e.key == "entity"; });
    std::vector<sv> names;
    for (const EntitySpec* e : all_entities())
      if (e->top_level) names.push_back(e->name);
    if (it == top.end()) {
      problem(root,
              "the mapping does not say which entity it fills: add entity: (one of " + names_of(names) + ")");
      return nullptr;
    }
    auto name = scalar(it->value, "entity");
    if (!name) return nullptr;
    const EntitySpec* spec = find_entity(*name);
    if (spec == nullptr || !spec->top_level) {
      problem(it->value,
              "unknown entity " + quoted(*name) + did_you_mean(*name, names) + "; known: " + names_of(names));
      return nullptr;
    }
    return spec;
  }

  void load_child(const Entry& entry, const EntitySpec& parent, EntityRules& out) {
    const ChildSpec& spec = parent.children[static_cast<std::size_t>(parent.child_index(entry.key))];
    if (!entry.value.IsMap()) {
      problem(entry.value, entry.key + ": needs from: (the ERP list) and fields:");
      return;
    }
    ChildRules child;
    child.index = static_cast<std::size_t>(parent.child_index(entry.key));
    child.name = entry.key;
    child.where = where(entry.key_node.Mark());
    child.rules.spec = spec.entity;
    bool has_from = false, has_fields = false;
    for (const Entry& e : entries(entry.value, entry.key)) {
      if (e.key == "from" && !xml_ && e.value.IsScalar() && e.value.Scalar() == ".") {
        child.self = true, has_from = true;  // the record itself is the one item
      } else if (e.key == "from") {
        if (auto p = path(e.value, entry.key + " from:", false, static_cast<int>(out.children.size())))
          child.from = std::move(*p), has_from = true;
      } else if (e.key == "fields" || e.key == "when") {
        std::vector<XPathSlot>* saved = slots_;
        slots_ = &child.rules.xpaths, parent_slots_ = &out.xpaths;
        if (e.key == "when")
          child.rules.when = load_condition(e.value, true);
        else
          has_fields = true, load_fields(e, *spec.entity, true, child.rules);
        slots_ = saved, parent_slots_ = nullptr;
      } else {
        problem(e.key_node, "unknown key " + quoted(e.key) + " in " + entry.key + ":" +
                                did_you_mean(e.key, kChildKeys) +
                                "; a child collection has from:, fields: and an optional when:");
      }
    }
    if (!has_from)
      problem(entry.key_node, entry.key + ": needs from: naming the ERP list (e.g. from: " + entry.key + ")");
    if (!has_fields) problem(entry.key_node, entry.key + ": needs fields:");
    out.children.push_back(std::move(child));
  }

  void load_fields(const Entry& section, const EntitySpec& spec, bool in_child, EntityRules& out) {
    if (!section.value.IsMap()) {
      problem(section.value, "fields: is a table of canonical field: ERP field");
      return;
    }
    std::vector<sv> names;
    for (const FieldSpec& f : spec.fields) names.push_back(f.name);
    std::vector<bool> mapped(spec.fields.size(), false);
    for (const Entry& e : entries(section.value, "fields")) {
      int index = spec.field_index(e.key);
      if (index < 0) {
        problem(e.key_node, "unknown field " + quoted(e.key) + " for " + std::string(spec.name) +
                                did_you_mean(e.key, names) + "; its fields are " + names_of(names));
        continue;
      }
      mapped[static_cast<std::size_t>(index)] = true;
      if (auto rule = load_field(e, spec, static_cast<std::size_t>(index), in_child))
        out.fields.push_back(std::move(*rule));
    }
    for (std::size_t i = 0; i < spec.fields.size(); ++i)
      if (spec.fields[i].required && !mapped[i])
        problem(section.key_node, "required field " + quoted(spec.fields[i].name) + " of " +
                                      std::string(spec.name) + " is not mapped; add " +
                                      std::string(spec.fields[i].name) +
                                      ": <ERP field> (or give it a value:)");
  }

  // ----- one field -----
  std::optional<FieldRule> load_field(const Entry& entry, const EntitySpec& entity, std::size_t index,
                                      bool in_child) {
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

  void load_transforms(const Entry& entry, FieldRule& rule, bool in_child) {
    std::string field = "field " + entry.key;
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
      } else if (key == "value" || key == "default" || key == "else") {
        auto text = scalar(t.value, field + " " + t.key + ":");
        if (!text) continue;
        (key == "value" ? rule.constant : key == "default" ? rule.fallback : rule.otherwise) = *text;
        check_canonical(t.value, rule, *text, t.key + ": ");
      } else if (key == "trim") {
        rule.trim = flag(t.value, field + " trim:").value_or(false);
      } else if (key == "upper" || key == "lower") {
        if (flag(t.value, field + " " + t.key + ":").value_or(false)) {
          if (rule.text_case != TextCase::kKeep)
            problem(t.key_node, field + ": choose upper: or lower:, not both");
          rule.text_case = key == "upper" ? TextCase::kUpper : TextCase::kLower;
        }
      } else if (key == "map") {
        load_table(t, rule);
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
  }

  // A type-specific transform on a field of another type is a mistake worth stopping for.
  bool check_type(const Entry& t, const FieldRule& rule) {
    for (const TypedKey& typed : kTypedKeys) {
      if (t.key != typed.key || rule.spec->type == typed.type) continue;
      problem(t.key_node, "field " + rule.field + " is " + to_string(rule.spec->type) + ", so " + t.key +
                              ": does not apply (it is for " + to_string(typed.type) + " fields)");
      return false;
    }
    return true;
  }

  void load_table(const Entry& t, FieldRule& rule) {
    if (!t.value.IsMap() || t.value.size() == 0) {
      problem(t.value,
              "field " + rule.field + " map: needs a table of ERP value: canonical value, e.g. {Open: open}");
      return;
    }
    for (const Entry& row : entries(t.value, "field " + rule.field + " map:")) {
      auto text = scalar(row.value, "map value for " + quoted(row.key));
      if (!text) continue;
      check_canonical(row.value, rule, *text, "map value for " + quoted(row.key) + ": ");
      rule.table.emplace_back(row.key, *text);
    }
    std::sort(rule.table.begin(), rule.table.end());
  }

  void load_typed(const Entry& t, FieldRule& rule, bool in_child) {
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
      if (kind && *kind == "ms_json")
        rule.timestamp = TimestampFormat::kMsJson;
      else if (kind && *kind != "iso8601")
        problem(t.value, field + " timestamp: " + quoted(*kind) + " is not supported" +
                             did_you_mean(*kind, kTimestampFormats) + "; use iso8601 or ms_json");
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

  NumberFormat comma_format(const Entry& o, const std::string& field) {
    return flag(o.value, field + " decimal_comma:").value_or(false) ? NumberFormat{',', '.'} : NumberFormat{};
  }

  void load_money(const Entry& t, FieldRule& rule, bool in_child) {
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
        problem(o.key_node, "unknown key " + quoted(o.key) + did_you_mean(o.key, kMoneyKeys) + " in " +
                                field + " money:; it takes " + names_of(kMoneyKeys));
      }
    }
    if (rule.money.currency_from && !rule.money.currency.empty())
      problem(t.key_node, field + " money: give currency_from: or currency:, not both");
    else if (!has_currency)
      problem(t.key_node,
              field + " money: say which currency: currency_from: <ERP field> or currency: <ISO code>");
  }

  void load_rounding(const Entry& o, FieldRule& rule) {
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
  void load_concat(const Entry& t, FieldRule& rule, bool in_child) {
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
  void load_cases(const Entry& t, FieldRule& rule, bool in_child) {
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

  void load_split(const Entry& t, FieldRule& rule) {
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
        problem(o.key_node, "unknown key " + quoted(o.key) + did_you_mean(o.key, kSplitKeys) + " in " +
                                field + " split:; it takes separator: and part:");
      }
    }
    if (!has_separator) problem(t.key_node, field + " split: needs a separator:");
    rule.split = std::move(split);
  }

  // lookup: number (or {by: number}): the reference is matched on that field of the target.
  void load_lookup(const Entry& t, FieldRule& rule) {
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

  // ----- when: -----
  std::optional<Condition> load_condition(const YAML::Node& node, bool in_child) {
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
      problem(node,
              "when: needs a test: equals, not_equals, in, exists, less_than, greater_than, all or any");
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

  bool load_test(const Entry& test, Condition& c) {
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

  // ----- push: -----
  void load_push(const Entry& section, const EntitySpec& spec, CompiledMapping& out) {
    if (!section.value.IsMap()) {
      problem(section.value, "push: is a table with format: and body: (or statement:)");
      return;
    }
    PushTemplate push;
    const Entry *body = nullptr, *statement = nullptr, *params = nullptr;
    std::vector<Entry> all = entries(section.value, "push:");
    for (const Entry& e : all) {
      if (e.key == "format") {
        auto text = scalar(e.value, "push: format:");
        if (text && *text == "xml")
          push.format = PushTemplate::Format::kXml;
        else if (text && *text == "statement")
          push.format = PushTemplate::Format::kStatement;
        else if (text && *text != "json")
          problem(e.value, "push: format: " + quoted(*text) + " is not one of " + names_of(kPushFormats) +
                               did_you_mean(*text, kPushFormats));
      } else if (e.key == "content_type") {
        if (auto text = scalar(e.value, "push: content_type:")) push.content_type = *text;
      } else if (e.key == "body") {
        body = &e;
      } else if (e.key == "statement") {
        statement = &e;
      } else if (e.key == "params") {
        params = &e;
      } else {
        problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, kPushKeys) +
                                " in push:; it takes " + names_of(kPushKeys));
      }
    }
    std::size_t before = problems_.size();
    if (push.format == PushTemplate::Format::kStatement) {
      if (!statement)
        problem(section.key_node, "push: format: statement needs statement: \"INSERT ... (:field, ...)\"");
      else
        load_statement(*statement, params, spec, push);
    } else {
      if (!body)
        problem(section.key_node,
                "push: needs body: (the request the ERP expects, with {field: ...} leaves)");
      else
        load_push_node(body->value, spec, push.body);
      if (body && push.format == PushTemplate::Format::kXml &&
          (!body->value.IsMap() || body->value.size() != 1))
        problem(body->value, "push: an XML body: has exactly one root element, e.g. body: {Payment: {...}}");
      if (push.content_type.empty())
        push.content_type =
            push.format == PushTemplate::Format::kXml ? "application/xml" : "application/json";
    }
    if (problems_.size() == before) out.push = std::move(push);
  }

  void load_push_node(const YAML::Node& node, const EntitySpec& spec, PushNode& out,
                      const EntitySpec* parent = nullptr) {
    if (node.IsScalar()) {
      out.kind = PushNode::Kind::kLiteral;
      out.literal = node.Scalar();
    } else if (node.IsSequence()) {
      out.kind = PushNode::Kind::kArray;
      for (const YAML::Node& item : node) load_push_node(item, spec, out.children.emplace_back(), parent);
    } else if (node.IsMap() && node["field"]) {
      out.kind = PushNode::Kind::kField;
      if (auto f = load_push_field(node, spec, parent)) out.field = std::move(*f);
    } else if (node.IsMap() && node["each"]) {
      load_each(node, spec, out);
    } else if (node.IsMap()) {
      out.kind = PushNode::Kind::kObject;
      for (const Entry& e : entries(node, "push: body")) {
        PushNode& member = out.children.emplace_back();
        member.name = e.key;
        load_push_node(e.value, spec, member, parent);
      }
    } else {
      problem(node, "push: an empty value; write a text, {field: <canonical field>} or a table");
    }
  }

  void load_each(const YAML::Node& node, const EntitySpec& spec, PushNode& out) {
    out.kind = PushNode::Kind::kEach;
    auto name = scalar(node["each"], "push: each:");
    std::vector<sv> names;
    for (const ChildSpec& c : spec.children) names.push_back(c.name);
    int index = name ? spec.child_index(*name) : -1;
    if (name && index < 0)
      problem(node["each"], "push: each: " + quoted(*name) + " is not a collection of " +
                                std::string(spec.name) + did_you_mean(*name, names) +
                                (names.empty() ? "" : "; it has " + names_of(names)));
    if (!node["body"] || node.size() != 2) {
      problem(node, "push: each: needs body: (one item per child), e.g. {each: applications, body: {...}}");
      return;
    }
    if (index < 0) return;
    out.child = static_cast<std::size_t>(index);
    load_push_node(node["body"], *spec.children[out.child].entity, out.children.emplace_back(), &spec);
  }

  // {field: amount, date: "%Y%m%d", map: {card: CreditCard}, else: Other}
  std::optional<PushField> load_push_field(const YAML::Node& node, const EntitySpec& entity,
                                           const EntitySpec* parent = nullptr) {
    const EntitySpec* level = &entity;
    PushField f;
    f.where = where(node.Mark());
    std::optional<std::string> name;
    for (const Entry& e : entries(node, "push: field")) {
      if (e.key == "field") {
        name = scalar(e.value, "push: field:");
        if (name && name->starts_with('^')) {
          if (parent == nullptr) {
            problem(e.value, "push: '^' reads the parent, which only exists inside each:");
            name.reset();
            continue;
          }
          f.parent = true, level = parent, name = name->substr(1);
        }
        const EntitySpec& spec = *level;
        int index = name ? spec.field_index(*name) : -1;
        if (name && index < 0) {
          std::vector<sv> names;
          for (const FieldSpec& fs : spec.fields) names.push_back(fs.name);
          problem(e.value, "push: unknown field " + quoted(*name) + " for " + std::string(spec.name) +
                               did_you_mean(*name, names) + "; its fields are " + names_of(names));
          name.reset();
        } else if (name) {
          f.index = static_cast<std::size_t>(index), f.spec = &spec.fields[f.index];
        }
      } else if (e.key == "date") {
        if (auto p = scalar(e.value, "push: date:")) {
          if (format_date("2000-01-01", *p).empty())
            problem(e.value,
                    "push: date: " + quoted(*p) + " is not an output date format (%Y %m %d %y, or ms_json)");
          f.date = *p;
        }
      } else if (e.key == "map") {
        for (const Entry& row : entries(e.value, "push: map:"))
          if (auto text = scalar(row.value, "push: map value")) f.table.emplace_back(row.key, *text);
        std::sort(f.table.begin(), f.table.end());
      } else if (e.key == "else") {
        f.otherwise = scalar(e.value, "push: else:");
      } else {
        problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, kPushFieldKeys) +
                                " in a push field; it takes " + names_of(kPushFieldKeys));
      }
    }
    if (!name) return std::nullopt;
    if (!f.date.empty() && f.spec->type != FieldType::kDate)
      problem(node, "push: field " + std::string(f.spec->name) + " is " + to_string(f.spec->type) +
                        ", so date: does not apply");
    return f;
  }

  // "INSERT INTO t (a, b) VALUES (:amount, :payment_date)": each :name becomes ? and a parameter
  // bound from the canonical field `name` (or params: name: {field: ..., date: ...}).
  void load_statement(const Entry& statement, const Entry* params, const EntitySpec& spec,
                      PushTemplate& push) {
    auto sql = scalar(statement.value, "push: statement:");
    if (!sql) return;
    std::vector<Entry> overrides = params ? entries(params->value, "push: params:") : std::vector<Entry>{};
    char quote = 0;
    std::size_t placeholders = 0;
    for (std::size_t i = 0; i < sql->size(); ++i) {
      char c = (*sql)[i];
      if (quote) {
        quote = c == quote ? 0 : quote;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ':' && i + 1 < sql->size() && (*sql)[i + 1] == ':') {
        push.statement += "::", ++i;  // a PostgreSQL cast, not a parameter
        continue;
      } else if (c == ':' && i + 1 < sql->size() &&
                 (std::isalpha(static_cast<unsigned char>((*sql)[i + 1])) || (*sql)[i + 1] == '_')) {
        std::size_t end = i + 1;
        while (end < sql->size() &&
               (std::isalnum(static_cast<unsigned char>((*sql)[end])) || (*sql)[end] == '_'))
          ++end;
        std::string name = sql->substr(i + 1, end - i - 1);
        push.statement += '?';
        ++placeholders;
        add_param(name, overrides, statement.value, spec, push);
        i = end - 1;
        continue;
      }
      push.statement += c;
    }
    if (quote) problem(statement.value, "push: statement: a quote is not closed");
    if (placeholders == 0) problem(statement.value, "push: statement: binds no :field parameters");
  }

  void add_param(const std::string& name, const std::vector<Entry>& overrides, const YAML::Node& at,
                 const EntitySpec& spec, PushTemplate& push) {
    auto o = std::find_if(overrides.begin(), overrides.end(), [&](const Entry& e) { return e.key == name; });
    if (o != overrides.end()) {
      if (auto f = load_push_field(o->value, spec)) push.params.push_back(std::move(*f));
      return;
    }
    int index = spec.field_index(name);
    if (index < 0) {
      std::vector<sv> names;
      for (const FieldSpec& fs : spec.fields) names.push_back(fs.name);
      problem(at, "push: statement: :" + name + " is not a field of " + std::string(spec.name) +
                      did_you_mean(name, names) + " (or define it under params:)");
      return;
    }
    PushField f;
    f.index = static_cast<std::size_t>(index), f.spec = &spec.fields[f.index], f.where = where(at.Mark());
    push.params.push_back(std::move(f));
  }

  // ----- whole-rule checks -----
  void check_rule(const Entry& entry, const FieldRule& rule) {
    const YAML::Mark& at = entry.key_node.Mark();
    int sources = (rule.from ? 1 : 0) + (rule.constant ? 1 : 0) + (rule.concat.empty() ? 0 : 1) +
                  (rule.position ? 1 : 0);
    if (sources > 1) problem(at, "field " + rule.field + ": give one of from:, value: or concat:");
    if (sources == 0 && rule.cases.empty() && entry.value.IsMap())
      problem(at,
              "field " + rule.field + " needs from: <ERP field> (or value: <constant>, or concat: [...])");
    if (!rule.separator.empty() && rule.concat.empty())
      problem(at, "field " + rule.field + ": separator: belongs to concat: (split: has its own)");
    if (rule.required && rule.fallback)
      problem(at, "field " + rule.field + ": give required: or default:, not both");
    if (rule.otherwise && rule.table.empty()) problem(at, "field " + rule.field + ": else: needs a map:");
    if (rule.spec->type == FieldType::kMoney && (!entry.value.IsMap() || !entry.value["money"]))
      problem(at, "field " + rule.field +
                      " is money: say which currency with money: {currency_from: <ERP field>} "
                      "or money: {currency: USD}");
  }

  void check_canonical(const YAML::Node& at, const FieldRule& rule, const std::string& text,
                       const std::string& what) {
    std::string why = rule.check_canonical(text);
    if (!why.empty()) problem(at, "field " + rule.field + " " + what + why);
  }

  std::string name_;
  std::vector<Error> problems_;
  bool xml_ = false;                                // format: xml
  std::vector<XPathSlot>* slots_ = nullptr;         // the XPath slots of the level being loaded
  std::vector<XPathSlot>* parent_slots_ = nullptr;  // its parent's, for "^" (children only)
};

}  // namespace

std::expected<CompiledMapping, std::vector<Error>> compile_mapping(const std::string& yaml_text,
                                                                   const std::string& name) {
  return Loader(name).run(yaml_text);
}

}  // namespace arsync::mapping
