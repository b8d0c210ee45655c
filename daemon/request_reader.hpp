// RequestReader: reads a portal API request's JSON body field by field and collects every
// problem as a FieldError ("applications[1].amount: ...") instead of stopping at the first, so
// a 422 tells the client everything it has to fix. Members nobody asked for are reported by
// reject_unknown_members() (a typo'd field must not be silently ignored).
// Money is {"amount": "12.50", "currency": "USD"}: the amount is a string (a JSON number would
// pass through a double in most clients), parsed exactly at the currency's exponent.
// One reader per request; not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "schema/money.hpp"
#include "schema/portal_write.hpp"
#include "schema/result.hpp"

namespace arsync {

class RequestReader {
 public:
  // Parses `body`; an error when it is not a JSON object.
  static Result<RequestReader> parse(std::string_view body);
  ~RequestReader();
  RequestReader(RequestReader&&) noexcept;
  RequestReader& operator=(RequestReader&&) = delete;

  // Each reader returns a neutral value (0, "", nullopt) and records an error when the member is
  // missing (and required) or malformed.
  std::int64_t id(std::string_view name);                                   // required, > 0
  std::optional<std::int64_t> optional_id(std::string_view name);
  std::string text(std::string_view name, bool required, std::size_t max_length);
  std::string one_of(std::string_view name, std::span<const std::string_view> allowed);
  std::optional<std::string> date(std::string_view name, bool required);   // YYYY-MM-DD, a real date
  std::optional<Money> money(std::string_view name, bool required);        // amount > 0
  std::vector<std::int64_t> ids(std::string_view name, bool required);     // array of ids, no repeats
  // Calls `read` for each element of the array `name` (an object), with a reader for it and its
  // path ("applications[0]"); the element's errors are prefixed with that path, and its unknown
  // members reported.
  void each(std::string_view name, bool required, const std::function<void(RequestReader&, const std::string&)>& read);
  // Text of a member that may be a string or null ("from": null); nullopt for null.
  std::optional<std::string> nullable_text(std::string_view name, std::size_t max_length);
  // Whether the member is there at all (null included).
  bool has(std::string_view name) const;

  void error(std::string field, std::string message);
  void reject_unknown_members();
  bool ok() const { return errors_->empty(); }
  const std::vector<FieldError>& errors() const { return *errors_; }

 private:
  struct Doc;
  RequestReader(std::shared_ptr<Doc> doc, const void* node, std::string prefix,
                std::shared_ptr<std::vector<FieldError>> errors);
  const void* member(std::string_view name, bool required);
  std::string path(std::string_view name) const;

  std::shared_ptr<Doc> doc_;  // keeps the parsed document alive for nested readers
  const void* node_;          // the nlohmann::json object this reader reads
  std::string prefix_;        // "applications[0]." for a nested reader
  std::shared_ptr<std::vector<FieldError>> errors_;  // shared with nested readers
  std::set<std::string, std::less<>> seen_;
};

}  // namespace arsync
