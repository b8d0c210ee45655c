// validate(): the model's rules a mapped entity must meet before it reaches the mirror
// (declared in catalog.hpp). DESIGN §3: sums are checked, and a mismatch is a reject, never a
// silent fix. Messages name the record, the field and the values, so an operator reading the
// rejects table knows what to correct without opening the ERP.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schema/catalog.hpp"
#include "schema/timestamp.hpp"

namespace arsync {
namespace {

bool digits(std::string_view s, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(std::string_view s, std::size_t from, std::size_t count) {
  int n = 0;
  for (std::size_t i = from; i < from + count; ++i) n = n * 10 + (s[i] - '0');
  return n;
}

// "YYYY-MM-DD", a real calendar date.
bool is_date(std::string_view s) {
  return s.size() == 10 && digits(s, 0, 4) && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' &&
         digits(s, 8, 2) && is_valid_date(number(s, 0, 4), number(s, 5, 2), number(s, 8, 2));
}

// "YYYY-MM-DDTHH:MM:SS.sssZ": the canonical form only (UTC, milliseconds); the mapping layer
// converts whatever the ERP sends. A leap second (:60) is allowed, as ISO 8601 does.
bool is_timestamp(std::string_view s) {
  return s.size() == 24 && is_date(s.substr(0, 10)) && s[10] == 'T' && digits(s, 11, 2) && s[13] == ':' &&
         digits(s, 14, 2) && s[16] == ':' && digits(s, 17, 2) && s[19] == '.' && digits(s, 20, 3) &&
         s[23] == 'Z' && number(s, 11, 2) < 24 && number(s, 14, 2) < 60 && number(s, 17, 2) <= 60;
}

const char* kind_of(const Value& v) {
  constexpr const char* kNames[] = {"nothing", "a bool", "an integer", "text", "money", "a decimal", "bytes"};
  return kNames[v.index()];
}

// Builds errors that start with the record they are about: "invoice INV-1: ...".
class Validator {
 public:
  explicit Validator(const Entity& root) : root_(root) {}

  Result<void> run();

 private:
  Result<void> bad(const std::string& what) const {
    return fail(ErrorKind::kInvalidInput, std::string(root_.spec->name) + " " + root_.key() + ": " + what);
  }
  Result<void> check_entity(const Entity& e, const std::string& path);
  Result<void> check_field(const FieldSpec& f, const Value& v, const std::string& name);
  Result<void> check_currency();
  Result<void> check_line_numbers();
  Result<void> check_sums();
  Result<void> check_part_of_whole(std::string_view part, std::string_view whole);
  // The sum of `field` over the child list `list`, or nullopt when a child lacks it.
  Result<std::optional<std::int64_t>> sum_children(std::string_view list, std::string_view field);
  const Money* money(std::string_view field) const;
  std::string show(std::int64_t minor) const { return Money{minor, *currency_}.to_string(); }

  const Entity& root_;
  const std::string* currency_ = nullptr;  // the record's currency, when it has one
};

Result<void> Validator::run() {
  if (!root_.spec) return fail(ErrorKind::kInvalidInput, "an entity without a spec (a mapping bug)");
  if (auto ok = check_currency(); !ok) return ok;
  if (auto ok = check_entity(root_, ""); !ok) return ok;
  if (auto ok = check_line_numbers(); !ok) return ok;
  return check_sums();
}

Result<void> Validator::check_currency() {
  int i = root_.spec->field_index("currency");
  if (i < 0) return {};
  currency_ = std::get_if<std::string>(&root_.values[static_cast<std::size_t>(i)]);
  if (!currency_) return {};  // absent (or mistyped: reported by check_field)
  const std::string& code = *currency_;
  bool upper = code.size() == 3;
  for (char c : code) upper = upper && c >= 'A' && c <= 'Z';
  if (!upper || !currency_exponent(code))
    return bad("currency '" + code + "' is not an ISO 4217 code (e.g. USD, EUR, JPY; upper case)");
  return {};
}

Result<void> Validator::check_entity(const Entity& e, const std::string& path) {
  const EntitySpec& spec = *e.spec;
  if (e.values.size() != spec.fields.size() || e.children.size() != spec.children.size())
    return bad((path.empty() ? std::string(spec.name) : path) + " does not match its spec (a mapping bug)");
  for (std::size_t i = 0; i < spec.fields.size(); ++i)
    if (auto ok = check_field(spec.fields[i], e.values[i], path + std::string(spec.fields[i].name)); !ok)
      return ok;
  for (std::size_t c = 0; c < spec.children.size(); ++c) {
    const auto& list = e.children[c];
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string child_path =
          path + std::string(spec.children[c].name) + "[" + std::to_string(k) + "]";
      if (list[k].spec != spec.children[c].entity)
        return bad(child_path + " should be " + std::string(spec.children[c].entity->name) + " but is " +
                   std::string(list[k].spec ? list[k].spec->name : "no entity") + " (a mapping bug)");
      if (auto ok = check_entity(list[k], child_path + "."); !ok) return ok;
    }
  }
  return {};
}

Result<void> Validator::check_field(const FieldSpec& f, const Value& v, const std::string& name) {
  if (std::holds_alternative<std::monostate>(v)) {
    if (f.required) return bad(name + " is required but missing");
    return {};
  }
  if (!value_fits(f.type, v)) return bad(name + " should be " + to_string(f.type) + " but is " + kind_of(v));
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (!f.allows(*s)) return bad(name + " '" + *s + "' is not one of " + f.allowed_text());
    if (f.type == FieldType::kDate && !is_date(*s))
      return bad(name + " '" + *s + "' is not a date (YYYY-MM-DD, a real calendar day)");
    if (f.type == FieldType::kTimestamp && !is_timestamp(*s))
      return bad(name + " '" + *s + "' is not a UTC timestamp (YYYY-MM-DDTHH:MM:SS.sssZ)");
    if (f.type == FieldType::kRef && s->empty()) return bad(name + " is an empty reference");
  }
  if (const auto* m = std::get_if<Money>(&v)) {
    if (!currency_)
      return bad(name + " is " + m->to_string() + " but the " + std::string(root_.spec->name) +
                 " has no currency");
    if (m->currency != *currency_)
      return bad(name + " is in " + m->currency + " but the " + std::string(root_.spec->name) +
                 "'s currency is " + *currency_);
  }
  if (const auto* d = std::get_if<Decimal>(&v); d && (d->scale < 0 || d->scale > 18))
    return bad(name + " has scale " + std::to_string(d->scale) + " (0..18 allowed)");
  return {};
}

// Line numbers key an invoice's lines in the mirror; two lines with one number would collide.
Result<void> Validator::check_line_numbers() {
  int c = root_.spec->child_index("lines");
  if (c < 0) return {};
  const auto& lines = root_.children[static_cast<std::size_t>(c)];
  for (std::size_t i = 0; i < lines.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (lines[i].get("line_no") == lines[j].get("line_no") &&
          std::holds_alternative<std::int64_t>(lines[i].get("line_no")))
        return bad("lines[" + std::to_string(i) + "].line_no " +
                   std::to_string(std::get<std::int64_t>(lines[i].get("line_no"))) + " repeats lines[" +
                   std::to_string(j) + "]");
  return {};
}

const Money* Validator::money(std::string_view field) const {
  int i = root_.spec->field_index(field);
  return i < 0 ? nullptr : std::get_if<Money>(&root_.values[static_cast<std::size_t>(i)]);
}

Result<std::optional<std::int64_t>> Validator::sum_children(std::string_view list, std::string_view field) {
  int c = root_.spec->child_index(list);
  if (c < 0 || root_.children[static_cast<std::size_t>(c)].empty()) return std::optional<std::int64_t>();
  std::int64_t sum = 0;
  for (const Entity& child : root_.children[static_cast<std::size_t>(c)]) {
    const auto* m = std::get_if<Money>(&child.get(field));
    if (!m) return std::optional<std::int64_t>();
    if (__builtin_add_overflow(sum, m->minor, &sum))
      return fail(bad(std::string(list) + " amounts overflow").error());
  }
  return std::optional<std::int64_t>(sum);
}

// 0 <= part <= whole (or whole <= part <= 0 for a negative whole): a balance, unapplied or
// remaining amount can never exceed, or have the other sign from, the amount it is part of.
Result<void> Validator::check_part_of_whole(std::string_view part, std::string_view whole) {
  const Money* p = money(part);
  const Money* w = money(whole);
  if (!p || !w) return {};
  const bool ok =
      w->minor >= 0 ? (p->minor >= 0 && p->minor <= w->minor) : (p->minor <= 0 && p->minor >= w->minor);
  if (!ok)
    return bad(std::string(part) + " " + p->to_string() + " is outside 0.." + w->to_string() + " (the " +
               std::string(whole) + ")");
  return {};
}

Result<void> Validator::check_sums() {
  if (!currency_) return {};
  const std::string_view kind = root_.spec->name;
  if (kind == "invoice") {
    auto lines = sum_children("lines", "amount");
    if (!lines) return fail(lines.error());
    const Money* subtotal = money("subtotal");
    if (*lines && subtotal && **lines != subtotal->minor)
      return bad("lines sum to " + show(**lines) + " but subtotal is " + subtotal->to_string());
    const Money* tax = money("tax");
    const Money* total = money("total");
    std::int64_t expected = 0;
    if (subtotal && tax && total &&
        (__builtin_add_overflow(subtotal->minor, tax->minor, &expected) || expected != total->minor))
      return bad("subtotal " + subtotal->to_string() + " + tax " + tax->to_string() + " is " +
                 show(expected) + " but total is " + total->to_string());
    return check_part_of_whole("balance", "total");
  }
  if (kind == "payment" || kind == "credit_memo") {
    const bool payment = kind == "payment";
    const std::string_view whole = payment ? "amount" : "total";
    const std::string_view rest = payment ? "unapplied" : "remaining";
    if (auto ok = check_part_of_whole(rest, whole); !ok) return ok;
    auto applied = sum_children("applications", "amount");
    if (!applied) return fail(applied.error());
    const Money* w = money(whole);
    const Money* r = money(rest);
    std::int64_t sum = 0;
    if (*applied && w && r && (__builtin_add_overflow(**applied, r->minor, &sum) || sum != w->minor))
      return bad("applications sum to " + show(**applied) + " and " + std::string(rest) + " is " +
                 r->to_string() + ", together " + show(sum) + ", but " + std::string(whole) + " is " +
                 w->to_string());
  }
  return {};
}

}  // namespace

Result<void> validate(const Entity& entity) { return Validator(entity).run(); }

}  // namespace arsync
