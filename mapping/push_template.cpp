// Rendering a push template (see push_template.hpp). JSON is written by hand (the shape is the
// template's, values are escaped here); XML goes through pugixml, which escapes text and
// attributes; statements only ever carry values as parameters.
#include "mapping/push_template.hpp"

#include <algorithm>
#include <chrono>
#include <pugixml.hpp>
#include <sstream>

#include "schema/entity_json.hpp"
#include "schema/money.hpp"

namespace arsync {

const char* to_string(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::kErpWins: return "erp_wins";
    case ConflictPolicy::kPortalWins: return "portal_wins";
    case ConflictPolicy::kReject: return "reject";
  }
  return "?";
}

namespace mapping {
namespace {


const std::vector<Entity>& children_of(const Entity& e, std::size_t child) { return e.children[child]; }

// Appends the JSON of `node`; false when it is an absent field (the member is left out).
Result<bool> render_json(const PushNode& node, const Entity& entity, const Entity* parent, std::string& out) {
  switch (node.kind) {
    case PushNode::Kind::kLiteral:
      append_json_string(out, node.literal);
      return true;
    case PushNode::Kind::kField: {
      auto text = node.field.text(entity, parent);
      if (!text) return fail(std::move(text.error()));
      if (!*text) return false;
      if (node.field.json_bare())
        out += **text;
      else
        append_json_string(out, **text);
      return true;
    }
    case PushNode::Kind::kObject: {
      out += '{';
      bool first = true;
      for (const PushNode& member : node.children) {
        std::size_t mark = out.size();
        if (!first) out += ',';
        append_json_string(out, member.name);
        out += ':';
        auto written = render_json(member, entity, parent, out);
        if (!written) return written;
        if (!*written)
          out.resize(mark);
        else
          first = false;
      }
      out += '}';
      return true;
    }
    case PushNode::Kind::kArray:
    case PushNode::Kind::kEach: {
      out += '[';
      bool first = true;
      auto item = [&](const PushNode& body, const Entity& e, const Entity* up) -> Result<bool> {
        std::size_t mark = out.size();
        if (!first) out += ',';
        auto written = render_json(body, e, up, out);
        if (!written) return written;
        if (!*written)
          out.resize(mark);
        else
          first = false;
        return true;
      };
      if (node.kind == PushNode::Kind::kEach) {
        for (const Entity& child : children_of(entity, node.child))
          if (auto ok = item(node.children[0], child, &entity); !ok) return ok;
      } else {
        for (const PushNode& c : node.children)
          if (auto ok = item(c, entity, parent); !ok) return ok;
      }
      out += ']';
      return true;
    }
  }
  return false;
}

// Adds `node` under `parent` as the element (or attribute, "@name") called `name`.
Result<void> render_xml(const PushNode& node, const std::string& name, const Entity& entity, const Entity* up,
                        pugi::xml_node parent) {
  switch (node.kind) {
    case PushNode::Kind::kLiteral:
    case PushNode::Kind::kField: {
      std::optional<std::string> text = node.literal;
      if (node.kind == PushNode::Kind::kField) {
        auto t = node.field.text(entity, up);
        if (!t) return fail(std::move(t.error()));
        text = std::move(*t);
      }
      if (!text) return {};  // absent: no element
      if (name.starts_with('@'))
        parent.append_attribute(name.c_str() + 1).set_value(text->c_str());
      else
        parent.append_child(name.c_str()).text().set(text->c_str());
      return {};
    }
    case PushNode::Kind::kObject: {
      pugi::xml_node element = parent.append_child(name.c_str());
      for (const PushNode& member : node.children)
        if (auto ok = render_xml(member, member.name, entity, up, element); !ok) return ok;
      return {};
    }
    case PushNode::Kind::kArray:
      for (const PushNode& item : node.children)
        if (auto ok = render_xml(item, name, entity, up, parent); !ok) return ok;
      return {};
    case PushNode::Kind::kEach:
      for (const Entity& child : children_of(entity, node.child))
        if (auto ok = render_xml(node.children[0], name, child, &entity, parent); !ok) return ok;
      return {};
  }
  return {};
}

}  // namespace

std::string format_date(std::string_view date, std::string_view pattern) {
  if (date.size() != 10) return {};
  int y = std::atoi(std::string(date.substr(0, 4)).c_str());
  int m = std::atoi(std::string(date.substr(5, 2)).c_str());
  int d = std::atoi(std::string(date.substr(8, 2)).c_str());
  if (pattern == "ms_json") {
    namespace chr = std::chrono;
    chr::sys_days day{chr::year(y) / chr::month(static_cast<unsigned>(m)) /
                      chr::day(static_cast<unsigned>(d))};
    return "/Date(" + std::to_string(chr::duration_cast<chr::milliseconds>(day.time_since_epoch()).count()) +
           "+0000)/";
  }
  std::string out;
  char buf[8];
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    if (++i == pattern.size()) return {};
    switch (pattern[i]) {
      case 'Y':
        std::snprintf(buf, sizeof buf, "%04d", y);
        break;
      case 'y':
        std::snprintf(buf, sizeof buf, "%02d", y % 100);
        break;
      case 'm':
        std::snprintf(buf, sizeof buf, "%02d", m);
        break;
      case 'd':
        std::snprintf(buf, sizeof buf, "%02d", d);
        break;
      case '%':
        std::snprintf(buf, sizeof buf, "%%");
        break;
      default:
        return {};
    }
    out += buf;
  }
  return out;
}

Result<std::optional<std::string>> PushField::text(const Entity& entity, const Entity* parent_entity) const {
  const Value& v = (parent && parent_entity ? *parent_entity : entity).values[index];
  std::string out;
  if (std::holds_alternative<std::monostate>(v)) return std::optional<std::string>();
  if (auto* s = std::get_if<std::string>(&v))
    out = *s;
  else if (auto* m = std::get_if<Money>(&v))
    out = format_amount(*m);
  else if (auto* d = std::get_if<Decimal>(&v))
    out = d->to_string();
  else if (auto* b = std::get_if<bool>(&v))
    out = *b ? "true" : "false";
  else if (auto* octets = std::get_if<Bytes>(&v))
    out = octets->data;
  else
    out = std::to_string(std::get<std::int64_t>(v));
  if (!table.empty()) {
    auto mapped = table.translate(out);
    if (!mapped)
      return fail(ErrorKind::kInvalidInput,
                  "push: " + std::string(spec->name) + " \"" + out + "\" is not in the map (" + table.known() +
                      ") and its else: is reject; add it to map: if the ERP has a value for it",
                  where);
    out = std::string(*mapped);
  } else if (!date.empty() && spec->type == FieldType::kDate) {
    out = format_date(out, date);
  }
  return std::optional<std::string>(std::move(out));
}

bool PushField::json_bare() const {
  if (!table.empty()) return false;
  return spec->type == FieldType::kMoney || spec->type == FieldType::kDecimal ||
         spec->type == FieldType::kInteger || spec->type == FieldType::kBool;
}

bool PushLimit::hit(const Entity& entity) const {
  const Value& v = entity.values[index];
  if (const auto* m = std::get_if<Money>(&v)) return m->minor != 0;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i != 0;
  if (const auto* d = std::get_if<Decimal>(&v)) return d->units != 0;
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* s = std::get_if<std::string>(&v)) return !s->empty();
  if (const auto* octets = std::get_if<Bytes>(&v)) return !octets->data.empty();
  return false;
}

namespace {

// Inside each: a field is the child's unless it reads ^parent.
bool names_field(const PushNode& node, std::size_t index, bool in_each) {
  if (node.kind == PushNode::Kind::kField) return node.field.index == index && node.field.parent == in_each;
  for (const PushNode& child : node.children)
    if (names_field(child, index, in_each || node.kind == PushNode::Kind::kEach)) return true;
  return false;
}

}  // namespace

bool PushTemplate::sends(std::size_t index) const {
  for (const PushStatement& s : statements)
    for (const PushField& p : s.params)
      if (p.index == index && p.parent == s.each.has_value()) return true;
  return names_field(body, index, false);
}

Result<PushBody> PushTemplate::render(const Entity& entity) const {
  for (const PushLimit& limit : cannot_carry) {
    if (!limit.hit(entity)) continue;
    const Value& v = entity.values[limit.index];
    const Money* m = std::get_if<Money>(&v);
    return fail(ErrorKind::kInvalidInput,
                "push: this ERP request cannot carry " + std::string(limit.spec->name) +
                    (m ? " (" + m->to_string() + ")" : std::string()) + ", so the " + std::string(entity.spec->name) +
                    " is not sent: " + limit.reason,
                limit.where);
  }
  PushBody out;
  out.content_type = content_type;
  if (format == Format::kStatement) {
    auto add = [&](const PushStatement& s, const Entity& level, const Entity* parent) -> Result<void> {
      SqlStatement& rendered = out.statements.emplace_back(SqlStatement{s.sql, {}, s.where});
      for (const PushField& p : s.params) {
        auto text = p.text(level, parent);
        if (!text) return fail(std::move(text.error()));
        rendered.params.push_back(std::move(*text));
      }
      return {};
    };
    for (const PushStatement& s : statements) {
      if (!s.each) {
        if (auto ok = add(s, entity, nullptr); !ok) return fail(std::move(ok.error()));
        continue;
      }
      for (const Entity& child : entity.children[*s.each])
        if (auto ok = add(s, child, &entity); !ok) return fail(std::move(ok.error()));
    }
    return out;
  }
  if (format == Format::kJson) {
    auto written = render_json(body, entity, nullptr, out.body);
    if (!written) return fail(std::move(written.error()));
    return out;
  }
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version").set_value("1.0");
  decl.append_attribute("encoding").set_value("utf-8");
  for (const PushNode& root : body.children)
    if (auto ok = render_xml(root, root.name, entity, nullptr, doc); !ok) return fail(std::move(ok.error()));
  std::ostringstream text;
  doc.save(text, "", pugi::format_raw);
  out.body = text.str();
  return out;
}

}  // namespace mapping
}  // namespace arsync
