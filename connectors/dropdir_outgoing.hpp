// DropOutgoing: the push half of the dropdir connector — outbox items written as files into the
// folder an ERP imports from (`outgoing`), one file per item, named by its idempotency key.
//
// A file appears whole or not at all: it is written under a hidden temporary name in the same
// folder (".<name>.tmp", which importers skip), fsync'd, renamed into place (atomic within one
// filesystem), and the folder is fsync'd so the rename survives a power cut. The name comes from
// the key, so a re-send after an unknown outcome replaces the same file instead of adding a
// second one.
//
// Look-up: an item is in the ERP when its file is in `outgoing` (not imported yet) or in
// `imported` (the folder the ERP moves imported files to, when it does). A push whose file is
// already in `imported` writes nothing: the ERP took it.
//
// Thread-safe: no mutable state; two pushes of the same key race only on rename(2), and the
// last one wins with identical content.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace arsync {

struct DropOutgoingOptions {
  std::filesystem::path outgoing;
  std::filesystem::path imported;  // empty: the ERP deletes (or leaves) what it imported
};

class DropOutgoing {
 public:
  // Creates `outgoing` if missing.
  static Result<DropOutgoing> open(DropOutgoingOptions options);

  // The file name of an item: <kind>-<key>.<extension>, the key's bytes outside
  // [A-Za-z0-9._-] written as %XX so that distinct keys never share a name.
  static std::string file_name(std::string_view kind, std::string_view key, std::string_view extension);

  // Writes `content` as `name` in outgoing atomically and durably (see above). kIo when the
  // disk refuses (full, read-only): nothing was renamed into place.
  Result<void> write(const std::string& name, std::string_view content) const;

  // The folder holding `name` ("outgoing" or "imported"), nullopt when neither does.
  Result<std::optional<std::string>> find(const std::string& name) const;

  const DropOutgoingOptions& options() const { return options_; }

 private:
  explicit DropOutgoing(DropOutgoingOptions options) : options_(std::move(options)) {}
  DropOutgoingOptions options_;  // constant after open()
};

}  // namespace arsync
