#include "connectors/dropdir_outgoing.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace arsync {
namespace {

namespace fs = std::filesystem;

Error io_error(std::string what, const fs::path& path) {
  return {ErrorKind::kIo, what + " " + path.string() + ": " + std::strerror(errno), {}};
}

// Closes a file descriptor on every path out.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<void> write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(io_error("cannot write", path));
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> sync_dir(const fs::path& dir) {
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || ::fsync(d.fd) != 0) return fail(io_error("cannot fsync the folder", dir));
  return {};
}

bool present(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

Result<DropOutgoing> DropOutgoing::open(DropOutgoingOptions options) {
  std::error_code ec;
  fs::create_directories(options.outgoing, ec);
  if (ec || !fs::is_directory(options.outgoing))
    return fail(ErrorKind::kIo, "cannot create the outgoing folder " + options.outgoing.string() + ": " +
                                    (ec ? ec.message() : "not a folder"));
  return DropOutgoing(std::move(options));
}

std::string DropOutgoing::file_name(std::string_view kind, std::string_view key, std::string_view extension) {
  std::string out(kind);
  out += '-';
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%', out += kHex[c >> 4], out += kHex[c & 15];
    }
  }
  return out + "." + std::string(extension);
}

Result<void> DropOutgoing::write(const std::string& name, std::string_view content) const {
  const fs::path target = options_.outgoing / name;
  const fs::path temporary = options_.outgoing / ("." + name + ".tmp");
  {
    Fd f{::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (f.fd < 0) return fail(io_error("cannot create", temporary));
    auto written = write_all(f.fd, content, temporary);
    if (written && ::fsync(f.fd) != 0) written = fail(io_error("cannot fsync", temporary));
    if (!written) {
      ::unlink(temporary.c_str());
      return written;
    }
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    Error e = io_error("cannot rename into place", target);
    ::unlink(temporary.c_str());
    return fail(e);
  }
  return sync_dir(options_.outgoing);
}

Result<std::optional<std::string>> DropOutgoing::find(const std::string& name) const {
  if (present(options_.outgoing / name)) return std::optional<std::string>("outgoing");
  if (!options_.imported.empty() && present(options_.imported / name))
    return std::optional<std::string>("imported");
  // stat() said no; make sure that is "absent" and not "cannot look" (a folder gone, EACCES).
  if (::access(options_.outgoing.c_str(), R_OK | X_OK) != 0)
    return fail(io_error("cannot look into the outgoing folder", options_.outgoing));
  return std::optional<std::string>();
}

}  // namespace arsync
