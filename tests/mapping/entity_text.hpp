// Test helpers for mapping tests: a file's bytes, a canonical Entity as one line of text
// ("field=value ... [child ...]", money as "minor CUR") so a test compares exact output, and a
// mapping text's load problems.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "mapping/mapping.hpp"
#include "schema/catalog.hpp"

namespace arsync::test {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string show(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "-";
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* m = std::get_if<Money>(&v)) return std::to_string(m->minor) + " " + m->currency;
  if (auto* b = std::get_if<bool>(&v)) return *b ? "yes" : "no";
  if (auto* d = std::get_if<Decimal>(&v)) return d->to_string();
  return std::to_string(std::get<std::int64_t>(v));
}

// "field=value ..." of every field, then each child as "[field=value ...]".
inline std::string show(const Entity& e) {
  std::string out;
  for (std::size_t i = 0; i < e.spec->fields.size(); ++i)
    if (!std::holds_alternative<std::monostate>(e.values[i]))
      out += (out.empty() ? "" : " ") + std::string(e.spec->fields[i].name) + "=" + show(e.values[i]);
  for (const auto& list : e.children)
    for (const Entity& child : list) out += " [" + show(child) + "]";
  return out;
}

// Every problem loading `yaml` (as t.yaml) as "t.yaml:line:col: message" lines; "" when it loads.
inline std::string load_problems(const std::string& yaml) {
  auto m = Mapping::parse(yaml, "t.yaml");
  if (m) return "";
  std::string out;
  for (const Error& e : m.error()) out += e.describe() + "\n";
  return out;
}

}  // namespace arsync::test
