// Evaluation of one compiled field rule (see field_rule.hpp). This runs for every field of
// every record: no YAML, no pattern parsing, and no allocation beyond the value itself.
#include "mapping/field_rule.hpp"

#include <algorithm>
#include <charconv>

#include "mapping/serial_date.hpp"
#include "schema/timestamp.hpp"

namespace arsync::mapping {
namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x) == (y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y);
         });
}

// Puts the ERP path right after the quoted value a conversion error starts with:
// "\"12.3.4\" is not a number" → "\"12.3.4\" at total is not a number".
std::string located(const std::string& message, std::string_view text, const std::string& path) {
  std::string q = quoted(text);
  if (message.starts_with(q)) return q + " at " + path + message.substr(q.size());
  return message + " (at " + path + ")";
}

Result<Value> to_integer(std::string_view text) {
  std::int64_t value = 0;
  const char* first = text.data() + (text.starts_with('+') ? 1 : 0);
  auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range)
    return fail(ErrorKind::kInvalidInput, quoted(text) + " is too large for an integer");
  if (ec != std::errc() || end != text.data() + text.size() || first == end)
    return fail(ErrorKind::kInvalidInput, quoted(text) + " is not a whole number");
  return Value(value);
}

Result<Value> to_bool(std::string_view text) {
  for (std::string_view yes : {"true", "yes", "y", "1"})
    if (iequals(text, yes)) return Value(true);
  for (std::string_view no : {"false", "no", "n", "0"})
    if (iequals(text, no)) return Value(false);
  return fail(ErrorKind::kInvalidInput, quoted(text) + " is not a yes/no value (true/false, yes/no, 1/0)");
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ" with seconds below 60 (a leap second is normalised by formatting).
bool is_canonical_timestamp(std::string_view t) {
  constexpr std::string_view kShape = "0000-00-00T00:00:00.000Z";
  if (t.size() != kShape.size() || t[17] > '5') return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (kShape[i] == '0' ? (t[i] < '0' || t[i] > '9') : t[i] != kShape[i]) return false;
  return true;
}

Result<Value> to_timestamp(std::string_view text) {
  auto time = parse_iso8601(text);
  if (!time) {
    // parse_iso8601 says `timestamp "X" <why>`; restate it as `"X" <why>` so the path fits in.
    std::string why = time.error().message;
    std::string prefix = "timestamp " + quoted(text) + " ";
    if (why.starts_with(prefix)) why = why.substr(prefix.size());
    return fail(ErrorKind::kInvalidInput, quoted(text) + " " + why);
  }
  // Already canonical (UTC, milliseconds, as erp-sim and most JSON APIs write it): parsing has
  // validated it, so keep the text; formatting anew costs an snprintf, a tenth of mapping an invoice.
  if (is_canonical_timestamp(text)) return Value(std::string(text));
  return Value(format_iso8601(*time, 3));
}

// split:'s piece of `text`; "" when there are fewer pieces (then default:/required: decide).
std::string_view split_part(std::string_view text, const SplitRule& rule) {
  if (rule.separator.empty()) return text;  // refused at load; never loop on it
  std::vector<std::string_view> pieces;     // split: is rare; clarity over a second pass
  for (std::size_t start = 0;;) {
    std::size_t at = text.find(rule.separator, start);
    pieces.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + rule.separator.size();
  }
  long index = rule.part < 0 ? static_cast<long>(pieces.size()) + rule.part : rule.part;
  if (index < 0 || index >= static_cast<long>(pieces.size())) return {};
  return pieces[static_cast<std::size_t>(index)];
}

const DateFormat& iso_date() {
  static const DateFormat format = *DateFormat::compile("%Y-%m-%d");
  return format;
}

}  // namespace

std::string Place::canonical_prefix() const { return std::string(child) + "." + std::to_string(index) + "."; }
std::string Place::erp_prefix() const { return std::string(erp_list) + "." + std::to_string(index) + "."; }

std::string FieldRule::erp_path(const Place* place) const {
  if (!from) {
    std::string parts;
    for (const ConcatPart& p : concat)
      if (p.from)
        parts += (parts.empty() ? "" : " + ") + (place && !p.from->from_parent() ? place->erp_prefix() : "") +
                 p.from->text();
    return "concat: " + parts;
  }
  if (place == nullptr || from->from_parent()) return from->text();
  return place->erp_prefix() + from->text();
}

Error FieldRule::error(const Place* place, std::string message) const {
  std::string text = "field ";
  if (place) text += place->canonical_prefix();
  text += field;
  text += ": ";
  text += message;
  return Error{ErrorKind::kInvalidInput, std::move(text), where};
}

Result<Value> FieldRule::evaluate(const Node& record, const Node* parent, const Place* place) const {
  for (const auto& [when, value] : cases) {
    if (!when.holds(record, parent)) continue;
    auto converted = convert(value, TextForm::kCanonical, record, parent);
    if (!converted) return fail(error(place, converted.error().message));
    return converted;
  }
  if (position) return Value(static_cast<std::int64_t>(place ? place->index + 1 : 1));
  if (constant) {
    auto value = convert(*constant, TextForm::kCanonical, record, parent);
    if (!value) return fail(error(place, value.error().message));
    return value;
  }
  if (!from && concat.empty()) return absent(place, "no case applies", record, parent);
  auto path = [&] { return erp_path(place); };  // built only for messages
  std::string joined;
  std::string_view text;
  TextForm form = TextForm::kSource;
  if (!concat.empty()) {
    if (!join(record, parent, joined)) return absent(place, "no value at " + path(), record, parent);
    text = joined;
  } else {
    const Node* node = from->resolve(record, parent);
    if (node == nullptr || node->is_null()) return absent(place, "no value at " + path(), record, parent);
    if (!node->is_scalar())
      return fail(error(place, "the value at " + path() + " is " +
                                   (node->type() == Node::Type::kObject ? "an object" : "a list") +
                                   ", not a single value"));
    text = node->text();
    if (node->type() == Node::Type::kNumber) form = TextForm::kJsonNumber;
  }
  if (split) text = split_part(text, *split), form = TextForm::kSource;
  if (trim) text = mapping::trim(text);
  // An empty value is "no value" unless the map names it ({"": active}).
  bool mapped_empty = text.empty() && table.maps_empty();
  if (text.empty() && !mapped_empty) return absent(place, "an empty value at " + path(), record, parent);
  std::string cased;
  if (text_case != TextCase::kKeep) {
    cased = std::string(text);
    for (char& c : cased)
      if (text_case == TextCase::kUpper && c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
      else if (text_case == TextCase::kLower && c >= 'A' && c <= 'Z')
        c = static_cast<char>(c - 'A' + 'a');
    text = cased;
  }
  if (!table.empty()) {
    auto mapped = table.translate(text);
    if (!mapped)
      return fail(error(place, quoted(text) + " at " + path() + " is not in the map (" + table.known() +
                                   ") and its else: is reject; add it to map: if it is a valid value"));
    if (table.translated(text)) form = TextForm::kCanonical;
    text = *mapped;
  }
  auto value = convert(text, form, record, parent);
  if (!value) return fail(error(place, located(value.error().message, text, path())));
  return value;
}

Result<Value> FieldRule::absent(const Place* place, std::string_view what, const Node& record,
                                const Node* parent) const {
  if (fallback) {
    if (fallback->empty() && spec->type == FieldType::kText) return Value(std::string());
    auto value = convert(*fallback, TextForm::kCanonical, record, parent);
    if (!value) return fail(error(place, "default " + value.error().message));
    return value;
  }
  if (spec->required)
    return fail(error(
        place, std::string(what) + "; the field is required: check the ERP field name or give a default:"));
  if (required) return fail(error(place, std::string(what) + "; the mapping says required: true"));
  return Value();
}

Result<Value> FieldRule::convert(std::string_view text, TextForm form, const Node& record,
                                 const Node* parent) const {
  switch (spec->type) {
    case FieldType::kText:
    case FieldType::kRef:
      return convert_text(text);
    case FieldType::kInteger:
      return to_integer(text);
    case FieldType::kBool:
      return to_bool(text);
    case FieldType::kMoney:
      return convert_money(text, form, record, parent);
    case FieldType::kDecimal: {
      auto d = parse_decimal(text, form == TextForm::kSource ? number : NumberFormat{});
      if (!d) return std::unexpected(d.error());
      return Value(*d);
    }
    case FieldType::kDate: {
      auto d = (form == TextForm::kCanonical || !date ? iso_date() : *date).parse(text);
      if (!d) return std::unexpected(d.error());
      return Value(std::move(*d));
    }
    case FieldType::kTimestamp:
      return form == TextForm::kCanonical ? to_timestamp(text) : convert_timestamp(text);
    case FieldType::kBytes:
      return Value(Bytes{std::string(text)});  // a scalar's text is its exact octets (Record keeps them)
  }
  return fail(ErrorKind::kInvalidInput, "unsupported field type");
}

Result<Value> FieldRule::convert_timestamp(std::string_view text) const {
  switch (timestamp) {
    case TimestampFormat::kIso8601:
      return to_timestamp(text);
    case TimestampFormat::kMsJson: {
      auto time = parse_ms_json(text);
      if (!time) return std::unexpected(time.error());
      return Value(format_iso8601(time->utc, 3));
    }
    case TimestampFormat::kExcel:
    case TimestampFormat::kExcel1904: {
      auto time =
          parse_excel_time(text, timestamp == TimestampFormat::kExcel ? ExcelBase::k1900 : ExcelBase::k1904);
      if (!time) return std::unexpected(time.error());
      return Value(format_iso8601(*time, 3));
    }
  }
  return fail(ErrorKind::kInvalidInput, "unsupported timestamp format");
}

bool FieldRule::join(const Node& record, const Node* parent, std::string& out) const {
  bool any = false, first = true;
  for (const ConcatPart& part : concat) {
    std::string_view piece = part.constant;
    if (part.from) {
      const Node* node = part.from->resolve(record, parent);
      if (node == nullptr || !node->is_scalar() || node->text().empty()) continue;  // left out
      piece = node->text();
      any = true;
    }
    if (!first) out += separator;
    out += piece;
    first = false;
  }
  return any;
}

Result<Value> FieldRule::convert_text(std::string_view text) const {
  if (!spec->allows(text))
    return fail(ErrorKind::kInvalidInput, quoted(text) + " is not an allowed " + field + " (" +
                                              spec->allowed_text() +
                                              "); translate the ERP's values with map:");
  return Value(std::string(text));
}

Result<Value> FieldRule::convert_money(std::string_view text, TextForm form, const Node& record,
                                       const Node* parent) const {
  std::string_view code = money.currency;
  if (money.currency_from) {
    const Node* node = money.currency_from->resolve(record, parent);
    if (node == nullptr || !node->is_scalar() || node->text().empty())
      return fail(ErrorKind::kInvalidInput,
                  "no currency at " + money.currency_from->text() + " for the amount " + quoted(text));
    code = node->text();
  }
  auto m = parse_money(text, code, form == TextForm::kSource ? money.format : NumberFormat{}, money.rounding);
  if (!m) {
    // Only now tell a bad currency from a bad amount: the lookup is not free on the hot path.
    if (money.currency_from && !currency_exponent(code))
      return fail(ErrorKind::kInvalidInput, "currency " + quoted(code) + " at " +
                                                money.currency_from->text() +
                                                " is not an ISO 4217 code (such as USD, EUR or JPY)");
    return std::unexpected(m.error());
  }
  return Value(std::move(*m));
}

std::string FieldRule::check_canonical(std::string_view text) const {
  static const Node kEmpty;
  if (spec->type == FieldType::kMoney) {
    auto d = parse_decimal(text);
    return d ? std::string() : d.error().message;
  }
  if (spec->type == FieldType::kText && text.empty()) return {};
  auto value = convert(text, TextForm::kCanonical, kEmpty, nullptr);
  return value ? std::string() : value.error().message;
}

}  // namespace arsync::mapping
