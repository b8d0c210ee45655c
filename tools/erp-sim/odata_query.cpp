// odata_query: see odata_query.hpp.
#include "tools/erp-sim/odata_query.hpp"

#include <charconv>

#include "tools/erp-sim/sim_time.hpp"
#include "tools/erp-sim/webhook_emitter.hpp"

namespace arsync::sim {
namespace {

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

template <class Int>
bool parse_int(std::string_view text, Int& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// "lastModifiedDateTime ge 2025-03-01T08:00:00.123Z" (also gt; the time may be quoted).
std::expected<int64_t, std::string> parse_filter(std::string_view filter) {
  constexpr std::string_view kField = "lastModifiedDateTime";
  const std::string unsupported = "unsupported $filter '" + std::string(filter) +
                                  "': expected 'lastModifiedDateTime ge|gt <ISO 8601 UTC time>' or "
                                  "'id in (\'ID\', ...)'";
  std::string_view rest = trim(filter);
  if (!rest.starts_with(kField)) return std::unexpected(unsupported);
  rest = trim(rest.substr(kField.size()));
  const bool gt = rest.starts_with("gt ");
  if (!gt && !rest.starts_with("ge ")) return std::unexpected(unsupported);
  rest = trim(rest.substr(3));
  if (rest.size() >= 2 && rest.front() == '\'' && rest.back() == '\'') rest = rest.substr(1, rest.size() - 2);
  const auto bound = parse_time_bound(rest, gt);
  if (!bound)
    return std::unexpected("bad time '" + std::string(rest) +
                           "' in $filter: expected e.g. 2025-03-01T08:00:00.123Z");
  return bound->min_millis;
}

// "idempotencyKey eq 'abc'" -> abc (also portalRef): a quoted OData string literal, where ''
// is one quote.
std::optional<WriteLookup> parse_lookup_filter(std::string_view filter) {
  WriteLookup lookup;
  std::string_view rest = trim(filter);
  lookup.by_portal_ref = rest.starts_with("portalRef");
  const std::string_view prefix = lookup.by_portal_ref ? "portalRef eq '" : "idempotencyKey eq '";
  if (!rest.starts_with(prefix) || !rest.ends_with('\'') || rest.size() <= prefix.size() + 1) return std::nullopt;
  rest = rest.substr(prefix.size(), rest.size() - prefix.size() - 1);
  std::string& key = lookup.value;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '\'') {
      if (i + 1 >= rest.size() || rest[i + 1] != '\'') return std::nullopt;  // a lone quote ends the literal early
      ++i;
    }
    key.push_back(rest[i]);
  }
  return lookup;
}

// "id in ('INV-0000001', 'INV-0000002')": the quoted ids (a quote inside one is doubled, as
// OData writes it). nullopt when the filter is not of this shape.
std::optional<std::vector<std::string>> parse_id_filter(std::string_view filter) {
  std::string_view rest = trim(filter);
  if (!rest.starts_with("id in (") || !rest.ends_with(")")) return std::nullopt;
  rest = rest.substr(7, rest.size() - 8);
  std::vector<std::string> ids;
  while (true) {
    rest = trim(rest);
    if (rest.empty() || rest.front() != '\'') return std::nullopt;
    std::string id;
    size_t i = 1;
    for (; i < rest.size(); ++i) {
      if (rest[i] != '\'') {
        id.push_back(rest[i]);
      } else if (i + 1 < rest.size() && rest[i + 1] == '\'') {
        id.push_back('\'');
        ++i;
      } else {
        break;
      }
    }
    if (i == rest.size()) return std::nullopt;  // unterminated
    ids.push_back(std::move(id));
    rest = trim(rest.substr(i + 1));
    if (rest.empty()) return ids;
    if (rest.front() != ',') return std::nullopt;
    rest.remove_prefix(1);
  }
}

std::optional<RecordKey> decode_skiptoken(std::string_view token) {
  const size_t split = token.find('_');
  RecordKey key;
  if (split == std::string_view::npos || !parse_int(token.substr(0, split), key.modified_ms) ||
      !parse_int(token.substr(split + 1), key.id))
    return std::nullopt;
  return key;
}

}  // namespace

std::expected<std::string, std::string> url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (ch != '%') {
      out.push_back(ch);
    } else {
      const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) return std::unexpected("bad percent-escape in '" + std::string(text) + "'");
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
        ch == '.' || ch == '_' || ch == '~' || ch == ':') {
      out.push_back(ch);  // ':' is allowed in a query and keeps times readable in logs
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    }
  }
  return out;
}

std::expected<Target, std::string> parse_target(std::string_view target) {
  const size_t question = target.find('?');
  Target out;
  auto path = url_decode(target.substr(0, question), false);
  if (!path) return std::unexpected(path.error());
  out.path = std::move(*path);
  if (question == std::string_view::npos) return out;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto name = url_decode(pair.substr(0, eq), true);
    auto value = url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name) return std::unexpected(name.error());
    if (!value) return std::unexpected(value.error());
    out.options.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::expected<CollectionQuery, std::string> parse_collection_query(const Target& target) {
  CollectionQuery query;
  for (const auto& [name, value] : target.options) {
    if (name == "$top") {
      if (!parse_int(value, query.top) || query.top == 0)
        return std::unexpected("bad $top '" + value + "': expected a positive integer");
      query.top = std::min(query.top, kMaxTop);
    } else if (name == "$filter" && (trim(value).starts_with("idempotencyKey") || trim(value).starts_with("portalRef"))) {
      query.lookup = parse_lookup_filter(value);
      if (!query.lookup)
        return std::unexpected("unsupported $filter '" + value +
                               "': expected idempotencyKey eq '<key>' or portalRef eq '<ref>'");
    } else if (name == "$filter" && parse_id_filter(value)) {
      query.ids = parse_id_filter(value);
      query.filter = value;
    } else if (name == "$filter") {
      auto since = parse_filter(value);
      if (!since) return std::unexpected(since.error());
      query.since_ms = *since;
      query.filter = value;
    } else if (name == "$skiptoken") {
      query.after = decode_skiptoken(value);
      if (!query.after)
        return std::unexpected("bad $skiptoken '" + value + "': take it from @odata.nextLink");
    } else {
      return std::unexpected("unsupported query option '" + name +
                             "' (supported: $top, $filter, $skiptoken)");
    }
  }
  return query;
}

std::optional<std::vector<int64_t>> generator_ids(Collection collection,
                                                  const std::optional<std::vector<std::string>>& wire_ids) {
  if (!wire_ids) return std::nullopt;
  std::vector<int64_t> out;
  for (const std::string& wire_id : *wire_ids)
    if (const int64_t id = parse_record_id(collection, wire_id); id > 0) out.push_back(id);
  return out;
}

std::string encode_skiptoken(const RecordKey& key) {
  return std::to_string(key.modified_ms) + "_" + std::to_string(key.id);
}

}  // namespace arsync::sim
