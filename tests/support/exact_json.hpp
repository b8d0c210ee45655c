// exact_json: JSON parsing for tests that must not pass money through a double. parse_exact()
// builds an ordinary nlohmann::json, except that every JSON number becomes the marker object
// {"$number": "<source text>"} (nlohmann's SAX interface hands over a float's source text).
// Amounts are then read exactly with minor_units(). A JSON *string* "12.3.4" stays a string,
// so a test can tell a malformed amount from a number.
// Owned by the erp-sim work (tests/support). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace arsync::test {

// Throws std::runtime_error (with nlohmann's message) on invalid JSON.
nlohmann::json parse_exact(std::string_view text);

// Whether `value` is a number marker from parse_exact.
bool is_exact_number(const nlohmann::json& value);
// The number's source text ("108.25"); throws std::runtime_error if `value` is not a number.
std::string number_text(const nlohmann::json& value);
// A decimal ("108.25", "-3", "12.345") as minor units with `exponent` decimals, exactly:
// 108.25 at exponent 2 -> 10825. Throws std::runtime_error on more decimals than the exponent
// allows, exponent notation, or anything that is not a plain decimal.
int64_t decimal_to_minor(std::string_view text, int exponent);
// decimal_to_minor(number_text(value), exponent).
int64_t minor_units(const nlohmann::json& value, int exponent);
// An integer number marker as int64 (sequence numbers, counts).
int64_t exact_integer(const nlohmann::json& value);

}  // namespace arsync::test
