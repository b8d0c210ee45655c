// A scratch folder for the dropdir tests: created under the temp dir, removed with everything
// in it when the test ends. Thread contract: one per test.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace arsync::test {

namespace fs = std::filesystem;

struct Folder {
  Folder() {
    std::string pattern = (fs::temp_directory_path() / "dropdir-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  // Writes `name` and dates it `age` back, so complete_when: stable sees it as settled.
  void write(const std::string& name, const std::string& content,
             std::chrono::seconds age = std::chrono::seconds(60)) const {
    std::ofstream(path / name, std::ios::binary) << content;
    fs::last_write_time(path / name, fs::file_time_type::clock::now() - age);
  }
  std::string read(const fs::path& relative) const {
    std::ifstream in(path / relative, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  bool has(const fs::path& relative) const { return fs::exists(path / relative); }
  std::vector<std::string> files(const fs::path& relative) const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(path / relative)) out.push_back(entry.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path path;
};

}  // namespace arsync::test
