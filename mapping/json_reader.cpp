// JSON reader on simdjson on-demand (see json_reader.hpp).
//
// On-demand is forward-only and lazy: a value nobody reads is skipped, not validated. To keep
// the promise "invalid or truncated → error, never a partial page" every value is read, the
// ones we keep and the ones we ignore alike, and the document must end exactly after its root.
#include "mapping/json_reader.hpp"

#include <simdjson.h>

#include <optional>
#include <utility>

namespace arsync {
namespace {

namespace sj = simdjson::ondemand;
using simdjson::error_code;

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// raw_json_token() does not validate a number, so "12.3.4" or "1e" would pass as one.
// JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0, n = s.size();
  auto digits = [&] {
    std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.' && (++i, !digits())) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// Builds Nodes from on-demand values, each constructed in place in its parent (this loop is
// most of the sync's parsing time). Children vectors are reserved from the size last seen at
// the same depth: pages hold records of one shape, so they rarely grow.
class TreeBuilder {
 public:
  // Reads an object or array root into `out`; scalar roots are the caller's business.
  error_code read_root(sj::value& v, Node& out) {
    sj::json_type type;
    if (auto e = v.type().get(type)) return e;
    if (type == sj::json_type::object) {
      out = Node::object();
      return read_members(v, out, 0);
    }
    if (type == sj::json_type::array) {
      out = Node::array();
      return read_elements(v, out, 0);
    }
    return simdjson::INCORRECT_TYPE;
  }

  // Reads (so validates) a value nobody needs.
  error_code skip(sj::value& v) {
    Node holder = Node::array();
    return read_child(v, holder, {}, false, 0);
  }

  // Why a value was refused beyond simdjson's own error code (empty if none).
  std::string detail;

 private:
  error_code read_child(sj::value& v, Node& parent, std::string_view key, bool named, std::size_t depth) {
    sj::json_type type;
    if (auto e = v.type().get(type)) return e;
    if (type == sj::json_type::object || type == sj::json_type::array) {
      bool object = type == sj::json_type::object;
      Node::Type t = object ? Node::Type::kObject : Node::Type::kArray;
      Node& child = named ? parent.add(key, t) : parent.push(t);
      return object ? read_members(v, child, depth + 1) : read_elements(v, child, depth + 1);
    }
    Node::Type t;
    std::string_view text;
    if (auto e = read_scalar(v, type, t, text)) return e;
    if (named)
      parent.add(key, t, text);
    else
      parent.push(t, text);
    return simdjson::SUCCESS;
  }

  error_code read_scalar(sj::value& v, sj::json_type type, Node::Type& t, std::string_view& text) {
    switch (type) {
      case sj::json_type::string:
        t = Node::Type::kString;
        return v.get_string().get(text);
      case sj::json_type::number:
        t = Node::Type::kNumber;
        text = trim_right(v.raw_json_token());
        if (is_json_number(text)) return simdjson::SUCCESS;
        detail = "malformed number '" + std::string(text) + "'";
        return simdjson::NUMBER_ERROR;
      case sj::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b)) return e;
        t = Node::Type::kBool;
        text = b ? "true" : "false";
        return simdjson::SUCCESS;
      }
      default: {
        bool null = false;
        if (auto e = v.is_null().get(null)) return e;
        t = Node::Type::kNull;
        return null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
      }
    }
  }

  error_code read_members(sj::value& v, Node& out, std::size_t depth) {
    sj::object obj;
    if (auto e = v.get_object().get(obj)) return e;
    out.reserve(hint(depth));
    for (auto member : obj) {
      sj::field field;
      if (auto e = std::move(member).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      if (auto e = read_child(field.value(), out, key, true, depth)) return e;
    }
    hints_[depth] = out.children().size();
    return simdjson::SUCCESS;
  }

  error_code read_elements(sj::value& v, Node& out, std::size_t depth) {
    sj::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    out.reserve(hint(depth));
    for (auto element : arr) {
      sj::value value;
      if (auto e = std::move(element).get(value)) return e;
      if (auto e = read_child(value, out, {}, false, depth)) return e;
    }
    hints_[depth] = out.children().size();
    return simdjson::SUCCESS;
  }

  std::size_t hint(std::size_t depth) {
    if (hints_.size() <= depth) hints_.resize(depth + 1, 0);
    return hints_[depth];
  }

  std::vector<std::size_t> hints_;
};

// Walks a response body towards the records array and the next-link string, reading (and so
// validating) everything else on the way. A path is matched against member names as they come:
// "a.b" is member "a.b" or member "b" of member "a", because OData names contain dots
// ("@odata.nextLink"). `std::nullopt` means "not on this branch", "" means "this value".
class PageWalker {
 public:
  using Path = std::optional<std::string_view>;

  // With `spans`, records are checked and only their places in `body` kept (locate_json_records).
  PageWalker(std::string_view records_path, std::string_view link_path, std::string_view body = {},
             std::vector<JsonSpan>* spans = nullptr)
      : records_(records_path), link_(link_path), body_(body), spans_(spans) {}

  error_code walk(sj::value& v, Path rec, Path link) {
    if (rec && rec->empty()) return read_records(v);
    if (link && link->empty()) return read_link(v);
    sj::json_type type;
    if (auto e = v.type().get(type)) return e;
    if (type != sj::json_type::object || (!rec && !link)) return builder.skip(v);
    sj::object obj;
    if (auto e = v.get_object().get(obj)) return e;
    for (auto member : obj) {
      sj::field field;
      if (auto e = std::move(member).get(field)) return e;
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      if (auto e = walk(field.value(), descend(rec, key), descend(link, key))) return e;
    }
    return simdjson::SUCCESS;
  }

  error_code walk_root(sj::value& root) { return walk(root, records_, link_.empty() ? Path() : Path(link_)); }

  JsonPage page;
  bool found_records = false;
  TreeBuilder builder;

 private:
  static Path descend(Path path, std::string_view key) {
    if (!path || path->empty() || !path->starts_with(key)) return std::nullopt;
    if (path->size() == key.size()) return std::string_view{};
    if ((*path)[key.size()] != '.') return std::nullopt;
    return path->substr(key.size() + 1);
  }

  error_code read_records(sj::value& v) {
    sj::array arr;
    if (v.get_array().get(arr)) {
      builder.detail = "the records at '" + std::string(records_) + "' are not an array";
      return simdjson::INCORRECT_TYPE;
    }
    found_records = true;
    for (auto element : arr) {
      sj::value value;
      if (auto e = std::move(element).get(value)) return e;
      if (auto e = read_record(value)) return e;
    }
    return simdjson::SUCCESS;
  }

  error_code read_record(sj::value& v) {
    std::string_view token;
    token = v.raw_json_token();
    if (token.empty() || token.front() != '{') {
      builder.detail = "record " + std::to_string(seen_ + 1) + " is not a JSON object";
      return simdjson::INCORRECT_TYPE;
    }
    Record record;
    if (auto e = builder.read_root(v, record.root)) return e;
    // After the object the iterator stands on the ',' or ']' that follows it.
    const char* end = nullptr;
    if (v.current_location().get(end)) return simdjson::INCOMPLETE_ARRAY_OR_OBJECT;
    std::string_view raw = trim_right(std::string_view(token.data(), static_cast<std::size_t>(end - token.data())));
    ++seen_;
    if (spans_) {
      spans_->push_back({static_cast<std::size_t>(raw.data() - body_.data()), raw.size()});
      return simdjson::SUCCESS;
    }
    record.raw = std::string(raw);
    page.records.push_back(std::move(record));
    return simdjson::SUCCESS;
  }

  error_code read_link(sj::value& v) {
    bool null = false;
    if (!v.is_null().get(null) && null) return simdjson::SUCCESS;
    std::string_view link;
    if (v.get_string().get(link)) {
      builder.detail = "the next link at '" + std::string(link_) + "' is not a string";
      return simdjson::INCORRECT_TYPE;
    }
    page.next_link = std::string(link);
    return simdjson::SUCCESS;
  }

  std::string_view records_, link_, body_;
  std::vector<JsonSpan>* spans_ = nullptr;
  std::size_t seen_ = 0;
};

// Offset of the first byte that is not valid UTF-8 (only computed on the error path).
std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
    i += len;
  }
  return i;
}

// An error for a body that failed stage 1 (simdjson's whole-document scan), before any value.
Error scan_error(error_code code, std::string_view body) {
  switch (code) {
    case simdjson::EMPTY:
      return Error{ErrorKind::kInvalidInput, "empty JSON body", {}};
    case simdjson::UNCLOSED_STRING:
      return Error{
          ErrorKind::kInvalidInput,
          "JSON body ends inside a string at byte " + std::to_string(body.size()) + " (truncated response?)",
          {}};
    case simdjson::UTF8_ERROR:
      return Error{ErrorKind::kInvalidInput,
                   "invalid UTF-8 in JSON body at byte " + std::to_string(first_invalid_utf8(body)),
                   {}};
    default:
      return Error{
          ErrorKind::kInvalidInput, std::string("invalid JSON body: ") + simdjson::error_message(code), {}};
  }
}

// An error found while reading values, located at the iterator's position.
Error value_error(error_code code, sj::document& doc, std::string_view body, const std::string& detail) {
  const char* at = nullptr;
  std::size_t offset = body.size();
  if (!doc.current_location().get(at) && at >= body.data() && at <= body.data() + body.size())
    offset = static_cast<std::size_t>(at - body.data());
  bool truncated = code == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || offset >= body.size();
  std::string what = !detail.empty() ? detail
                     : truncated     ? "JSON body ends early (truncated response?)"
                                     : std::string("invalid JSON: ") + simdjson::error_message(code);
  return Error{ErrorKind::kInvalidInput, what + " at byte " + std::to_string(offset), {}};
}

// True when nothing but the end follows the root value.
bool at_document_end(sj::document& doc) {
  const char* at = nullptr;
  return doc.current_location().get(at) == simdjson::OUT_OF_BOUNDS;
}

Error trailing_error(sj::document& doc, std::string_view body) {
  const char* at = nullptr;
  if (doc.current_location().get(at) != simdjson::SUCCESS) at = nullptr;
  std::size_t offset = at ? static_cast<std::size_t>(at - body.data()) : body.size();
  return Error{ErrorKind::kInvalidInput,
               "unexpected content after the JSON document at byte " + std::to_string(offset),
               {}};
}

sj::parser& thread_parser() {
  thread_local sj::parser parser;
  return parser;
}

// `body` must have SIMDJSON_PADDING bytes of capacity beyond its size.
Result<JsonPage> read_padded(std::string_view body, std::size_t capacity, std::string_view records_path,
                             std::string_view next_link_path, sj::parser& parser = thread_parser(),
                             std::vector<JsonSpan>* spans = nullptr) {
  sj::document doc;
  if (auto e = parser.iterate(body.data(), body.size(), capacity).get(doc)) return fail(scan_error(e, body));
  PageWalker walker(records_path, next_link_path, body, spans);
  sj::value root;
  if (doc.get_value().get(root) != simdjson::SUCCESS)
    return fail(ErrorKind::kInvalidInput, "the JSON body is not an object or array");
  if (auto e = walker.walk_root(root)) return fail(value_error(e, doc, body, walker.builder.detail));
  if (!at_document_end(doc)) return fail(trailing_error(doc, body));
  if (!walker.found_records)
    return fail(ErrorKind::kInvalidInput, "no records array at '" + std::string(records_path) +
                                              "' in the JSON body (an error response?)");
  return std::move(walker.page);
}

std::string& padded_copy(std::string_view text) {
  thread_local std::string buffer;
  buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(text);
  return buffer;
}

}  // namespace

Result<JsonPage> read_json_page(std::string_view body, std::string_view records_path,
                                std::string_view next_link_path) {
  std::string& padded = padded_copy(body);
  return read_padded(padded, padded.capacity(), records_path, next_link_path);
}

Result<JsonPage> read_json_page(std::string& body, std::string_view records_path,
                                std::string_view next_link_path) {
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  return read_padded(body, body.capacity(), records_path, next_link_path);
}

Result<std::vector<JsonSpan>> locate_json_records(std::string& body, std::string_view records_path) {
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  sj::parser parser;  // its index (several times the body's size) is freed on return
  std::vector<JsonSpan> spans;
  auto checked = read_padded(body, body.capacity(), records_path, "", parser, &spans);
  if (!checked) return fail(checked.error());
  return spans;
}

Result<Record> read_json_record(std::string_view text) {
  auto root = parse_json(text);
  if (!root) return fail(root.error());
  Record record;
  record.root = std::move(*root);
  record.raw = std::string(text);
  return record;
}

Result<Node> parse_json(std::string_view text) {
  // On-demand does not check what follows a scalar root ("12 13"); an array around it does.
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] != '{' && text[first] != '[') {
    std::string array;
    array.reserve(text.size() + 2);
    array += '[';
    array += text;
    array += ']';
    auto wrapped = parse_json(array);
    if (!wrapped) return fail(wrapped.error());
    if (wrapped->children().size() != 1)
      return fail(ErrorKind::kInvalidInput, "unexpected content after the JSON value");
    return wrapped->children().front();  // a scalar: cheap to copy
  }
  std::string& padded = padded_copy(text);
  std::string_view body = padded;
  sj::document doc;
  if (auto e = thread_parser().iterate(padded.data(), padded.size(), padded.capacity()).get(doc))
    return fail(scan_error(e, body));
  TreeBuilder builder;
  sj::value value;
  if (doc.get_value().get(value) != simdjson::SUCCESS)
    return fail(ErrorKind::kInvalidInput, "the JSON text is not an object, array or single value");
  Node root;
  if (auto e = builder.read_root(value, root)) return fail(value_error(e, doc, body, builder.detail));
  if (!at_document_end(doc)) return fail(trailing_error(doc, body));
  return root;
}

}  // namespace arsync
