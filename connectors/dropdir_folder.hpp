// DropFolder: the file-system half of the dropdir connector — which files in the folder an ERP
// writes into are complete, reading one, and moving it to processed/ or failed/.
//
// Completeness: files whose names match an `ignore` glob (".*", "*.tmp", ... : what is still
// being written under a temporary name) are never looked at. With `wait_stable`, a file also
// must not have been modified for `settle`: a writer appending to a file keeps its mtime fresh,
// so an mtime older than the interval means the size and mtime were stable across it (and it
// holds across restarts, unlike remembering earlier sightings). read() checks once more that
// the file did not change while it was read.
//
// Identity: a DropFile is (name, inode, size, mtime): a file the ERP replaced under the same
// name is a different file. The identity is what the connector's cursor stores, so a file that
// was committed to the mirror but not yet moved (a crash in between) is recognised later.
//
// Moves are rename(2) within one filesystem (checked when opened), so a file is always wholly
// in one folder; an existing name in processed/ or failed/ is never overwritten (name~2.xml).
// No fsync: a move lost to a power cut puts the file back in the inbox, and processing it again
// changes nothing in the mirror (idempotent upserts).
//
// Thread-safe: no mutable state; concurrent calls touch different files.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schema/result.hpp"

namespace arsync {

struct DropFile {
  std::string name;  // inside the inbox folder
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // since the Unix epoch

  bool operator==(const DropFile&) const = default;
  // The connector's cursor naming this file: {"file":...,"inode":...,"size":...,"mtime_ns":...}.
  std::string cursor() const;
  static std::optional<DropFile> from_cursor(std::string_view cursor);
};

struct DropFolderOptions {
  std::filesystem::path inbox, processed, failed;
  std::vector<std::string> ignore;  // fnmatch(3) globs
  bool wait_stable = true;
  std::chrono::milliseconds settle{5000};
  std::uint64_t max_bytes = 64u << 20;  // limit for read(): a file held whole in memory
};

// A file of the inbox open for reading in passes (a streamed XML file is checked, then read
// page by page). Owns its descriptor; move-only.
class OpenDropFile {
 public:
  explicit OpenDropFile(int fd) : fd_(fd) {}
  OpenDropFile(OpenDropFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OpenDropFile& operator=(OpenDropFile&&) = delete;
  ~OpenDropFile();
  int fd() const { return fd_; }

 private:
  int fd_;
};

class DropFolder {
 public:
  // Creates processed/ and failed/ if missing; refuses folders on different filesystems.
  static Result<DropFolder> open(DropFolderOptions options);

  const DropFolderOptions& options() const { return options_; }

  // Complete regular files whose name matches the glob `pattern`, oldest first (mtime, name).
  Result<std::vector<DropFile>> complete_files(std::string_view pattern) const;

  // The whole content of `file`. kNotFound: gone or replaced by another file of that name;
  // kTransient: it changed while being read (still being written); kInvalidInput: larger than
  // max_bytes; kIo: the folder cannot be read.
  Result<std::string> read(const DropFile& file) const;

  // `file` opened for reading in passes, with no size limit. kNotFound as read(); kIo.
  Result<OpenDropFile> open_file(const DropFile& file) const;
  // Ok if the open file is still as listed; kTransient if it changed (still being written).
  Result<void> check_unchanged(const OpenDropFile& open, const DropFile& file) const;

  // Moves `file` to processed/ if the inbox still holds exactly that file; false if it does not.
  Result<bool> move_to_processed(const DropFile& file) const;

  // Moves `file` to failed/ and writes `<name>.error` beside it with `reason`.
  Result<void> move_to_failed(const DropFile& file, std::string_view reason) const;

  struct FailedFile {
    std::string name;    // in failed/
    std::string reason;  // the .error file's reason: line ("" without one)
    std::string since;   // when it failed (the .error's failed_at:, else the file's mtime)
  };
  // The files in failed/ (an operator removes or re-drops them once dealt with), oldest first.
  Result<std::vector<FailedFile>> failed_files() const;

 private:
  explicit DropFolder(DropFolderOptions options) : options_(std::move(options)) {}
  Result<std::filesystem::path> move_unique(const std::string& name, const std::filesystem::path& dir) const;

  DropFolderOptions options_;  // constant after open()
};

}  // namespace arsync
