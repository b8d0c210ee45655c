#include "connectors/dropdir_folder.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <tuple>
#include <nlohmann/json.hpp>

#include "schema/timestamp.hpp"

namespace arsync {
namespace {

namespace fs = std::filesystem;

std::string errno_text() { return std::strerror(errno); }

std::int64_t mtime_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

DropFile identity(std::string name, const struct stat& st) {
  return {std::move(name), static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
          mtime_of(st)};
}

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);  // the clock file mtimes are written with
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool matches(std::string_view glob, const std::string& name) {
  return fnmatch(std::string(glob).c_str(), name.c_str(), 0) == 0;
}

Result<struct stat> stat_dir(const fs::path& dir, std::string_view role) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(ErrorKind::kIo, std::string(role) + " folder " + dir.string() +
                                    " is not there or not a folder (" + errno_text() + ")");
  return st;
}

// "name~2.xml" for the second "name.xml".
std::string numbered(const std::string& name, int n) {
  if (n == 1) return name;
  auto dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return name + "~" + std::to_string(n);
  return name.substr(0, dot) + "~" + std::to_string(n) + name.substr(dot);
}

}  // namespace

std::string DropFile::cursor() const {
  return nlohmann::json{{"file", name}, {"inode", inode}, {"size", size}, {"mtime_ns", mtime_ns}}.dump();
}

std::optional<DropFile> DropFile::from_cursor(std::string_view cursor) {
  auto j = nlohmann::json::parse(cursor, nullptr, false);
  if (!j.is_object() || !j.contains("file") || !j["file"].is_string()) return std::nullopt;
  DropFile file;
  file.name = j["file"].get<std::string>();
  file.inode = j.value("inode", std::uint64_t{0});
  file.size = j.value("size", std::uint64_t{0});
  file.mtime_ns = j.value("mtime_ns", std::int64_t{0});
  return file;
}

Result<DropFolder> DropFolder::open(DropFolderOptions options) {
  auto inbox = stat_dir(options.inbox, "the drop");
  if (!inbox) return fail(inbox.error());
  for (const fs::path* dir : {&options.processed, &options.failed}) {
    std::error_code ec;
    fs::create_directories(*dir, ec);
    auto st = stat_dir(*dir, dir == &options.processed ? "processed_dir" : "failed_dir");
    if (!st) return fail(st.error());
    // rename(2) is atomic only within one filesystem; across two it fails (EXDEV) and a copy
    // would leave a window with the file in both folders.
    if (st->st_dev != inbox->st_dev)
      return fail(ErrorKind::kInvalidInput,
                  dir->string() + " is on another filesystem than " + options.inbox.string() +
                      "; files are moved by rename, so put it inside the drop folder");
  }
  return DropFolder(std::move(options));
}

Result<std::vector<DropFile>> DropFolder::complete_files(std::string_view pattern) const {
  std::vector<DropFile> files;
  std::error_code ec;
  fs::directory_iterator it(options_.inbox, ec);
  if (ec) return fail(ErrorKind::kIo, "cannot list " + options_.inbox.string() + ": " + ec.message());
  std::int64_t newest_allowed = now_ns() - std::chrono::nanoseconds(options_.settle).count();
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!matches(pattern, name)) continue;
    if (std::any_of(options_.ignore.begin(), options_.ignore.end(),
                    [&](const std::string& glob) { return matches(glob, name); }))
      continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // gone, a folder, a link
    if (options_.wait_stable && mtime_of(st) > newest_allowed) continue;          // still being written
    files.push_back(identity(std::move(name), st));
  }
  if (ec) return fail(ErrorKind::kIo, "cannot list " + options_.inbox.string() + ": " + ec.message());
  std::sort(files.begin(), files.end(), [](const DropFile& a, const DropFile& b) {
    return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.name < b.name;
  });
  return files;
}

OpenDropFile::~OpenDropFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<OpenDropFile> DropFolder::open_file(const DropFile& file) const {
  fs::path path = options_.inbox / file.name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail(ErrorKind::kNotFound, "the file is gone", path.string());
    return fail(ErrorKind::kIo, "cannot open: " + errno_text(), path.string());
  }
  OpenDropFile open(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(ErrorKind::kIo, "cannot read: " + errno_text(), path.string());
  if (identity(file.name, st) != file)
    return fail(ErrorKind::kNotFound, "the file was replaced since it was listed", path.string());
  return open;
}

Result<void> DropFolder::check_unchanged(const OpenDropFile& open, const DropFile& file) const {
  struct stat st {};
  if (::fstat(open.fd(), &st) != 0)
    return fail(ErrorKind::kIo, "cannot read: " + errno_text(), (options_.inbox / file.name).string());
  if (identity(file.name, st) != file)
    return fail(ErrorKind::kTransient, "the file changed while it was read (still being written?)",
                (options_.inbox / file.name).string());
  return {};
}

Result<std::string> DropFolder::read(const DropFile& file) const {
  auto open = open_file(file);
  if (!open) return fail(open.error());
  if (file.size > options_.max_bytes)
    return fail(ErrorKind::kInvalidInput, "the file has " + std::to_string(file.size) +
                                              " bytes, more than max_file_bytes (" +
                                              std::to_string(options_.max_bytes) + ")");
  std::string content;
  content.reserve(static_cast<std::size_t>(file.size) + 64);  // simdjson's padding: JSON is parsed in place
  content.resize(static_cast<std::size_t>(file.size));
  std::size_t got = 0;
  while (got < content.size()) {
    ssize_t n = ::read(open->fd(), content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return fail(ErrorKind::kIo, "cannot read: " + errno_text(), (options_.inbox / file.name).string());
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got != content.size())
    return fail(ErrorKind::kTransient, "the file changed while it was read (still being written?)",
                (options_.inbox / file.name).string());
  if (auto same = check_unchanged(*open, file); !same) return fail(same.error());
  return content;
}

Result<fs::path> DropFolder::move_unique(const std::string& name, const fs::path& dir) const {
  fs::path from = options_.inbox / name;
  for (int n = 1; n < 10'000; ++n) {
    fs::path to = dir / numbered(name, n);
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return to;
    if (errno == EEXIST) continue;
    if (errno == EINVAL || errno == ENOSYS) {  // a filesystem without RENAME_NOREPLACE
      if (fs::exists(to)) continue;
      if (std::rename(from.c_str(), to.c_str()) == 0) return to;
    }
    return fail(ErrorKind::kIo, "cannot move " + from.string() + " to " + dir.string() + ": " + errno_text());
  }
  return fail(ErrorKind::kIo,
              "cannot move " + from.string() + ": 10000 files of that name in " + dir.string());
}

Result<bool> DropFolder::move_to_processed(const DropFile& file) const {
  struct stat st {};
  if (::lstat((options_.inbox / file.name).c_str(), &st) != 0 || identity(file.name, st) != file)
    return false;
  auto moved = move_unique(file.name, options_.processed);
  if (!moved) return fail(moved.error());
  return true;
}

Result<void> DropFolder::move_to_failed(const DropFile& file, std::string_view reason) const {
  auto moved = move_unique(file.name, options_.failed);
  if (!moved) return fail(moved.error());
  // Written under a temporary name and renamed, so an operator never sees half a reason.
  fs::path error_file = moved->string() + ".error";
  fs::path temp = options_.failed / ("." + error_file.filename().string() + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << "file: " << file.name << "\nfailed_at: " << format_iso8601(std::chrono::system_clock::now(), 0)
        << "\nreason: " << reason << "\n";
    if (!out) return fail(ErrorKind::kIo, "cannot write " + temp.string());
  }
  if (std::rename(temp.c_str(), error_file.c_str()) != 0)
    return fail(ErrorKind::kIo, "cannot write " + error_file.string() + ": " + errno_text());
  return {};
}

Result<std::vector<DropFolder::FailedFile>> DropFolder::failed_files() const {
  std::vector<FailedFile> out;
  std::error_code ec;
  fs::directory_iterator it(options_.failed, ec);
  if (ec) return fail(ErrorKind::kIo, "cannot list " + options_.failed.string() + ": " + ec.message());
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file(ec) || name.starts_with('.') || name.ends_with(".error")) continue;
    FailedFile f{name, {}, {}};
    std::ifstream error(entry.path().string() + ".error", std::ios::binary);
    for (std::string line; std::getline(error, line);) {
      if (line.starts_with("reason: ")) f.reason = line.substr(8);
      if (line.starts_with("failed_at: ")) f.since = line.substr(11);
    }
    if (f.since.empty()) {
      struct stat st {};
      if (::stat(entry.path().c_str(), &st) == 0)
        f.since = format_iso8601(std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtime)), 0);
    }
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const FailedFile& a, const FailedFile& b) {
    return std::tie(a.since, a.name) < std::tie(b.since, b.name);
  });
  return out;
}

}  // namespace arsync
