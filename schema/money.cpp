// Exact money and decimal parsing (see money.hpp). Everything is integer arithmetic on the
// source digits; a value that does not fit int64 is an error, never a wrap-around.
//
// Digit grouping: with a thousands separator configured, the integer part is either grouped
// the Western way (1,234,567: a first group of 1-3 digits, then groups of 3) or the Indian way
// (12,34,567: a first group of 1-2 digits, then groups of 2, then a last group of 3). Both read
// unambiguously as the digits without separators; anything else ("1,23,4.5", "1,2345") is an
// error because it is more likely a decimal-comma value read with the wrong format.
#include "schema/money.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

namespace arsync {
namespace {

constexpr int kMaxScale = 18;
constexpr std::uint64_t kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

constexpr std::array<std::int64_t, 19> kPow10 = {
    1LL,
    10LL,
    100LL,
    1000LL,
    10000LL,
    100000LL,
    1000000LL,
    10000000LL,
    100000000LL,
    1000000000LL,
    10000000000LL,
    100000000000LL,
    1000000000000LL,
    10000000000000LL,
    100000000000000LL,
    1000000000000000LL,
    10000000000000000LL,
    100000000000000000LL,
    1000000000000000000LL,
};

struct CurrencyExponent {
  char code[4];
  int exponent;
};

// ISO 4217 list one (active codes) with their minor-unit exponents, sorted by code for binary
// search, plus a few recently withdrawn codes (HRK, SLL) still found in ERP history. Fund and
// precious-metal codes without a minor unit (XAU, XDR, XXX...) are left out on purpose.
constexpr CurrencyExponent kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2},
    {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2},
    {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HRK", 2}, {"HTG", 2}, {"HUF", 2},
    {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3},
    {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3},
    {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3},
    {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2},
    {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SLL", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2},
    {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2},
    {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0},
    {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2},
    {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
    {"ZWL", 2},
};

// "usd" and "USD" both pack to the same key; anything but letters packs to something no
// table entry has.
constexpr std::uint32_t pack_code(std::string_view code) {
  std::uint32_t key = 0;
  for (char c : code.substr(0, 3)) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    key = key << 8 | static_cast<unsigned char>(c);
  }
  return key;
}

// kCurrencies' codes, packed, in the same (sorted) order.
constexpr auto kCurrencyKeys = [] {
  std::array<std::uint32_t, std::size(kCurrencies)> keys{};
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = pack_code({kCurrencies[i].code, 3});
  return keys;
}();

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::unexpected<Error> not_a_number(std::string_view text, std::string_view why) {
  return fail(ErrorKind::kInvalidInput, quoted(text) + " is not a number: " + std::string(why));
}

// Strips the sign notations accepted in money exports: "-1", "+1", "1-" (SAP), "(1)".
Result<std::string_view> strip_sign(std::string_view text, std::string_view s, bool& negative) {
  negative = false;
  if (s.front() == '(') {
    if (s.back() != ')') return not_a_number(text, "an opening '(' without a closing ')'");
    s = trim(s.substr(1, s.size() - 2));
    negative = true;
  } else if (s.size() > 1 && s.back() == '-') {
    s = trim(s.substr(0, s.size() - 1));
    negative = true;
  }
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    if (negative) return not_a_number(text, "more than one sign");
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return not_a_number(text, "no digits");
  return s;
}

// Shape of the integer part's digit groups, tracked without allocating (this runs for every
// amount of every record).
struct Groups {
  int first = 0;                                  // digits before the first separator
  int count = 1;                                  // groups seen, including the current one
  int current = 0;                                // digits in the current group
  bool middle_all_3 = true, middle_all_2 = true;  // groups strictly between first and current

  void digit() { ++(count == 1 ? first : current); }
  void separator() {
    if (count > 1) middle_all_3 = middle_all_3 && current == 3, middle_all_2 = middle_all_2 && current == 2;
    ++count;
    current = 0;
  }
  bool valid() const {
    if (count == 1) return true;
    bool western = first >= 1 && first <= 3 && middle_all_3 && current == 3;
    bool indian = first >= 1 && first <= 2 && middle_all_2 && current == 3;
    return western || indian;
  }
};

// Digits of the mantissa, accumulated exactly. Zeros at the end of the fraction are held back
// so "1.000000000000000000000" does not overflow for digits that change nothing.
struct Mantissa {
  std::uint64_t magnitude = 0;
  int fraction_digits = 0;  // applied to magnitude
  int pending_zeros = 0;    // trailing fraction zeros not yet applied
  bool overflow = false;
  bool any_digit = false;

  void add_digit(int d, bool in_fraction) {
    any_digit = true;
    if (in_fraction && d == 0) {
      ++pending_zeros;
      return;
    }
    for (; pending_zeros > 0; --pending_zeros) push(0), ++fraction_digits;
    push(d);
    if (in_fraction) ++fraction_digits;
  }
  void push(int d) {
    if (magnitude > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(d)) / 10)
      overflow = true;
    else
      magnitude = magnitude * 10 + static_cast<std::uint64_t>(d);
  }
};

// Reads "[digits][.digits]" with optional grouping; stops at an exponent marker.
Result<std::string_view> scan_mantissa(std::string_view text, std::string_view s, NumberFormat format,
                                       Mantissa& m) {
  Groups groups;
  bool in_fraction = false;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (is_digit(c)) {
      m.add_digit(c - '0', in_fraction);
      if (!in_fraction) groups.digit();
    } else if (c == format.decimal_point && !in_fraction) {
      in_fraction = true;
    } else if (format.thousands != '\0' && c == format.thousands && !in_fraction) {
      groups.separator();
    } else if (c == 'e' || c == 'E') {
      break;
    } else if (c == format.decimal_point) {
      return not_a_number(text, "more than one decimal point");
    } else {
      return not_a_number(text, std::string("unexpected character '") + c + "'");
    }
  }
  if (!m.any_digit) return not_a_number(text, "no digits");
  if (!groups.valid())
    return not_a_number(text, std::string("misplaced thousands separator '") + format.thousands +
                                  "'; is the decimal separator set correctly for this source?");
  if (m.overflow) return not_a_number(text, "too many digits (beyond the 64-bit range)");
  return s.substr(i);
}

// Reads "e[+-]digits" (as JSON allows); an absent exponent is 0.
Result<int> scan_exponent(std::string_view text, std::string_view s) {
  if (s.empty()) return 0;
  s.remove_prefix(1);  // the 'e'
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return not_a_number(text, "an exponent without digits");
  int value = 0;
  for (char c : s) {
    if (!is_digit(c)) return not_a_number(text, std::string("unexpected character '") + c + "'");
    if (value > 1000) return not_a_number(text, "exponent out of range");
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

Result<std::int64_t> to_units(std::string_view text, std::uint64_t magnitude, bool negative) {
  if (magnitude > kInt64Max + (negative ? 1 : 0))
    return not_a_number(text, "too large (beyond the 64-bit range)");
  if (negative) return static_cast<std::int64_t>(0 - magnitude);  // two's complement, exact at INT64_MIN
  return static_cast<std::int64_t>(magnitude);
}

// Combines mantissa and exponent into units/10^scale with 0 <= scale <= 18.
Result<Decimal> assemble(std::string_view text, Mantissa m, int exponent, bool negative) {
  int scale = m.fraction_digits - exponent;
  std::uint64_t mag = m.magnitude;
  // Re-apply held-back zeros only while they fit: they never change the value.
  while (m.pending_zeros > 0 && scale < kMaxScale && mag <= kInt64Max / 10) {
    mag *= 10, ++scale, --m.pending_zeros;
  }
  while (scale > kMaxScale && mag % 10 == 0 && mag != 0) mag /= 10, --scale;
  if (mag == 0) scale = std::clamp(scale, 0, kMaxScale);
  if (scale > kMaxScale) return not_a_number(text, "more than 18 decimals");
  for (; scale < 0; ++scale) {
    if (mag > kInt64Max / 10 + 1) return not_a_number(text, "too large (beyond the 64-bit range)");
    mag *= 10;
  }
  auto units = to_units(text, mag, negative);
  if (!units) return std::unexpected(units.error());
  return Decimal{*units, scale};
}

std::uint64_t magnitude_of(std::int64_t v) {
  return v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
}

// Significant decimals of a value (trailing zeros do not count): 12.3450 has 3.
int significant_decimals(Decimal d) {
  while (d.scale > 0 && d.units % 10 == 0) d.units /= 10, --d.scale;
  return d.scale;
}

std::string upper(std::string_view code) {
  std::string out(code);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// "digits" with the decimal point inserted `scale` places from the right.
std::string place_point(std::int64_t units, int scale) {
  std::string digits = std::to_string(magnitude_of(units));
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale))
      digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<std::size_t>(scale), 1, '.');
  }
  return units < 0 ? "-" + digits : digits;
}

}  // namespace

Result<Decimal> parse_decimal(std::string_view text, NumberFormat format) {
  std::string_view s = trim(text);
  if (s.empty()) return fail(ErrorKind::kInvalidInput, "empty value where a number was expected");
  if (format.decimal_point == format.thousands)
    return fail(ErrorKind::kInvalidInput, "the decimal and thousands separators are the same character");
  bool negative = false;
  auto body = strip_sign(text, s, negative);
  if (!body) return std::unexpected(body.error());
  Mantissa m;
  auto rest = scan_mantissa(text, *body, format, m);
  if (!rest) return std::unexpected(rest.error());
  auto exponent = scan_exponent(text, *rest);
  if (!exponent) return std::unexpected(exponent.error());
  return assemble(text, m, *exponent, negative);
}

Result<Decimal> rescale(Decimal value, int scale, Rounding rounding) {
  if (scale < 0 || scale > kMaxScale || value.scale < 0 || value.scale > kMaxScale)
    return fail(ErrorKind::kInvalidInput, "scale out of range 0..18");
  if (value.scale <= scale) {
    std::int64_t factor = kPow10[static_cast<std::size_t>(scale - value.scale)];
    std::int64_t out = 0;
    if (__builtin_mul_overflow(value.units, factor, &out))
      return fail(ErrorKind::kInvalidInput, value.to_string() + " is too large to hold " +
                                                std::to_string(scale) + " decimals in 64 bits");
    return Decimal{out, scale};
  }
  std::int64_t divisor = kPow10[static_cast<std::size_t>(value.scale - scale)];
  std::int64_t quotient = value.units / divisor, remainder = value.units % divisor;
  if (remainder == 0) return Decimal{quotient, scale};
  std::uint64_t twice = 2 * magnitude_of(remainder);
  std::uint64_t div = static_cast<std::uint64_t>(divisor);
  std::int64_t away = value.units < 0 ? -1 : 1;
  switch (rounding) {
    case Rounding::kNone:
      return fail(ErrorKind::kInvalidInput, value.to_string() + " has " +
                                                std::to_string(significant_decimals(value)) +
                                                " decimals but only " + std::to_string(scale) +
                                                " are allowed; name a rounding rule if rounding is intended");
    case Rounding::kDown:
      break;
    case Rounding::kHalfUp:
      if (twice >= div) quotient += away;
      break;
    case Rounding::kHalfEven:
      if (twice > div || (twice == div && quotient % 2 != 0)) quotient += away;
      break;
  }
  return Decimal{quotient, scale};
}

Result<int> currency_exponent(std::string_view code) {
  // Codes compare as packed 3-letter integers: this runs for every amount of every record.
  if (code.size() == 3) {
    std::uint32_t key = pack_code(code);
    auto it = std::lower_bound(kCurrencyKeys.begin(), kCurrencyKeys.end(), key);
    if (it != kCurrencyKeys.end() && *it == key) return kCurrencies[it - kCurrencyKeys.begin()].exponent;
  }
  return fail(ErrorKind::kNotFound,
              "unknown currency " + quoted(code) + "; use an ISO 4217 code such as USD, EUR or JPY");
}

Result<Money> parse_money(std::string_view text, std::string_view currency, NumberFormat format,
                          Rounding rounding) {
  auto exponent = currency_exponent(currency);
  if (!exponent) return fail(ErrorKind::kInvalidInput, exponent.error().message);
  auto value = parse_decimal(text, format);
  if (!value) return std::unexpected(value.error());
  if (rounding == Rounding::kNone && significant_decimals(*value) > *exponent)
    return fail(ErrorKind::kInvalidInput,
                quoted(trim(text)) + " has " + std::to_string(significant_decimals(*value)) +
                    " decimals but " + upper(currency) + " allows " + std::to_string(*exponent) +
                    "; add a round: rule to the mapping if rounding is intended");
  auto scaled = rescale(*value, *exponent, rounding);
  if (!scaled)
    return fail(ErrorKind::kInvalidInput,
                quoted(trim(text)) + " is too large for an amount in " + upper(currency));
  return Money{scaled->units, upper(currency)};
}

std::string format_amount(const Money& money) {
  // A Money always comes from parse_money or a mirror row, so its code is known; an unknown
  // code falls back to 2 decimals, the common case, rather than failing a display.
  auto exponent = currency_exponent(money.currency);
  return place_point(money.minor, exponent ? *exponent : 2);
}

std::string Money::to_string() const { return format_amount(*this) + " " + currency; }

std::string Decimal::to_string() const {
  Decimal d = *this;
  while (d.scale > 0 && d.units % 10 == 0) d.units /= 10, --d.scale;
  return place_point(d.units, d.scale);
}

bool Decimal::operator==(const Decimal& other) const {
  // Compare at the larger scale in 128 bits: 10^18 * int64 cannot overflow __int128.
  int scale = std::max(this->scale, other.scale);
  __int128 a = static_cast<__int128>(units) * kPow10[static_cast<std::size_t>(scale - this->scale)];
  __int128 b = static_cast<__int128>(other.units) * kPow10[static_cast<std::size_t>(scale - other.scale)];
  return a == b;
}

}  // namespace arsync
