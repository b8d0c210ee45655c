// JSON reader: turns an ERP's JSON response body into Records (the sync hot path) and a single
// JSON document into a Node (samples, webhook payloads).
//
// Built on simdjson's on-demand parser. Numbers keep their exact source text ("1234.50" stays
// "1234.50") so money never passes through double; strings are unescaped. The whole body is
// validated before anything is returned: an invalid or truncated body is an InvalidInput error
// naming the byte offset, and no partial page is ever produced.
//
// simdjson needs SIMDJSON_PADDING readable bytes after the text. The string_view overloads
// copy the body into a per-thread padded buffer (a memcpy, a few percent of the parse); the
// std::string& overload parses in place after reserving the padding in the string's capacity
// (its contents are unchanged). Each thread uses its own parser: the functions are safe to
// call from any number of threads; results own all their memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping/record.hpp"
#include "schema/result.hpp"

namespace arsync {

struct JsonPage {
  std::vector<Record> records;
  std::optional<std::string> next_link;
};

// Parses a response body: the array at `records_path` (dotted member names, e.g. "value" or
// "d.results"; "" = the body is the array) becomes records, each an object whose Record::raw is
// its exact JSON text. The string at `next_link_path` (e.g. "@odata.nextLink"; "" = none) is
// returned if present. A missing records array is an error (an ERP error body, usually).
Result<JsonPage> read_json_page(std::string_view body, std::string_view records_path,
                                std::string_view next_link_path);
Result<JsonPage> read_json_page(std::string& body, std::string_view records_path,
                                std::string_view next_link_path);

// A large body's records a page at a time (dropdir files): locate_json_records checks the whole
// body as read_json_page would (same errors) but keeps only each record's place in it, and
// read_json_record then reads one record from its text, the Record read_json_page would give.
struct JsonSpan {
  std::size_t offset, size;  // of the record's text in the body
};
Result<std::vector<JsonSpan>> locate_json_records(std::string& body, std::string_view records_path);
Result<Record> read_json_record(std::string_view record_text);

// Parses one JSON document of any shape.
Result<Node> parse_json(std::string_view text);

}  // namespace arsync
