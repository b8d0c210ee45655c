// json_writer: appends JSON text to a caller-owned std::string, by hand. The collection pages
// are the simulator's hot path (a 1M-invoice read is ~1 GB of JSON), so records are written
// as literal fragments plus std::to_chars numbers into one reserved string: no DOM, no
// per-value allocation. The caller is responsible for commas and structure; JsonWriter only
// knows how to write values. Owned by tools/erp-sim. Not thread-safe (one writer per string).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tools/erp-sim/currency.hpp"

namespace arsync::sim {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // Appends text as-is: the structural fragments of a record (`,"number":"`).
  void raw(std::string_view text) { out_.append(text); }
  void raw(char ch) { out_.push_back(ch); }

  // Appends a quoted, escaped JSON string.
  void string(std::string_view text);
  // Appends an integer, optionally zero-padded to `width` digits (ids: "INV-0000042").
  void integer(int64_t value, int width = 0);
  // Appends a money amount as a JSON number ("108.25"), or as a JSON string with `quoted`.
  void money(int64_t minor, Currency currency, bool trim = false, bool quoted = false);
  // Appends a quoted "YYYY-MM-DD" from days since the epoch.
  void date(int64_t days);
  // Appends a quoted "YYYY-MM-DDTHH:MM:SS.mmmZ" from milliseconds since the epoch.
  void timestamp(int64_t millis);
  // Appends a quantity held in halves (5 -> "2.5", 4 -> "2").
  void halves(int64_t halves);

 private:
  std::string& out_;
};

}  // namespace arsync::sim
