// currency: see currency.hpp.
#include "tools/erp-sim/currency.hpp"

#include <charconv>

namespace arsync::sim {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int exponent;
  int64_t scale;
  std::string_view rate;    // USD per unit
  int64_t rate_millionths;  // the same, in millionths
};

constexpr CurrencyInfo kCurrencies[kCurrencyCount] = {{"USD", 2, 100, "1", 1'000'000},
                                                      {"EUR", 2, 100, "1.0823", 1'082'300},
                                                      {"JPY", 0, 1, "0.0067", 6'700},
                                                      {"KWD", 3, 1000, "3.25", 3'250'000}};

}  // namespace

std::string_view currency_code(Currency currency) { return kCurrencies[static_cast<int>(currency)].code; }

int currency_exponent(Currency currency) { return kCurrencies[static_cast<int>(currency)].exponent; }

char* write_money(char* out, int64_t minor, Currency currency, bool trim) {
  const CurrencyInfo& info = kCurrencies[static_cast<int>(currency)];
  // Work on the magnitude as unsigned so INT64_MIN cannot overflow.
  uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  if (minor < 0) *out++ = '-';
  const auto scale = static_cast<uint64_t>(info.scale);
  out = std::to_chars(out, out + 20, magnitude / scale).ptr;
  if (info.exponent == 0) return out;
  uint64_t fraction = magnitude % scale;
  int digits = info.exponent;
  if (trim) {
    while (digits > 0 && fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    if (digits == 0) return out;
  }
  *out++ = '.';
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  return out + digits;
}

std::string_view exchange_rate_text(Currency currency) { return kCurrencies[static_cast<int>(currency)].rate; }

int64_t base_amount(int64_t minor, Currency currency) {
  if (currency == kBaseCurrency) return minor;
  const CurrencyInfo& info = kCurrencies[static_cast<int>(currency)];
  // base cents = minor / scale * rate * 100; in 128 bits so no amount the sim holds can overflow.
  const __int128 numerator = static_cast<__int128>(minor) * info.rate_millionths * 100;
  const __int128 denominator = static_cast<__int128>(info.scale) * 1'000'000;
  const __int128 half = denominator / 2;
  return static_cast<int64_t>(numerator >= 0 ? (numerator + half) / denominator : (numerator - half) / denominator);
}

std::string money_text(int64_t minor, Currency currency) {
  char buffer[kMaxMoneyChars];
  return std::string(buffer, write_money(buffer, minor, currency));
}

}  // namespace arsync::sim
