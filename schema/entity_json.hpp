// The canonical JSON text of an entity: how the mirror shows a record it refused (the rejects
// table's `raw` for store-side rejects, where the ERP's own text is no longer at hand).
// Fields in catalog order, absent fields left out, money as {"amount": "12.50", "currency":
// "USD"} (exact text, never a float), decimals as their canonical text, children as arrays.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "schema/catalog.hpp"
#include "schema/result.hpp"

namespace arsync {

// Appends `text` as a JSON string literal (quoted, escaped by nlohmann/json). Bytes that are not
// valid UTF-8 become U+FFFD rather than failing: this text is for people and for ERP bodies.
void append_json_string(std::string& out, std::string_view text);

std::string entity_json(const Entity& entity);

// The reverse, for an outbox item's payload: an entity of `spec` from entity_json()'s text.
// Unknown members, wrong types and bad amounts are InvalidInput errors naming the member.
Result<Entity> entity_from_json(const EntitySpec& spec, std::string_view text);

}  // namespace arsync
