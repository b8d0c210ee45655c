// openssl_cli: signature vectors for the webhook tests, computed independently of arsync's
// code by the `openssl` command line (as a vendor's own sample code would):
//   openssl dgst -sha256 -hmac KEY -binary FILE | openssl base64 -A
// The message goes through a temp file, so any byte survives; keys are test constants without
// quotes. Owned by the webhook tests. Not thread-safe (one temp file name per process).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace arsync::test {

inline std::string run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::string out;
  char buffer[256];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  if (pclose(pipe) != 0) throw std::runtime_error("failed: " + command);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// "base64" or "hex" HMAC-SHA256 of `message` under `key`, by the openssl CLI.
inline std::string openssl_hmac(const std::string& key, const std::string& message,
                                const std::string& encoding) {
  const auto path = std::filesystem::temp_directory_path() / ("arsync-hmac-" + std::to_string(getpid()));
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << message;
  }
  const std::string dgst = "openssl dgst -sha256 -hmac '" + key + "' -binary '" + path.string() + "'";
  const std::string result =
      run_command(dgst + (encoding == "hex" ? " | od -An -v -tx1 | tr -d ' \\n'" : " | openssl base64 -A"));
  std::filesystem::remove(path);
  return result;
}

}  // namespace arsync::test
