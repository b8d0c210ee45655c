#include "schema/entity_json.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "schema/money.hpp"

namespace arsync {
namespace {


void append_value(std::string& out, const Value& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, v);
        } else if constexpr (std::is_same_v<T, Money>) {
          out += "{\"amount\":";
          append_json_string(out, format_amount(v));
          out += ",\"currency\":";
          append_json_string(out, v.currency);
          out += '}';
        } else if constexpr (std::is_same_v<T, Decimal>) {
          append_json_string(out, v.to_string());
        } else if constexpr (std::is_same_v<T, Bytes>) {
          // Octets are not JSON text; a document's bytes never travel in a payload or a reject,
          // so their size says enough.
          out += "{\"bytes\":" + std::to_string(v.data.size()) + "}";
        }
      },
      value);
}

void append_entity(std::string& out, const Entity& entity) {
  out += '{';
  bool first = true;
  auto key = [&](std::string_view name) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
  };
  for (std::size_t i = 0; i < entity.values.size() && entity.spec; ++i) {
    if (std::holds_alternative<std::monostate>(entity.values[i])) continue;
    key(entity.spec->fields[i].name);
    append_value(out, entity.values[i]);
  }
  for (std::size_t c = 0; c < entity.children.size() && entity.spec; ++c) {
    key(entity.spec->children[c].name);
    out += '[';
    for (std::size_t k = 0; k < entity.children[c].size(); ++k) {
      if (k) out += ',';
      append_entity(out, entity.children[c][k]);
    }
    out += ']';
  }
  out += '}';
}

using nlohmann::json;

Result<Value> value_from_json(const FieldSpec& field, const json& j, const std::string& where) {
  auto wrong = [&](std::string_view expected) {
    return fail(ErrorKind::kInvalidInput, std::string(field.name) + " should be " + std::string(expected), where);
  };
  switch (field.type) {
    case FieldType::kBool:
      if (!j.is_boolean()) return wrong("true or false");
      return Value(j.get<bool>());
    case FieldType::kInteger:
      if (!j.is_number_integer()) return wrong("an integer");
      return Value(j.get<std::int64_t>());
    case FieldType::kMoney: {
      if (!j.is_object() || !j.contains("amount") || !j["amount"].is_string() || !j.contains("currency") ||
          !j["currency"].is_string())
        return wrong("{\"amount\": \"12.50\", \"currency\": \"USD\"}");
      auto money = parse_money(j["amount"].get<std::string>(), j["currency"].get<std::string>());
      if (!money) return fail(ErrorKind::kInvalidInput, std::string(field.name) + ": " + money.error().message, where);
      return Value(std::move(*money));
    }
    case FieldType::kDecimal: {
      if (!j.is_string()) return wrong("a decimal as text");
      auto decimal = parse_decimal(j.get<std::string>());
      if (!decimal) return fail(ErrorKind::kInvalidInput, std::string(field.name) + ": " + decimal.error().message, where);
      return Value(*decimal);
    }
    case FieldType::kBytes:
      return fail(ErrorKind::kInvalidInput,
                  std::string(field.name) + " holds bytes, which a JSON payload cannot carry", where);
    default:
      if (!j.is_string()) return wrong("text");
      return Value(j.get<std::string>());
  }
}

Result<Entity> entity_from(const EntitySpec& spec, const json& j, const std::string& where) {
  if (!j.is_object()) return fail(ErrorKind::kInvalidInput, "a " + std::string(spec.name) + " must be an object", where);
  Entity entity(&spec);
  for (const auto& [name, member] : j.items()) {
    if (member.is_null()) continue;
    const std::string at = where + "." + name;
    if (const int f = spec.field_index(name); f >= 0) {
      auto value = value_from_json(spec.fields[f], member, at);
      if (!value) return fail(value.error());
      entity.values[f] = std::move(*value);
    } else if (const int c = spec.child_index(name); c >= 0 && member.is_array()) {
      for (std::size_t k = 0; k < member.size(); ++k) {
        auto child = entity_from(*spec.children[c].entity, member[k], at + "[" + std::to_string(k) + "]");
        if (!child) return fail(child.error());
        entity.children[c].push_back(std::move(*child));
      }
    } else {
      return fail(ErrorKind::kInvalidInput, "no field '" + name + "' in a " + std::string(spec.name), at);
    }
  }
  return entity;
}

}  // namespace

Result<Entity> entity_from_json(const EntitySpec& spec, std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail(ErrorKind::kInvalidInput, "not valid JSON", std::string(spec.name));
  return entity_from(spec, j, std::string(spec.name));
}

std::string entity_json(const Entity& entity) {
  std::string out;
  append_entity(out, entity);
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace arsync
