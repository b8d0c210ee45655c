// The connector registry: the one explicit table of built-in connector specs (no
// static-constructor self-registration, which static linking silently drops).
#pragma once

#include <span>
#include <string_view>

#include "connectors/connector_spec.hpp"

namespace arsync {

std::span<const ConnectorSpec* const> builtin_connectors();

// The built-in spec of `type`, else the loaded plugin's (plugin_loader.hpp), or nullptr.
const ConnectorSpec* find_connector(std::string_view type);

}  // namespace arsync
