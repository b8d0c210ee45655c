#include "schema/entity_json.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <type_traits>

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

}  // namespace

std::string entity_json(const Entity& entity) {
  std::string out;
  append_entity(out, entity);
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace arsync
