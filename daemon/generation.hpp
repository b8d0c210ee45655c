// Generation: one complete, validated set of configuration — the config file, every stream's
// compiled mapping and every connector's webhook scheme — loaded together. `arsync run` swaps
// whole generations on SIGHUP (a set with any problem is refused and the running one stays);
// the one-shot commands load one. Immutable once loaded; shared by pointer across threads.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/webhook.hpp"
#include "daemon/config.hpp"
#include "mapping/mapping.hpp"
#include "schema/portal_write.hpp"

namespace arsync {

struct Generation {
  Config config;
  std::map<std::string, Mapping> mappings;                        // by mapping file path
  std::map<std::string, std::unique_ptr<WebhookScheme>> schemes;  // by connector name

  const Mapping& mapping(const StreamEntry& stream) const { return mappings.at(stream.mapping.string()); }
  // The stream of `connector` that webhook events about `entity` belong to, or nullptr.
  // Matches webhook_entity, else the stream name; case-insensitive, singular or plural.
  const StreamEntry* stream_for_entity(const std::string& connector, std::string_view entity) const;
  // The stream of `connector` whose mapping pushes entities named `entity` ("payment"), or
  // nullptr when that connector takes no such items.
  const StreamEntry* push_stream(std::string_view connector, std::string_view entity) const;
  // The connectors that take pushed entities named `entity`.
  std::vector<std::string> push_targets(std::string_view entity) const;
  // What the push mappings of those connectors cannot carry (their push: cannot_carry:).
  std::vector<ApiWrite::CannotCarry> cannot_carry(std::string_view entity) const;
};

// Loads the config, every mapping and every webhook scheme; returns every problem found.
std::expected<std::shared_ptr<const Generation>, std::vector<Error>> load_generation(
    const std::filesystem::path& config_file);

}  // namespace arsync
