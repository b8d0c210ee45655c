// ConnectorSpec: a connector described as data (fluent-bit's config_map idea): its type name,
// a one-line description, a declarative schema for its options and its streams' options, and
// a factory. Built-ins are listed in one explicit table (registry.cpp); a plugin exports one
// function returning its spec. The core never knows a connector's concrete type.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/clock.hpp"
#include "connectors/connector.hpp"
#include "connectors/http_transport.hpp"
#include "schema/result.hpp"

namespace arsync {

enum class OptionType {
  kString,
  kInteger,
  kBool,
  kDuration,  // "500ms", "30s", "5m", "1h"
  kSecret,    // a string that is never logged or echoed back
  kUrl,
};

struct OptionSpec {
  std::string_view key;
  OptionType type;
  std::string_view default_value;  // "" with required = false: no default
  bool required = false;
  std::string_view description;
};

// One option as written in the config, after ${ENV} and file references were resolved.
struct OptionValue {
  std::string text;
  std::string where;  // "arsync.yaml:12:5"
};
using OptionValues = std::map<std::string, OptionValue, std::less<>>;

struct StreamConfig {
  std::string name;
  OptionValues options;  // the connector's stream options (engine keys like `mapping` removed)
  std::string where;
};

struct ConnectorConfig {
  std::string name;  // the instance name, also the `source` of its rows in the mirror
  std::string type;  // the spec's type: "json-http"
  OptionValues options;
  std::vector<StreamConfig> streams;
  std::string where;
};

// What a connector gets from its host: the environment, injected (tests swap in fakes).
struct ConnectorContext {
  Clock* clock = &system_clock();
  // Creates the HTTP client a connector sends through; tests inject fakes or fault injectors.
  std::unique_ptr<HttpTransport> (*make_transport)(HttpTransportOptions) = &make_http_transport;
  std::stop_token stop;
};

struct ConnectorSpec {
  std::string_view type;
  std::string_view description;
  std::span<const OptionSpec> options;
  std::span<const OptionSpec> stream_options;
  // Builds a connector from a config already checked against the two option schemas.
  Result<std::unique_ptr<Connector>> (*create)(const ConnectorConfig& config,
                                               const ConnectorContext& context);
};

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
