// odbc cursor: the `odbc` connector's keyset cursor as stored text, and the overlap that a run's
// first page reaches back by (the contract: odbc_connector.hpp).
//
// The cursor is a JSON array of the cursor columns' values exactly as the driver rendered them
// (["2025-03-01 08:00:00.123","INV-0000042"]), so binding it back compares against the same
// text the ERP produced: no timestamp or decimal is reformatted on the way round.
// Plain functions; no thread contract.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "schema/result.hpp"

namespace arsync {

std::string encode_cursor(const std::vector<std::string>& values);

// The values of a stored cursor; InvalidInput when it is not a JSON array of `expected`
// strings (cursor_columns changed since the cursor was committed).
Result<std::vector<std::string>> decode_cursor(std::string_view text, std::size_t expected);

// `text` lowered by `overlap` if it reads as a timestamp ("YYYY-MM-DD HH:MM:SS[.fff][zone]"),
// in the same shape (separator, zone, fraction digits) so the driver parses it as it parsed
// the original; otherwise unchanged.
std::string lowered_by_overlap(const std::string& text, std::chrono::milliseconds overlap);

// A stream without cursor columns pages by row count: its page token is "offset:<rows read>".
inline constexpr std::string_view kOffsetTokenPrefix = "offset:";
bool is_offset_token(std::string_view token);
// The rows already read according to an offset page token; InvalidInput naming the token when
// what follows "offset:" is not a whole number of rows.
Result<std::size_t> decode_offset_token(std::string_view token);

}  // namespace arsync
