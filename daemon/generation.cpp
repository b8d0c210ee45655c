#include "daemon/generation.hpp"

#include <algorithm>
#include <cctype>

namespace arsync {
namespace {

// "Invoices", "invoice", "INVOICE", "credit_memos" ~ "CreditMemo": letters only, lower-case,
// without a trailing plural "s".
std::string entity_key(std::string_view name) {
  std::string key;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c)))
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (key.size() > 1 && key.back() == 's') key.pop_back();
  return key;
}

void load_mappings(Generation& generation, std::vector<Error>& problems) {
  for (const ConnectorEntry& connector : generation.config.connectors)
    for (const StreamEntry& stream : connector.streams) {
      if (generation.mappings.contains(stream.mapping.string())) continue;
      auto mapping = Mapping::load(stream.mapping);
      if (mapping)
        generation.mappings.emplace(stream.mapping.string(), std::move(*mapping));
      else
        problems.insert(problems.end(), mapping.error().begin(), mapping.error().end());
    }
}

// A mapping's records: and next_link: say where its records and the next page sit in a
// response; they fill the connector's stream options of the same name that the config leaves
// out (an option written in the config wins).
void apply_mapping_paging(Generation& generation) {
  for (ConnectorEntry& connector : generation.config.connectors)
    for (std::size_t i = 0; i < connector.streams.size(); ++i) {
      const Mapping& mapping = generation.mapping(connector.streams[i]);
      OptionValues& options = connector.config.streams[i].options;
      auto takes = [&](std::string_view key) {
        return std::any_of(connector.spec->stream_options.begin(), connector.spec->stream_options.end(),
                           [&](const OptionSpec& o) { return o.key == key; });
      };
      if (mapping.records_path() && takes("records") && !options.contains("records"))
        options["records"] = {*mapping.records_path(), mapping.file()};
      if (mapping.next_link_path() && takes("next_link") && !options.contains("next_link"))
        options["next_link"] = {*mapping.next_link_path(), mapping.file()};
    }
}

// A reconcile sweeps every row of its source and entity it did not see: that is only right
// when that stream alone writes the entity for its connector, and the entity has tombstones.
void check_reconciles(const Generation& generation, std::vector<Error>& problems) {
  for (const ConnectorEntry& connector : generation.config.connectors)
    for (const StreamEntry& stream : connector.streams) {
      if (stream.reconcile.count() == 0) continue;
      const EntitySpec& entity = generation.mapping(stream).entity();
      std::string_view table = entity.table;
      if (table != "customers" && table != "invoices" && table != "credit_memos" && table != "payments")
        problems.push_back({ErrorKind::kInvalidInput,
                            "stream '" + stream.name + "' maps " + std::string(entity.name) +
                                ", which has no tombstones: remove its reconcile:",
                            stream.where});
      for (const StreamEntry& other : connector.streams)
        if (&other != &stream && &generation.mapping(other).entity() == &entity)
          problems.push_back({ErrorKind::kInvalidInput,
                              "stream '" + stream.name + "' has reconcile: but stream '" + other.name +
                                  "' of connector " + connector.config.name + " also writes " +
                                  std::string(table) + "; a reconcile would tombstone its rows",
                              stream.where});
    }
}

// A stream whose mapping only pushes (a dispute mapping) says where those items go; it has
// nothing to pull, so it leaves `streams`, which everything that pulls walks.
void separate_push_streams(Generation& generation) {
  for (ConnectorEntry& connector : generation.config.connectors) {
    auto pushed_only = [&](const StreamEntry& s) { return !generation.mapping(s).pulls(); };
    for (const StreamEntry& stream : connector.streams)
      if (pushed_only(stream)) connector.push_streams.push_back(stream);
    std::erase_if(connector.streams, pushed_only);
  }
}

void load_schemes(Generation& generation, std::vector<Error>& problems) {
  for (const ConnectorEntry& connector : generation.config.connectors) {
    if (connector.webhook.scheme.empty()) continue;
    const WebhookSchemeSpec* spec = find_webhook_scheme(connector.webhook.scheme);
    if (!spec) continue;  // load_config reported it
    auto scheme = spec->create(connector.webhook.options);
    if (!scheme) {
      Error e = scheme.error();
      if (e.where.empty()) e.where = connector.webhook.where;
      problems.push_back(std::move(e));
      continue;
    }
    generation.schemes.emplace(connector.config.name, std::move(*scheme));
  }
}

}  // namespace

const StreamEntry* Generation::stream_for_entity(const std::string& connector,
                                                 std::string_view entity) const {
  const ConnectorEntry* entry = config.find_connector(connector);
  if (!entry) return nullptr;
  std::string wanted = entity_key(entity);
  for (const StreamEntry& stream : entry->streams)
    if (entity_key(stream.webhook_entity.empty() ? stream.name : stream.webhook_entity) == wanted)
      return &stream;
  return nullptr;
}

const StreamEntry* Generation::push_stream(std::string_view connector, std::string_view entity) const {
  const ConnectorEntry* entry = config.find_connector(connector);
  if (!entry) return nullptr;
  for (const auto* list : {&entry->streams, &entry->push_streams})
    for (const StreamEntry& stream : *list) {
      const Mapping& m = mapping(stream);
      if (m.has_push() && m.entity().name == entity) return &stream;
    }
  return nullptr;
}

std::vector<std::string> Generation::push_targets(std::string_view entity) const {
  std::vector<std::string> targets;
  for (const ConnectorEntry& entry : config.connectors)
    if (push_stream(entry.config.name, entity)) targets.push_back(entry.config.name);
  return targets;
}

std::vector<ApiWrite::CannotCarry> Generation::cannot_carry(std::string_view entity) const {
  std::vector<ApiWrite::CannotCarry> limits;
  for (const ConnectorEntry& entry : config.connectors)
    if (const StreamEntry* stream = push_stream(entry.config.name, entity))
      for (const mapping::PushLimit& limit : mapping(*stream).push_limits())
        limits.push_back({entry.config.name, std::string(limit.spec->name), limit.reason});
  return limits;
}

std::expected<std::shared_ptr<const Generation>, std::vector<Error>> load_generation(
    const std::filesystem::path& config_file) {
  auto config = load_config(config_file);
  if (!config) return std::unexpected(std::move(config.error()));
  auto generation = std::make_shared<Generation>();
  generation->config = std::move(*config);
  std::vector<Error> problems;
  load_mappings(*generation, problems);
  if (problems.empty()) apply_mapping_paging(*generation);
  if (problems.empty()) check_reconciles(*generation, problems);
  if (problems.empty()) separate_push_streams(*generation);
  load_schemes(*generation, problems);
  if (!problems.empty()) return std::unexpected(std::move(problems));
  return std::shared_ptr<const Generation>(std::move(generation));
}

}  // namespace arsync
