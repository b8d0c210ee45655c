// Plugin loader: third-party connectors (connectors/include/arsync/plugin.hpp) from the
// folders a config names in `plugin_dirs:`.
//
// Every *.so in a folder is dlopen()ed once per process and asked for its PluginInfo; a
// library built for another connector ABI version is refused with an error naming the file
// and both versions, before anything else in it is trusted. An accepted plugin's type is then
// found by find_connector() (registry.hpp) like a built-in's. Libraries are never unloaded:
// their code backs specs and connectors that outlive any one config generation, and dlclose
// under a live vtable is a crash.
//
// The spec registered for a plugin is a host-side copy whose factory calls the plugin's inside
// a try/catch and wraps the connector so that pull/push/committed do too: an exception that
// escapes a plugin becomes a kPermanent error naming the plugin instead of ending the process.
//
// Thread-safe: a mutex guards the process-wide list; returned specs live until exit.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

#include "connectors/connector_spec.hpp"

namespace arsync {

// Loads the plugins in `dirs` not loaded yet. Every problem is reported (with `where`, the
// config's plugin_dirs location, when the problem is the folder itself).
std::vector<Error> load_plugins(std::span<const std::filesystem::path> dirs, std::string_view where);

// The loaded plugin spec of `type`, or nullptr.
const ConnectorSpec* find_plugin_connector(std::string_view type);

}  // namespace arsync
