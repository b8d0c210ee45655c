#include "schema/result.hpp"

namespace arsync {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidInput: return "invalid input";
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kTransient: return "transient";
    case ErrorKind::kPermanent: return "permanent";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kIo: return "io";
  }
  return "unknown";
}

std::string Error::describe() const { return where.empty() ? message : where + ": " + message; }

}  // namespace arsync
