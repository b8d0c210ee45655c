// ConnectorSpec helpers for the host: checking configured options against a spec's schema
// (check_options), typed access to checked options (OptionReader), durations, and joining
// option tables. The types themselves (OptionSpec, ConnectorConfig, ConnectorContext,
// ConnectorSpec, ...) are the public SDK's (connectors/include/arsync/connector.hpp). Built-ins
// are listed in one explicit table (registry.cpp); plugins are loaded by plugin_loader.hpp.
#pragma once

#include <array>
#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/clock.hpp"
#include "connectors/connector.hpp"
#include "connectors/http_transport.hpp"
#include "schema/result.hpp"

namespace arsync {

// Checks `values` against `schema`: unknown keys (with a did-you-mean), missing required
// options, and values that do not parse as their type. Every problem is reported.
std::vector<Error> check_options(const OptionValues& values, std::span<const OptionSpec> schema,
                                 std::string_view owner);

// Typed access to checked options; a missing optional key yields its default.
class OptionReader {
 public:
  OptionReader(const OptionValues& values, std::span<const OptionSpec> schema)
      : values_(values), schema_(schema) {}
  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::chrono::milliseconds duration(std::string_view key) const;

 private:
  std::string_view raw(std::string_view key) const;
  const OptionValues& values_;
  std::span<const OptionSpec> schema_;
};

Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// One option table from two (a connector's own options and a shared fragment such as
// kRetryOptions), at compile time.
template <std::size_t A, std::size_t B>
constexpr std::array<OptionSpec, A + B> join_options(const OptionSpec (&a)[A], const OptionSpec (&b)[B]) {
  std::array<OptionSpec, A + B> out{};
  for (std::size_t i = 0; i < A; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < B; ++i) out[A + i] = b[i];
  return out;
}

}  // namespace arsync
