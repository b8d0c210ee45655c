// The canonical JSON text of an entity: how the mirror shows a record it refused (the rejects
// table's `raw` for store-side rejects, where the ERP's own text is no longer at hand).
// Fields in catalog order, absent fields left out, money as {"amount": "12.50", "currency":
// "USD"} (exact text, never a float), decimals as their canonical text, children as arrays.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "schema/catalog.hpp"

namespace arsync {

std::string entity_json(const Entity& entity);

}  // namespace arsync
