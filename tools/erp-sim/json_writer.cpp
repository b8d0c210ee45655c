// json_writer: see json_writer.hpp.
#include "tools/erp-sim/json_writer.hpp"

#include <charconv>

#include "tools/erp-sim/sim_time.hpp"

namespace arsync::sim {

void JsonWriter::string(std::string_view text) {
  out_.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto ch = static_cast<unsigned char>(text[i]);
    if (ch >= 0x20 && ch != '"' && ch != '\\') continue;
    out_.append(text.substr(start, i - start));
    static constexpr char kHex[] = "0123456789abcdef";
    switch (ch) {
      case '"':
        out_.append("\\\"");
        break;
      case '\\':
        out_.append("\\\\");
        break;
      case '\n':
        out_.append("\\n");
        break;
      case '\t':
        out_.append("\\t");
        break;
      default:
        out_.append("\\u00");
        out_.push_back(kHex[ch >> 4]);
        out_.push_back(kHex[ch & 15]);
    }
    start = i + 1;
  }
  out_.append(text.substr(start));
  out_.push_back('"');
}

void JsonWriter::integer(int64_t value, int width) {
  char buffer[24];
  char* end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  const auto length = static_cast<int>(end - buffer);
  if (value >= 0 && length < width) out_.append(static_cast<size_t>(width - length), '0');
  out_.append(buffer, end);
}

void JsonWriter::money(int64_t minor, Currency currency, bool trim, bool quoted) {
  char buffer[kMaxMoneyChars + 2];
  char* at = buffer;
  if (quoted) *at++ = '"';
  at = write_money(at, minor, currency, trim);
  if (quoted) *at++ = '"';
  out_.append(buffer, at);
}

void JsonWriter::date(int64_t days) {
  char buffer[12];
  buffer[0] = '"';
  write_date(buffer + 1, days);
  buffer[11] = '"';
  out_.append(buffer, 12);
}

void JsonWriter::timestamp(int64_t millis) {
  char buffer[26];
  buffer[0] = '"';
  write_timestamp(buffer + 1, millis);
  buffer[25] = '"';
  out_.append(buffer, 26);
}

void JsonWriter::halves(int64_t halves) {
  integer(halves / 2);
  if (halves % 2 != 0) out_.append(".5");
}

}  // namespace arsync::sim
