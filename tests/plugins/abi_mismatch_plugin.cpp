// A connector plugin that says it was built for the next connector ABI version: arsync must
// refuse it by that number alone, before it reads anything else the plugin returns (here a
// null spec, which a host that trusted the struct would crash on).
#include <arsync/plugin.hpp>

extern "C" __attribute__((visibility("default"))) const arsync::PluginInfo* arsync_connector_plugin() {
  static const arsync::PluginInfo info{arsync::kAbiVersion + 1, nullptr};
  return &info;
}
