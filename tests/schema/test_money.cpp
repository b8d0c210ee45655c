// Money and decimal parsing: a table of inputs, each with the exact result or the error text.
#include <doctest/doctest.h>

#include <string>

#include "schema/money.hpp"
#include "tests/result_text.hpp"

using namespace arsync;
using arsync::test::why;

namespace {

constexpr NumberFormat kDot{};             // 1,234.50
constexpr NumberFormat kComma{',', '.'};   // 1.234,50
constexpr NumberFormat kPlain{'.', '\0'};  // never grouped

struct MoneyRow {
  const char* text;
  const char* currency;
  NumberFormat format;
  Rounding rounding;
  std::int64_t minor;  // expected minor units when `error` is null
  const char* error;   // expected substring of the error message, or nullptr
};

const MoneyRow kMoneyRows[] = {
    // plain amounts, each exponent
    {"1234.50", "USD", kDot, Rounding::kNone, 123450, nullptr},
    {"1234.5", "USD", kDot, Rounding::kNone, 123450, nullptr},
    {"1234", "USD", kDot, Rounding::kNone, 123400, nullptr},
    {"0.01", "USD", kDot, Rounding::kNone, 1, nullptr},
    {"1200", "JPY", kDot, Rounding::kNone, 1200, nullptr},
    {"1200.00", "JPY", kDot, Rounding::kNone, 1200, nullptr},
    {"12.345", "KWD", kDot, Rounding::kNone, 12345, nullptr},
    {"12.3", "KWD", kDot, Rounding::kNone, 12300, nullptr},
    {"1", "CLF", kDot, Rounding::kNone, 10000, nullptr},
    {"7", "usd", kDot, Rounding::kNone, 700, nullptr},
    // signs
    {"-0.5", "USD", kDot, Rounding::kNone, -50, nullptr},
    {"+3", "USD", kDot, Rounding::kNone, 300, nullptr},
    {"12.50-", "USD", kDot, Rounding::kNone, -1250, nullptr},
    {"(12.00)", "USD", kDot, Rounding::kNone, -1200, nullptr},
    {"( 1,234.56 )", "USD", kDot, Rounding::kNone, -123456, nullptr},
    {"-0", "USD", kDot, Rounding::kNone, 0, nullptr},
    {"  42.10 \t", "USD", kDot, Rounding::kNone, 4210, nullptr},
    {"--5", "USD", kDot, Rounding::kNone, 0, "unexpected character '-'"},
    {"-(5)", "USD", kDot, Rounding::kNone, 0, "unexpected character '('"},
    {"(-5)", "USD", kDot, Rounding::kNone, 0, "more than one sign"},
    {"(5", "USD", kDot, Rounding::kNone, 0, "without a closing"},
    {"-5-", "USD", kDot, Rounding::kNone, 0, "more than one sign"},
    // separators
    {"1,234,567.89", "USD", kDot, Rounding::kNone, 123456789, nullptr},
    {"12,34,567.00", "INR", kDot, Rounding::kNone, 123456700, nullptr},
    {"1,23,4.5", "USD", kDot, Rounding::kNone, 0, "misplaced thousands separator ','"},
    {"1,2345", "USD", kDot, Rounding::kNone, 0, "misplaced thousands separator"},
    {",123", "USD", kDot, Rounding::kNone, 0, "misplaced thousands separator"},
    {"1,5", "EUR", kDot, Rounding::kNone, 0, "is the decimal separator set correctly"},
    {"1.234,50", "EUR", kComma, Rounding::kNone, 123450, nullptr},
    {"1234,5", "EUR", kComma, Rounding::kNone, 123450, nullptr},
    {"1.5", "EUR", kComma, Rounding::kNone, 0, "misplaced thousands separator '.'"},
    {"1,234.50", "USD", kPlain, Rounding::kNone, 0, "unexpected character ','"},
    {"1.2.3", "USD", kDot, Rounding::kNone, 0, "more than one decimal point"},
    {"1,234.5,6", "USD", kDot, Rounding::kNone, 0, "unexpected character ','"},
    {".5", "USD", kDot, Rounding::kNone, 50, nullptr},
    {"5.", "USD", kDot, Rounding::kNone, 500, nullptr},
    // exponents, as JSON numbers may be written
    {"1.5e2", "USD", kDot, Rounding::kNone, 15000, nullptr},
    {"1.2345E3", "USD", kDot, Rounding::kNone, 123450, nullptr},
    {"12345e-2", "USD", kDot, Rounding::kNone, 12345, nullptr},
    {"1e-3", "USD", kDot, Rounding::kNone, 0, "has 3 decimals but USD allows 2"},
    {"1e+2", "JPY", kDot, Rounding::kNone, 100, nullptr},
    {"1e", "USD", kDot, Rounding::kNone, 0, "exponent without digits"},
    {"1e99999", "USD", kDot, Rounding::kNone, 0, "exponent out of range"},
    {"1e30", "USD", kDot, Rounding::kNone, 0, "too large"},
    // excess precision: error without a rule, each rule otherwise
    {"12.345", "USD", kDot, Rounding::kNone, 0,
     "\"12.345\" has 3 decimals but USD allows 2; add a round: rule to the mapping if rounding is intended"},
    {"12.3450", "USD", kDot, Rounding::kNone, 0, "has 3 decimals but USD allows 2"},
    {"12.3400", "USD", kDot, Rounding::kNone, 1234, nullptr},
    {"1200.5", "JPY", kDot, Rounding::kNone, 0, "has 1 decimals but JPY allows 0"},
    {"12.345", "USD", kDot, Rounding::kHalfUp, 1235, nullptr},
    {"12.345", "USD", kDot, Rounding::kHalfEven, 1234, nullptr},
    {"12.355", "USD", kDot, Rounding::kHalfEven, 1236, nullptr},
    {"12.3451", "USD", kDot, Rounding::kHalfEven, 1235, nullptr},
    {"12.345", "USD", kDot, Rounding::kDown, 1234, nullptr},
    {"12.349", "USD", kDot, Rounding::kDown, 1234, nullptr},
    {"-12.345", "USD", kDot, Rounding::kHalfUp, -1235, nullptr},
    {"-12.345", "USD", kDot, Rounding::kHalfEven, -1234, nullptr},
    {"-12.349", "USD", kDot, Rounding::kDown, -1234, nullptr},
    {"0.5", "JPY", kDot, Rounding::kHalfEven, 0, nullptr},
    {"1.5", "JPY", kDot, Rounding::kHalfEven, 2, nullptr},
    {"2.5", "JPY", kDot, Rounding::kHalfEven, 2, nullptr},
    {"2.5", "JPY", kDot, Rounding::kHalfUp, 3, nullptr},
    {"-2.5", "JPY", kDot, Rounding::kHalfUp, -3, nullptr},
    {"1.0005", "KWD", kDot, Rounding::kHalfEven, 1000, nullptr},
    {"1.0015", "KWD", kDot, Rounding::kHalfEven, 1002, nullptr},
    {"1.00050000000001", "KWD", kDot, Rounding::kHalfEven, 1001, nullptr},
    // range
    {"92233720368547758.07", "USD", kDot, Rounding::kNone, 9223372036854775807LL, nullptr},
    {"-92233720368547758.08", "USD", kDot, Rounding::kNone, INT64_MIN, nullptr},
    {"92233720368547758.08", "USD", kDot, Rounding::kNone, 0, "too large"},
    {"92233720368547759", "USD", kDot, Rounding::kNone, 0, "too large for an amount in USD"},
    {"99999999999999999999999", "USD", kDot, Rounding::kNone, 0, "beyond the 64-bit range"},
    {"1.000000000000000000000000000", "USD", kDot, Rounding::kNone, 100, nullptr},
    // garbage
    {"", "USD", kDot, Rounding::kNone, 0, "empty value"},
    {"   ", "USD", kDot, Rounding::kNone, 0, "empty value"},
    {"-", "USD", kDot, Rounding::kNone, 0, "no digits"},
    {"()", "USD", kDot, Rounding::kNone, 0, "no digits"},
    {".", "USD", kDot, Rounding::kNone, 0, "no digits"},
    {"abc", "USD", kDot, Rounding::kNone, 0, "\"abc\" is not a number: unexpected character 'a'"},
    {"12.3.4", "USD", kDot, Rounding::kNone, 0, "\"12.3.4\" is not a number"},
    {"$12.00", "USD", kDot, Rounding::kNone, 0, "unexpected character '$'"},
    {"12 00", "USD", kDot, Rounding::kNone, 0, "unexpected character ' '"},
    {"NaN", "USD", kDot, Rounding::kNone, 0, "not a number"},
    {"1", "XYZ", kDot, Rounding::kNone, 0, "unknown currency \"XYZ\""},
    {"1", "", kDot, Rounding::kNone, 0, "unknown currency"},
};

}  // namespace

TEST_CASE("parse_money: every row of the table gives its exact amount or its error") {
  for (const MoneyRow& row : kMoneyRows) {
    std::string input = std::string(row.text) + " " + row.currency;
    CAPTURE(input);
    auto money = parse_money(row.text, row.currency, row.format, row.rounding);
    if (row.error == nullptr) {
      REQUIRE_MESSAGE(money.has_value(), why(money));
      CHECK(money->minor == row.minor);
    } else {
      REQUIRE_FALSE(money.has_value());
      CHECK(money.error().kind == ErrorKind::kInvalidInput);
      CHECK_MESSAGE(money.error().message.find(row.error) != std::string::npos, money.error().message);
    }
  }
}

TEST_CASE("parse_money stores the currency in upper case") {
  auto money = parse_money("1.5", "eur");
  REQUIRE(money);
  CHECK(*money == Money{150, "EUR"});
}

TEST_CASE("currency exponents follow ISO 4217") {
  struct Row {
    const char* code;
    int exponent;
  };
  const Row rows[] = {{"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CAD", 2}, {"AUD", 2}, {"NZD", 2}, {"CHF", 2},
                      {"SEK", 2}, {"NOK", 2}, {"DKK", 2}, {"PLN", 2}, {"CZK", 2}, {"HUF", 2}, {"JPY", 0},
                      {"KRW", 0}, {"CLP", 0}, {"ISK", 0}, {"VND", 0}, {"XAF", 0}, {"XOF", 0}, {"BHD", 3},
                      {"KWD", 3}, {"OMR", 3}, {"JOD", 3}, {"TND", 3}, {"IQD", 3}, {"LYD", 3}, {"CNY", 2},
                      {"INR", 2}, {"BRL", 2}, {"MXN", 2}, {"ZAR", 2}, {"SGD", 2}, {"HKD", 2}, {"AED", 2},
                      {"SAR", 2}, {"ILS", 2}, {"TRY", 2}, {"RUB", 2}, {"THB", 2}, {"MYR", 2}, {"IDR", 2},
                      {"PHP", 2}, {"TWD", 2}, {"AED", 2}, {"ZWL", 2}, {"jpy", 0}};
  for (const Row& row : rows) {
    std::string code = row.code;
    CAPTURE(code);
    auto e = currency_exponent(row.code);
    REQUIRE(e);
    CHECK(*e == row.exponent);
  }
  for (const char* bad : {"XAU", "US", "USDX", "", "ZZZ", "AAA"}) {
    std::string input = bad;
    CAPTURE(input);
    auto e = currency_exponent(bad);
    REQUIRE_FALSE(e);
    CHECK(e.error().kind == ErrorKind::kNotFound);
  }
}

TEST_CASE("parse_decimal keeps every digit of quantities and unit prices") {
  struct Row {
    const char* text;
    std::int64_t units;
    int scale;
    const char* canonical;
  };
  const Row rows[] = {
      {"2.5", 25, 1, "2.5"},
      {"2.50", 250, 2, "2.5"},
      {"0.125", 125, 3, "0.125"},
      {"-0.125", -125, 3, "-0.125"},
      {"3.14159", 314159, 5, "3.14159"},
      {"40", 40, 0, "40"},
      {"1.5e2", 150, 0, "150"},
      {"1.25e-3", 125, 5, "0.00125"},
      {"0", 0, 0, "0"},
      {"-0.0", 0, 1, "0"},
      {"0.000000000000000001", 1, 18, "0.000000000000000001"},
      {"1,000.0", 10000, 1, "1000"},
      {"9223372036854775807", INT64_MAX, 0, "9223372036854775807"},
      {"-9223372036854775808", INT64_MIN, 0, "-9223372036854775808"},
  };
  for (const Row& row : rows) {
    std::string input = row.text;
    CAPTURE(input);
    auto d = parse_decimal(row.text);
    REQUIRE_MESSAGE(d, why(d));
    CHECK(d->units == row.units);
    CHECK(d->scale == row.scale);
    CHECK(d->to_string() == row.canonical);
  }
  for (const char* bad :
       {"0.0000000000000000001", "9223372036854775808", "1e19", "1..2", "e5", "0x10", "1 e5"}) {
    std::string input = bad;
    CAPTURE(input);
    auto d = parse_decimal(bad);
    REQUIRE_FALSE(d);
    CHECK(d.error().kind == ErrorKind::kInvalidInput);
    CHECK(d.error().message.find(std::string("\"") + bad + "\"") != std::string::npos);
  }
}

TEST_CASE("decimals compare by value, not by scale") {
  CHECK(Decimal{250, 2} == Decimal{25, 1});
  CHECK(Decimal{0, 5} == Decimal{0, 0});
  CHECK_FALSE(Decimal{251, 2} == Decimal{25, 1});
  CHECK(Decimal{INT64_MAX, 0} == Decimal{INT64_MAX, 0});
  CHECK_FALSE(Decimal{INT64_MAX, 0} == Decimal{INT64_MAX, 18});
}

TEST_CASE("rescale applies each rounding rule and refuses to overflow") {
  CHECK(rescale({125, 2}, 4, Rounding::kNone)->units == 12500);
  CHECK(rescale({125, 2}, 1, Rounding::kHalfEven)->units == 12);
  CHECK(rescale({135, 2}, 1, Rounding::kHalfEven)->units == 14);
  CHECK(rescale({-125, 2}, 1, Rounding::kHalfUp)->units == -13);
  CHECK(rescale({-129, 2}, 1, Rounding::kDown)->units == -12);
  CHECK(rescale({129, 2}, 0, Rounding::kDown)->units == 1);
  auto err = rescale({125, 2}, 1, Rounding::kNone);
  REQUIRE_FALSE(err);
  CHECK(err.error().message ==
        "1.25 has 2 decimals but only 1 are allowed; name a rounding rule if rounding is intended");
  CHECK_FALSE(rescale({INT64_MAX / 10, 0}, 2, Rounding::kNone));
  CHECK_FALSE(rescale({1, 0}, 19, Rounding::kNone));
  CHECK(rescale({INT64_MIN, 18}, 0, Rounding::kHalfEven)->units == -9);
}

TEST_CASE("amounts format with the currency's decimals") {
  CHECK(format_amount({123450, "USD"}) == "1234.50");
  CHECK(format_amount({1200, "JPY"}) == "1200");
  CHECK(format_amount({-125, "KWD"}) == "-0.125");
  CHECK(format_amount({5, "USD"}) == "0.05");
  CHECK(format_amount({-5, "USD"}) == "-0.05");
  CHECK(format_amount({0, "USD"}) == "0.00");
  CHECK(format_amount({INT64_MIN, "USD"}) == "-92233720368547758.08");
  CHECK(Money{123450, "USD"}.to_string() == "1234.50 USD");
  CHECK(Money{-1200, "JPY"}.to_string() == "-1200 JPY");
}
