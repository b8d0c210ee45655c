#include "connectors/odbc_cursor.hpp"

#include <charconv>

#include "schema/entity_json.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

// The stored cursor: a JSON array of the cursor values' exact text.
std::string encode_cursor(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, values[i]);
  }
  return out + "]";
}

Result<std::vector<std::string>> decode_cursor(std::string_view text, std::size_t expected) {
  auto bad = [&] {
    return fail(ErrorKind::kInvalidInput, "stored cursor " + std::string(text) + " is not a JSON array of " +
                                              std::to_string(expected) +
                                              " strings (was cursor_columns changed?)");
  };
  std::vector<std::string> values;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  skip();
  if (i >= text.size() || text[i++] != '[') return bad();
  for (;;) {
    skip();
    if (i < text.size() && text[i] == ']' && values.empty()) break;
    if (i >= text.size() || text[i++] != '"') return bad();
    std::string value;
    while (i < text.size() && text[i] != '"') {
      char c = text[i++];
      if (c == '\\' && i < text.size()) {
        char e = text[i++];
        if (e == 'u' && i + 4 <= text.size())
          value += static_cast<char>(std::stoi(std::string(text.substr(i, 4)), nullptr, 16)), i += 4;
        else
          value += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
      } else {
        value += c;
      }
    }
    if (i++ >= text.size()) return bad();
    values.push_back(std::move(value));
    skip();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == ']') break;
    return bad();
  }
  if (values.size() != expected) return bad();
  return values;
}

std::string lowered_by_overlap(const std::string& text, std::chrono::milliseconds overlap) {
  if (overlap.count() <= 0 || text.size() < 19) return text;
  std::size_t zone = 19;
  if (zone < text.size() && text[zone] == '.')
    while (++zone < text.size() && text[zone] >= '0' && text[zone] <= '9') {
    }
  std::string z = text.substr(zone);
  if (z.size() == 3 && (z[0] == '+' || z[0] == '-')) z += ":00";  // psqlODBC's "+00"
  auto t = parse_iso8601(text.substr(0, zone) + (z.empty() ? "Z" : z));
  if (!t) return text;
  int digits = zone > 20 ? static_cast<int>(zone - 20) : 0;
  std::string out = format_iso8601(*t - overlap, digits);  // YYYY-MM-DDTHH:MM:SS[.fff]Z, UTC
  out[10] = text[10];
  out.pop_back();  // the Z
  return z.empty() ? out : out + "+00:00";
}

bool is_offset_token(std::string_view token) { return token.starts_with(kOffsetTokenPrefix); }

Result<std::size_t> decode_offset_token(std::string_view token) {
  std::string_view digits = token.substr(kOffsetTokenPrefix.size());
  std::size_t rows = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rows);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size())
    return fail(ErrorKind::kInvalidInput, "page token '" + std::string(token) +
                                              "' is not offset:<rows read>; drop it to restart the "
                                              "stream's run from the beginning");
  return rows;
}

}  // namespace arsync
