#include "connectors/plugin_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <arsync/plugin.hpp>
#include <deque>
#include <exception>
#include <mutex>
#include <string>

#include "connectors/registry.hpp"
#include "schema/log.hpp"

namespace arsync {
namespace {

namespace fs = std::filesystem;

struct Plugin {
  std::string file;                    // canonical path of the library
  const ConnectorSpec* own = nullptr;  // the plugin's spec, in the library's memory
  ConnectorSpec guarded{};             // what the host registers: `own` behind exception guards
};

std::mutex g_mutex;
std::deque<Plugin> g_plugins;  // a deque: registered specs keep their address

const Plugin* find_locked(std::string_view type) {
  for (const Plugin& p : g_plugins)
    if (p.own->type == type) return &p;
  return nullptr;
}

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

Error escaped(const Plugin& plugin, std::string_view call, const std::exception_ptr& e) {
  return {ErrorKind::kPermanent,
          "connector plugin threw from " + std::string(call) + " (plugins must return errors): " + what_of(e),
          plugin.file};
}

// A plugin's connector, with the promise of connector.hpp — no exception crosses — enforced.
class GuardedConnector final : public Connector {
 public:
  GuardedConnector(const Plugin& plugin, std::unique_ptr<Connector> inner)
      : plugin_(plugin), inner_(std::move(inner)) {}

  Result<Page> pull(const PullRequest& request) override {
    try {
      return inner_->pull(request);
    } catch (...) {
      return fail(escaped(plugin_, "pull()", std::current_exception()));
    }
  }
  std::size_t max_ids_per_pull(const std::string& stream) const override {
    try {
      return inner_->max_ids_per_pull(stream);
    } catch (...) {
      return 0;  // then the engine reads the stream's delta instead
    }
  }
  PushResult push(const PushRequest& request) override {
    try {
      return inner_->push(request);
    } catch (...) {
      return {PushStatus::kRetry, "", escaped(plugin_, "push()", std::current_exception()).describe(), {}};
    }
  }
  void committed(const std::string& cursor) override {
    try {
      inner_->committed(cursor);
    } catch (...) {
      log(LogLevel::kError, "plugin_threw",
          {{"plugin", plugin_.file}, {"error", what_of(std::current_exception())}});
    }
  }

 private:
  const Plugin& plugin_;
  std::unique_ptr<Connector> inner_;
};

// The factory registered for every plugin: finds the plugin by the configured type.
Result<std::unique_ptr<Connector>> create_guarded(const ConnectorConfig& config,
                                                  const ConnectorContext& context) {
  const Plugin* plugin = nullptr;
  {
    std::lock_guard lock(g_mutex);
    plugin = find_locked(config.type);
  }
  if (!plugin) return fail(ErrorKind::kInvalidInput, "no connector plugin of type '" + config.type + "'");
  try {
    auto connector = plugin->own->create(config, context);
    if (!connector) return fail(connector.error());
    return std::unique_ptr<Connector>(std::make_unique<GuardedConnector>(*plugin, std::move(*connector)));
  } catch (...) {
    return fail(escaped(*plugin, "its factory", std::current_exception()));
  }
}

// Opens one library and checks it; the caller holds g_mutex.
std::optional<Error> load_locked(const fs::path& file) {
  std::string name = file.string();
  if (std::any_of(g_plugins.begin(), g_plugins.end(), [&](const Plugin& p) { return p.file == name; }))
    return std::nullopt;  // loaded by an earlier config generation
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Error{ErrorKind::kInvalidInput, std::string("cannot load the plugin: ") + dlerror(), name};
  auto entry = reinterpret_cast<PluginEntryPoint>(dlsym(handle, kPluginEntryPoint));
  if (!entry)
    return Error{ErrorKind::kInvalidInput,
                 std::string("not an arsync connector plugin: it exports no ") + kPluginEntryPoint + "()",
                 name};
  const PluginInfo* info = entry();
  if (!info || info->abi_version != kAbiVersion)
    return Error{ErrorKind::kInvalidInput,
                 "the plugin was built for connector ABI version " +
                     (info ? std::to_string(info->abi_version) : std::string("(none)")) +
                     ", but this arsync has ABI version " + std::to_string(kAbiVersion) +
                     "; rebuild the plugin against this arsync's SDK",
                 name};
  const ConnectorSpec* spec = info->spec;
  if (!spec || spec->type.empty() || !spec->create)
    return Error{ErrorKind::kInvalidInput,
                 "the plugin returned no connector spec (type and create are needed)", name};
  auto builtins = builtin_connectors();
  bool builtin =
      std::any_of(builtins.begin(), builtins.end(), [&](auto* b) { return b->type == spec->type; });
  const Plugin* other = find_locked(spec->type);
  if (builtin || other)
    return Error{ErrorKind::kInvalidInput,
                 "connector type '" + std::string(spec->type) + "' is already taken by " +
                     (other ? other->file : std::string("a built-in connector")) +
                     "; rename the plugin's type",
                 name};
  Plugin& plugin = g_plugins.emplace_back(Plugin{name, spec, *spec});
  plugin.guarded.create = &create_guarded;
  log(LogLevel::kInfo, "plugin_loaded", {{"file", name}, {"type", std::string(spec->type)}});
  return std::nullopt;
}

}  // namespace

std::vector<Error> load_plugins(std::span<const fs::path> dirs, std::string_view where) {
  std::vector<Error> problems;
  std::lock_guard lock(g_mutex);
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".so" && it->is_regular_file())
        files.push_back(fs::canonical(it->path(), ec));
    if (ec) {
      problems.push_back({ErrorKind::kInvalidInput,
                          "cannot read plugin folder " + dir.string() + ": " + ec.message(),
                          std::string(where)});
      continue;
    }
    std::sort(files.begin(), files.end());  // a stable order, so a type clash is reported the same way
    for (const fs::path& file : files)
      if (auto problem = load_locked(file)) problems.push_back(std::move(*problem));
  }
  return problems;
}

const ConnectorSpec* find_plugin_connector(std::string_view type) {
  std::lock_guard lock(g_mutex);
  const Plugin* plugin = find_locked(type);
  return plugin ? &plugin->guarded : nullptr;
}

}  // namespace arsync
