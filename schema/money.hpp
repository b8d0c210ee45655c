// Money and exact decimals. Money is never a float: an amount is int64 minor units of an
// ISO 4217 currency, and the currency's exponent (JPY 0, USD 2, KWD 3) decides the scaling.
//
// Parsing is exact from text ("1,234.50", "(12.00)", "1234.5") and from a JSON number's
// source text ("1234.5", "1.2345e3"): nothing passes through double. More precision than the
// currency allows is an error unless the caller names a rounding rule.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace arsync {

// An exact decimal number: units / 10^scale. Used for quantities and unit prices, which
// routinely carry more decimals than any currency (0.125 hours, 3.14159 kg).
struct Decimal {
  std::int64_t units = 0;
  int scale = 0;  // 0..18

  // Canonical text: no exponent, no trailing zeros after the point, "-" sign ("2.5", "-0.125").
  std::string to_string() const;
  bool operator==(const Decimal& other) const;  // numeric equality (2.50 == 2.5)
};

enum class Rounding {
  kNone,      // excess precision is an error
  kHalfEven,  // banker's rounding
  kHalfUp,    // half away from zero
  kDown,      // truncate toward zero
};

// How a decimal is written in the source: which characters separate decimals and thousands.
// Negative amounts may be "-12.50", "12.50-" (SAP) or "(12.50)" (accounting exports).
struct NumberFormat {
  char decimal_point = '.';
  char thousands = ',';  // '\0' when the source never groups digits
};

// Parses text such as "1,234.50", "-0.5", "(12.00)", "1.5e2" exactly.
Result<Decimal> parse_decimal(std::string_view text, NumberFormat format = {});

// Rescales `value` to exactly `scale` decimals, applying `rounding` if digits are dropped.
Result<Decimal> rescale(Decimal value, int scale, Rounding rounding);

// The exponent of an ISO 4217 currency (USD 2, JPY 0, KWD 3), or NotFound for an unknown code.
Result<int> currency_exponent(std::string_view code);

struct Money {
  std::int64_t minor = 0;
  std::string currency;  // ISO 4217, upper case

  bool operator==(const Money&) const = default;
  // "1234.50 USD"
  std::string to_string() const;
};

// Parses `text` as an amount of `currency`: scales to the currency's exponent exactly; more
// decimals than the exponent allows is InvalidInput unless `rounding` says how to round.
Result<Money> parse_money(std::string_view text, std::string_view currency, NumberFormat format = {},
                          Rounding rounding = Rounding::kNone);

// "1234.50" for {123450, USD}, "1200" for {1200, JPY}, "-0.125" for {-125, KWD}.
std::string format_amount(const Money& money);

}  // namespace arsync
