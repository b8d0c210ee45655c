// arsync SDK — connector plugins: a shared library that exports ONE extern "C" function,
// arsync_connector_plugin(), returning the ABI version it was built against and its
// ConnectorSpec. arsync dlopen()s every *.so in its configured plugin_dirs, calls that
// function, refuses a library whose ABI version differs from its own (naming the file and both
// versions), and then treats the spec's type like a built-in connector type. There is no
// static self-registration: the exported function is the only entry point. docs/plugins.md is
// the guide.
//
//   #include <arsync/plugin.hpp>
//   const arsync::ConnectorSpec kSpec{"csv-http", "...", kOptions, kStreamOptions, &create};
//   ARSYNC_CONNECTOR_PLUGIN(kSpec)
//
// ABI rules: kAbiVersion changes whenever a type in these headers changes its layout or a
// virtual function is added, removed or reordered. The C++ types cross the boundary as they
// are, so a plugin must be built with the same compiler family and standard library as arsync
// (g++ / libstdc++ with the C++11 string ABI, C++23 mode — the arsync::sdk CMake target sets it).
// No exception may leave a plugin's functions: arsync catches what does and turns it into an
// error, but the plugin's state is then unknown.
#pragma once

#include <arsync/connector.hpp>
#include <cstdint>

namespace arsync {

// The connector ABI this SDK describes. Bump on any incompatible change to the SDK headers.
inline constexpr std::uint32_t kAbiVersion = 5;  // 2: PushRequest::statements; 3: quarantined(); 4: PushRequest::erp_id; 5: Page::continues

// What a plugin's entry point returns. `abi_version` is the first member and keeps its place in
// every version, so a host can read it before trusting anything else in the struct.
struct PluginInfo {
  std::uint32_t abi_version;
  const ConnectorSpec* spec;
};

// The entry point's name and type, for hosts.
inline constexpr const char* kPluginEntryPoint = "arsync_connector_plugin";
using PluginEntryPoint = const PluginInfo* (*)();

}  // namespace arsync

// Defines the plugin's entry point, returning `spec` (a ConnectorSpec with static storage).
#define ARSYNC_CONNECTOR_PLUGIN(spec)                                                                       \
  extern "C" __attribute__((visibility("default"))) const ::arsync::PluginInfo* arsync_connector_plugin() { \
    static const ::arsync::PluginInfo info{::arsync::kAbiVersion, &(spec)};                                 \
    return &info;                                                                                           \
  }
