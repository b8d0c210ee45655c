// The portal API's JSON shapes (docs/portal-api.md): mirror rows as JSON objects. Money is
// always {"amount": "12.50", "currency": "USD"} with the amount as exact text at the
// currency's exponent (schema/money.hpp format_amount), never a JSON number. Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "schema/mirror_reader.hpp"

namespace arsync {

nlohmann::json money_json(std::int64_t minor, const std::string& currency);
nlohmann::json to_json(const CustomerRow& customer);
nlohmann::json to_json(const InvoiceRow& invoice);
nlohmann::json to_json(const InvoiceDetail& detail);
nlohmann::json to_json(const CustomerStatement& statement);
nlohmann::json to_json(const DocumentRow& document);
nlohmann::json to_json(const ChangePage& page);

}  // namespace arsync
