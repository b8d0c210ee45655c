// Result<T>: how every expected failure in arsync travels — as a value, never an exception.
//
// An Error carries a closed `kind` (policy switches on it, never on the text), a human
// message that says what went wrong and what to do, and `where` (a file:line:col, a record
// key, a URL) so an operator can find the cause. Exceptions stay inside a module.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace arsync {

enum class ErrorKind {
  kInvalidInput,  // bad record, bad YAML, bad request: fix the input, retrying won't help
  kNotFound,      // the thing asked for does not exist
  kTransient,     // timeout, 5xx, 429, connection loss: retry later
  kPermanent,     // the ERP refused for good (4xx validation): park and show an operator
  kConflict,      // someone else changed it meanwhile
  kIo,            // local disk / database failure
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInvalidInput;
  std::string message;
  std::string where;  // "file:line:col", "record INV-1", "GET http://..."; may be empty

  // "where: message" (or just the message when `where` is empty).
  std::string describe() const;
};

template <class T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
};

inline std::unexpected<Error> fail(ErrorKind kind, std::string message, std::string where = {}) {
  return std::unexpected<Error>(Error{kind, std::move(message), std::move(where)});
}

inline std::unexpected<Error> fail(Error error) { return std::unexpected<Error>(std::move(error)); }

}  // namespace arsync
