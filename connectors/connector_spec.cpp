#include "connectors/connector_spec.hpp"

#include <algorithm>
#include <charconv>

namespace arsync {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(std::string_view key, std::span<const OptionSpec> schema) {
  const OptionSpec* best = nullptr;
  std::size_t best_distance = 3;  // farther than this is not a typo
  for (const OptionSpec& spec : schema) {
    std::size_t d = edit_distance(key, spec.key);
    if (d < best_distance) best = &spec, best_distance = d;
  }
  return best ? " (did you mean '" + std::string(best->key) + "'?)" : "";
}

Result<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return fail(ErrorKind::kInvalidInput, "\"" + std::string(text) + "\" is not a whole number");
  return value;
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  return fail(ErrorKind::kInvalidInput, "\"" + std::string(text) + "\" is not true or false");
}

Result<void> parse_as(OptionType type, std::string_view text) {
  switch (type) {
    case OptionType::kInteger:
      if (auto v = parse_integer(text); !v) return fail(v.error());
      break;
    case OptionType::kBool:
      if (auto v = parse_bool(text); !v) return fail(v.error());
      break;
    case OptionType::kDuration:
      if (auto v = parse_duration(text); !v) return fail(v.error());
      break;
    case OptionType::kUrl:
      if (text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0)
        return fail(ErrorKind::kInvalidInput, "\"" + std::string(text) + "\" is not an http(s) URL");
      break;
    case OptionType::kString:
    case OptionType::kSecret:
      break;
  }
  return {};
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using std::chrono::milliseconds;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto number = parse_integer(text.substr(0, digits));
  std::string_view unit = text.substr(digits);
  static constexpr std::pair<std::string_view, long long> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
  for (auto [name, factor] : kUnits)
    if (number && unit == name) return milliseconds{*number * factor};
  return fail(ErrorKind::kInvalidInput,
              "\"" + std::string(text) + "\" is not a duration (write e.g. 500ms, 30s, 5m or 1h)");
}

std::vector<Error> check_options(const OptionValues& values, std::span<const OptionSpec> schema,
                                 std::string_view owner) {
  std::vector<Error> problems;
  for (const auto& [key, value] : values) {
    auto spec = std::find_if(schema.begin(), schema.end(), [&](const OptionSpec& s) { return s.key == key; });
    if (spec == schema.end()) {
      problems.push_back({ErrorKind::kInvalidInput,
                          std::string(owner) + " has no option '" + key + "'" + did_you_mean(key, schema),
                          value.where});
    } else if (auto ok = parse_as(spec->type, value.text); !ok) {
      problems.push_back({ErrorKind::kInvalidInput,
                          std::string(owner) + " option '" + key + "': " + ok.error().message, value.where});
    }
  }
  for (const OptionSpec& spec : schema)
    if (spec.required && !values.contains(spec.key))
      problems.push_back({ErrorKind::kInvalidInput,
                          std::string(owner) + " needs option '" + std::string(spec.key) +
                              "': " + std::string(spec.description),
                          {}});
  return problems;
}

std::string_view OptionReader::raw(std::string_view key) const {
  if (auto it = values_.find(key); it != values_.end()) return it->second.text;
  for (const OptionSpec& spec : schema_)
    if (spec.key == key) return spec.default_value;
  return {};
}

std::string OptionReader::string(std::string_view key) const { return std::string(raw(key)); }

// The values were checked by check_options(); a default that fails to parse is a bug caught
// by the registry test, so these fall back to zero rather than carry errors everywhere.
std::int64_t OptionReader::integer(std::string_view key) const { return parse_integer(raw(key)).value_or(0); }
bool OptionReader::boolean(std::string_view key) const { return parse_bool(raw(key)).value_or(false); }
std::chrono::milliseconds OptionReader::duration(std::string_view key) const {
  return parse_duration(raw(key)).value_or(std::chrono::milliseconds{0});
}

}  // namespace arsync
