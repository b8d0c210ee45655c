// currency: the simulator's four currencies and exact money text. Money is int64 minor units;
// the currency's exponent (USD/EUR 2, JPY 0, KWD 3) decides where the decimal point goes.
// Never a double. Owned by tools/erp-sim. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace arsync::sim {

enum class Currency : uint8_t { kUsd, kEur, kJpy, kKwd };
inline constexpr int kCurrencyCount = 4;

std::string_view currency_code(Currency currency);
int currency_exponent(Currency currency);

// Longest text write_money can produce ("-9223372036854775.808" and the like).
inline constexpr size_t kMaxMoneyChars = 24;

// Writes `minor` as a decimal with the currency's exponent: 10825 USD -> "108.25", 1200 JPY ->
// "1200". With `trim`, trailing fractional zeros (and a bare point) are dropped: "108.2", "100";
// API.md allows "the currency's decimals or fewer". Returns the end of the written text.
char* write_money(char* out, int64_t minor, Currency currency, bool trim = false);

// The same, as a string (for /admin/stats and tests).
std::string money_text(int64_t minor, Currency currency);

// The simulated company keeps its books in USD (its base currency). Each currency has one fixed
// rate to USD (USD per unit, exact decimal text: "1.0823"), so the XML API can serve Intacct's
// base-currency amounts (TOTALENTERED) beside the transaction ones (TRX_TOTALENTERED).
inline constexpr Currency kBaseCurrency = Currency::kUsd;
std::string_view exchange_rate_text(Currency currency);
// `minor` of `currency` in base-currency (USD) minor units at that rate, rounded half away from
// zero; exact for USD itself.
int64_t base_amount(int64_t minor, Currency currency);

}  // namespace arsync::sim
