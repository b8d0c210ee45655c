// arsync SDK — Result<T>: how every expected failure travels, as a value, never an exception
// (part of the public connector API; see connector.hpp and docs/plugins.md).
//
// An Error carries a closed `kind` (policy switches on it, never on the text), a human
// message that says what went wrong and what to do, and `where` (a file:line:col, a record
// key, a URL) so an operator can find the cause. Exceptions stay inside a module and never
// cross the plugin boundary.
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

inline const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput:
      return "invalid input";
    case ErrorKind::kNotFound:
      return "not found";
    case ErrorKind::kTransient:
      return "transient";
    case ErrorKind::kPermanent:
      return "permanent";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kIo:
      return "io";
  }
  return "unknown";
}

struct Error {
  ErrorKind kind = ErrorKind::kInvalidInput;
  std::string message;
  std::string where;  // "file:line:col", "record INV-1", "GET http://..."; may be empty

  // "where: message" (or just the message when `where` is empty).
  std::string describe() const { return where.empty() ? message : where + ": " + message; }
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
