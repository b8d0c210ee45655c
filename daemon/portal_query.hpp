// QueryParams: a /v1 request's query string, percent-decoded, with typed getters that turn a
// bad value into an InvalidInput error naming the parameter (the API answers it as a 400).
//
// Unknown parameters are errors too: a misspelt filter (`stauts=open`) must not silently
// return every invoice. Plain value; no thread contract.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "schema/result.hpp"

namespace arsync {

class QueryParams {
 public:
  // Parses the part of `target` after '?'. A parameter given twice, or not in `allowed`, is an
  // error.
  static Result<QueryParams> parse(std::string_view target, std::initializer_list<std::string_view> allowed);

  std::optional<std::string> text(std::string_view name) const;
  // An integer in [min, max]; `fallback` when absent.
  Result<std::int64_t> integer(std::string_view name, std::int64_t fallback, std::int64_t min,
                               std::int64_t max) const;
  // A calendar date YYYY-MM-DD, or "" when absent.
  Result<std::string> date(std::string_view name) const;
  // true/false (also 1/0); `false` when absent.
  Result<bool> flag(std::string_view name) const;
  // A comma-separated list whose items must all be in `allowed`; empty when absent.
  Result<std::vector<std::string>> list(std::string_view name, std::initializer_list<std::string_view> allowed) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Today's date in UTC as YYYY-MM-DD.
std::string today_utc();

// Parses a path segment that is a mirror id (a positive integer); nullopt otherwise.
std::optional<std::int64_t> parse_id(std::string_view segment);

}  // namespace arsync
