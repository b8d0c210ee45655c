// currency: see currency.hpp.
#include "tools/erp-sim/currency.hpp"

#include <charconv>

namespace arsync::sim {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int exponent;
  int64_t scale;
};

constexpr CurrencyInfo kCurrencies[kCurrencyCount] = {
    {"USD", 2, 100}, {"EUR", 2, 100}, {"JPY", 0, 1}, {"KWD", 3, 1000}};

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

std::string money_text(int64_t minor, Currency currency) {
  char buffer[kMaxMoneyChars];
  return std::string(buffer, write_money(buffer, minor, currency));
}

}  // namespace arsync::sim
