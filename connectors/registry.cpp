#include "connectors/registry.hpp"

#include "connectors/dropdir_connector.hpp"
#include "connectors/json_http_connector.hpp"
#include "connectors/odbc_connector.hpp"
#include "connectors/xml_http_connector.hpp"
#include "connectors/plugin_loader.hpp"

namespace arsync {
namespace {

const ConnectorSpec* const kBuiltins[] = {
    &json_http_spec(),
    &odbc_spec(),
    &dropdir_spec(),
    &xml_http_spec(),
};

}  // namespace

std::span<const ConnectorSpec* const> builtin_connectors() { return kBuiltins; }

const ConnectorSpec* find_connector(std::string_view type) {
  for (const ConnectorSpec* spec : kBuiltins)
    if (spec->type == type) return spec;
  return find_plugin_connector(type);
}

}  // namespace arsync
