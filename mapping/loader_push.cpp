// Loading push: (see mapping_loader.hpp and push_template.hpp): JSON/XML body templates with
// {field: ...} leaves and each:, and SQL statements whose :name placeholders become ?.
#include <algorithm>
#include <cctype>

#include "mapping/mapping_loader.hpp"
#include "mapping/suggest.hpp"

namespace arsync::mapping {
namespace {

using sv = std::string_view;

constexpr sv kPushKeys[] = {"format", "content_type", "body", "statement", "params", "conflict", "cannot_carry"};
constexpr sv kConflictPolicies[] = {"erp_wins", "portal_wins", "reject"};
constexpr sv kPushFormats[] = {"json", "xml", "statement"};
constexpr sv kPushFieldKeys[] = {"field", "date", "map", "else"};

}  // namespace

void MappingLoader::load_push(const Entry& section, const EntitySpec& spec, CompiledMapping& out) {
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
    } else if (e.key == "conflict") {
      load_conflict(e, spec, push);
    } else if (e.key == "cannot_carry") {
      load_push_limits(e, spec, push);
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
      load_statements(*statement, params, spec, push);
  } else {
    if (!body)
      problem(section.key_node, "push: needs body: (the request the ERP expects, with {field: ...} leaves)");
    else
      load_push_node(body->value, spec, push.body);
    if (body && push.format == PushTemplate::Format::kXml &&
        (!body->value.IsMap() || body->value.size() != 1))
      problem(body->value, "push: an XML body: has exactly one root element, e.g. body: {Payment: {...}}");
    if (push.content_type.empty())
      push.content_type = push.format == PushTemplate::Format::kXml ? "application/xml" : "application/json";
  }
  if (problems_.size() == before) out.push = std::move(push);
}

// conflict: erp_wins | portal_wins | reject — only profile changes (customer mappings) are
// compared with what the ERP changed meanwhile.
void MappingLoader::load_conflict(const Entry& e, const EntitySpec& spec, PushTemplate& push) {
  auto text = scalar(e.value, "push: conflict:");
  if (!text) return;
  if (spec.name != "customer") {
    problem(e.key_node, "push: conflict: applies to profile changes, so only to a customer mapping (this one is " +
                            std::string(spec.name) + ")");
  } else if (*text == "erp_wins") {
    push.conflict = ConflictPolicy::kErpWins;
  } else if (*text == "portal_wins") {
    push.conflict = ConflictPolicy::kPortalWins;
  } else if (*text == "reject") {
    push.conflict = ConflictPolicy::kReject;
  } else {
    problem(e.value, "push: conflict: " + quoted(*text) + " is not one of " + names_of(kConflictPolicies) +
                         did_you_mean(*text, kConflictPolicies));
  }
}

void MappingLoader::load_push_node(const YAML::Node& node, const EntitySpec& spec, PushNode& out,
                                   const EntitySpec* parent) {
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

void MappingLoader::load_each(const YAML::Node& node, const EntitySpec& spec, PushNode& out) {
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

// cannot_carry: {unapplied: "why, and what to do instead"}: top-level fields of the entity.
void MappingLoader::load_push_limits(const Entry& section, const EntitySpec& spec, PushTemplate& push) {
  if (!section.value.IsMap() || section.value.size() == 0) {
    problem(section.value, "push: cannot_carry: is a table of field: reason, e.g. {unapplied: \"...\"}");
    return;
  }
  std::vector<sv> names;
  for (const FieldSpec& fs : spec.fields) names.push_back(fs.name);
  for (const Entry& e : entries(section.value, "push: cannot_carry:")) {
    const int index = spec.field_index(e.key);
    if (index < 0) {
      problem(e.key_node, "push: cannot_carry: " + quoted(e.key) + " is not a field of " + std::string(spec.name) +
                              did_you_mean(e.key, names));
      continue;
    }
    auto reason = scalar(e.value, "push: cannot_carry: " + e.key);
    if (!reason) continue;
    if (reason->empty()) {
      problem(e.value, "push: cannot_carry: " + e.key + " needs a reason (shown to operators and the portal)");
      continue;
    }
    PushLimit limit;
    limit.index = static_cast<std::size_t>(index);
    limit.spec = &spec.fields[limit.index];
    limit.reason = *reason;
    limit.where = where(e.key_node.Mark());
    push.cannot_carry.push_back(std::move(limit));
  }
}

// {field: amount, date: "%Y%m%d", map: {card: CreditCard}, else: Other}
std::optional<PushField> MappingLoader::load_push_field(const YAML::Node& node, const EntitySpec& entity,
                                                        const EntitySpec* parent) {
  const EntitySpec* level = &entity;
  PushField f;
  f.where = where(node.Mark());
  std::optional<std::string> name;
  std::optional<Rows> rows;
  std::optional<Entry> otherwise;
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
      rows.emplace();
      for (const Entry& row : entries(e.value, "push: map:"))
        if (auto text = scalar(row.value, "push: map value")) rows->emplace_back(row.key, *text);
    } else if (e.key == "else") {
      otherwise = e;
    } else {
      problem(e.key_node, "unknown key " + quoted(e.key) + did_you_mean(e.key, kPushFieldKeys) +
                              " in a push field; it takes " + names_of(kPushFieldKeys));
    }
  }
  if (auto table = value_table(node, "push: field " + name.value_or("?"), std::move(rows), otherwise))
    f.table = std::move(*table);
  if (!name) return std::nullopt;
  if (!f.date.empty() && f.spec->type != FieldType::kDate)
    problem(node, "push: field " + std::string(f.spec->name) + " is " + to_string(f.spec->type) +
                      ", so date: does not apply");
  return f;
}

void MappingLoader::load_statements(const Entry& statement, const Entry* params, const EntitySpec& spec,
                                    PushTemplate& push) {
  std::vector<Entry> overrides = params ? entries(params->value, "push: params:") : std::vector<Entry>{};
  if (!statement.value.IsSequence()) {
    load_statement(statement.value, overrides, spec, nullptr, push.statements.emplace_back());
    return;
  }
  if (statement.value.size() == 0) problem(statement.value, "push: statement: the list is empty");
  for (const YAML::Node& item : statement.value) {
    PushStatement& out = push.statements.emplace_back();
    if (!item.IsMap()) {
      load_statement(item, overrides, spec, nullptr, out);
      continue;
    }
    if (!item["each"] || !item["statement"] || item.size() != 2) {
      problem(item, "push: a statement: list item is an SQL text or {each: <collection>, statement: \"...\"}");
      continue;
    }
    auto name = scalar(item["each"], "push: each:");
    int index = name ? spec.child_index(*name) : -1;
    if (name && index < 0) {
      std::vector<sv> names;
      for (const ChildSpec& c : spec.children) names.push_back(c.name);
      problem(item["each"], "push: each: " + quoted(*name) + " is not a collection of " + std::string(spec.name) +
                                did_you_mean(*name, names) + (names.empty() ? "" : "; it has " + names_of(names)));
    }
    if (index < 0) continue;
    out.each = static_cast<std::size_t>(index);
    load_statement(item["statement"], overrides, *spec.children[*out.each].entity, &spec, out);
  }
}

// "INSERT INTO t (a, b) VALUES (:amount, :payment_date)": each :name becomes ? and a parameter
// bound from the canonical field `name` (or params: name: {field: ..., date: ...}); inside
// each:, :^name is the parent's field.
void MappingLoader::load_statement(const YAML::Node& node, const std::vector<Entry>& overrides,
                                   const EntitySpec& spec, const EntitySpec* parent, PushStatement& out) {
  auto sql = scalar(node, "push: statement:");
  if (!sql) return;
  out.where = where(node.Mark());
  auto name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  char quote = 0;
  std::size_t placeholders = 0;
  for (std::size_t i = 0; i < sql->size(); ++i) {
    char c = (*sql)[i];
    char next = i + 1 < sql->size() ? (*sql)[i + 1] : 0;
    if (quote) {
      quote = c == quote ? 0 : quote;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ':' && next == ':') {
      out.sql += "::", ++i;  // a PostgreSQL cast, not a parameter
      continue;
    } else if (c == ':' && (std::isalpha(static_cast<unsigned char>(next)) || next == '_' || next == '^')) {
      std::size_t end = i + (next == '^' ? 2 : 1);
      while (end < sql->size() && name_char((*sql)[end])) ++end;
      std::string name = sql->substr(i + 1, end - i - 1);
      out.sql += '?';
      ++placeholders;
      add_param(name, overrides, node, spec, parent, out);
      i = end - 1;
      continue;
    }
    out.sql += c;
  }
  if (quote) problem(node, "push: statement: a quote is not closed");
  if (placeholders == 0) problem(node, "push: statement: binds no :field parameters");
}

void MappingLoader::add_param(const std::string& name, const std::vector<Entry>& overrides, const YAML::Node& at,
                              const EntitySpec& spec, const EntitySpec* parent, PushStatement& out) {
  auto o = std::find_if(overrides.begin(), overrides.end(), [&](const Entry& e) { return e.key == name; });
  if (o != overrides.end()) {
    if (auto f = load_push_field(o->value, spec, parent)) out.params.push_back(std::move(*f));
    return;
  }
  const bool up = name.starts_with('^');
  if (up && !parent) {
    problem(at, "push: statement: :" + name + " reads the parent, which only exists inside each:");
    return;
  }
  const EntitySpec& level = up ? *parent : spec;
  const std::string field = up ? name.substr(1) : name;
  int index = level.field_index(field);
  if (index < 0) {
    std::vector<sv> names;
    for (const FieldSpec& fs : level.fields) names.push_back(fs.name);
    problem(at, "push: statement: :" + name + " is not a field of " + std::string(level.name) +
                    did_you_mean(field, names) + " (or define it under params:)");
    return;
  }
  PushField f;
  f.index = static_cast<std::size_t>(index), f.spec = &level.fields[f.index], f.where = where(at.Mark());
  f.parent = up;
  out.params.push_back(std::move(f));
}

}  // namespace arsync::mapping
