// write_request: see write_request.hpp.
#include "tools/erp-sim/write_request.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tools/erp-sim/sim_time.hpp"

namespace arsync::sim {
namespace {

using nlohmann::json;

constexpr const char* kNumberMarker = "$number";
constexpr size_t kShortText = 100;  // ids, references, codes, address parts
constexpr size_t kLongText = 4000;  // dispute text, message bodies

// nlohmann's own DOM builder, except that numbers become {"$number":"<source text>"}: the SAX
// interface hands over a float's text before it is turned into a double. (detail:: is stable
// in the 3.11 series Debian 12 ships; sax_parse calls these members by static type.)
class ExactSax : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit ExactSax(json& root) : json_sax_dom_parser(root, false) {}
  bool number_integer(json::number_integer_t value) { return marker(std::to_string(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return marker(std::to_string(value)); }
  bool number_float(json::number_float_t, const std::string& text) { return marker(text); }

 private:
  bool marker(std::string text) {
    std::string name = kNumberMarker;
    return start_object(1) && key(name) && string(text) && end_object();
  }
};

std::expected<json, WriteError> parse_object(std::string_view body) {
  json root;
  ExactSax sax(root);
  if (!json::sax_parse(body, &sax) || !root.is_object())
    return std::unexpected(WriteError{400, "BadRequest", "the body must be one JSON object", ""});
  return root;
}

bool is_number(const json& value) { return value.is_object() && value.size() == 1 && value.contains(kNumberMarker); }

// Reads members of one JSON object; the first problem wins and names the member's path.
class FieldReader {
 public:
  FieldReader(const json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

  std::optional<WriteError>& error() { return error_; }
  bool failed() const { return error_.has_value(); }
  std::string path(std::string_view key) const { return prefix_ + std::string(key); }

  void fail(std::string code, std::string message, std::string target) {
    if (!error_) error_ = WriteError{422, std::move(code), std::move(message), std::move(target)};
  }

  // Every member must be one this request knows: a misspelt member would otherwise vanish.
  void only(std::initializer_list<std::string_view> known) {
    for (const auto& item : object_.items())
      if (std::find(known.begin(), known.end(), item.key()) == known.end())
        fail("UnknownField", "unknown member '" + path(item.key()) + "'", path(item.key()));
  }

  const json* member(const char* key, bool required) {
    const auto it = object_.find(key);
    if (it != object_.end() && !it->is_null()) return &*it;
    if (required) fail("MissingField", "'" + path(key) + "' is required", path(key));
    return nullptr;
  }

  std::optional<std::string> text(const char* key, bool required, size_t max_chars = kShortText,
                                  bool allow_empty = false) {
    const json* value = member(key, required);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
      fail("InvalidField", "'" + path(key) + "' must be a string", path(key));
      return std::nullopt;
    }
    const auto& s = value->get_ref<const std::string&>();
    if ((s.empty() && !allow_empty) || s.size() > max_chars) {
      fail("InvalidField",
           "'" + path(key) + "' must be a string of " + (allow_empty ? "0" : "1") + " to " +
               std::to_string(max_chars) + " characters",
           path(key));
      return std::nullopt;
    }
    return s;
  }

  std::optional<int64_t> date(const char* key) {
    const auto s = text(key, true, 10);
    if (!s) return std::nullopt;
    unsigned y = 0, m = 0, d = 0;
    if (s->size() == 10 && std::sscanf(s->c_str(), "%4u-%2u-%2u", &y, &m, &d) == 3 && (*s)[4] == '-' &&
        (*s)[7] == '-' && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
      const int64_t days = days_from_civil(static_cast<int>(y), m, d);
      char check[10];
      write_date(check, days);  // rejects 2025-02-30, which days_from_civil would roll over
      if (std::string_view(check, 10) == *s) return days;
    }
    fail("InvalidField", "'" + path(key) + "' must be a date YYYY-MM-DD, not '" + *s + "'", path(key));
    return std::nullopt;
  }

  std::optional<Currency> currency(const char* key, bool required) {
    const auto code = text(key, required, 3);
    if (!code) return std::nullopt;
    const auto currency = currency_from_code(*code);
    if (!currency) fail("UnknownCurrency", "'" + path(key) + "': unknown currency '" + *code + "'", path(key));
    return currency;
  }

  // A JSON number or a decimal string, exactly, in the currency's minor units; must be > 0.
  std::optional<int64_t> amount(const char* key, Currency currency, bool required) {
    const json* value = member(key, required);
    if (!value) return std::nullopt;
    std::string text;
    if (is_number(*value))
      text = (*value)[kNumberMarker].get<std::string>();
    else if (value->is_string())
      text = value->get<std::string>();
    else
      fail("InvalidField", "'" + path(key) + "' must be a number or a decimal string", path(key));
    if (failed()) return std::nullopt;
    const int exponent = currency_exponent(currency);
    const auto minor = decimal_to_minor(text, exponent);
    if (!minor) {
      fail("InvalidAmount",
           "'" + path(key) + "' " + text + " is not a plain decimal with at most " + std::to_string(exponent) +
               " decimals (" + std::string(currency_code(currency)) + ")",
           path(key));
    } else if (*minor <= 0) {
      fail("NonPositiveAmount", "'" + path(key) + "' must be more than 0, not " + text, path(key));
    }
    return failed() ? std::nullopt : minor;
  }

  const json* array(const char* key, bool required) {
    const json* value = member(key, required);
    if (value && !value->is_array()) {
      fail("InvalidField", "'" + path(key) + "' must be an array", path(key));
      return nullptr;
    }
    return value;
  }

 private:
  const json& object_;
  const std::string prefix_;
  std::optional<WriteError> error_;
};

template <class Request>
std::expected<ParsedWrite, WriteError> finish(FieldReader& reader, Request&& request, const json& body) {
  if (reader.failed()) return std::unexpected(std::move(*reader.error()));
  return ParsedWrite{std::forward<Request>(request), body.dump()};
}

std::optional<uint8_t> method_index(std::string_view method) {
  for (size_t i = 0; i < std::size(kPaymentMethods); ++i)
    if (kPaymentMethods[i] == method) return static_cast<uint8_t>(i);
  return std::nullopt;
}

void read_applications(FieldReader& reader, const json& list, Currency currency, PaymentRequest& out) {
  for (size_t i = 0; i < list.size() && !reader.failed(); ++i) {
    const std::string prefix = "applications[" + std::to_string(i) + "].";
    if (!list[i].is_object()) {
      reader.fail("InvalidField", "'" + prefix.substr(0, prefix.size() - 1) + "' must be an object", prefix);
      return;
    }
    FieldReader item(list[i], prefix);
    item.only({"invoiceId", "amount"});
    ApplicationRequest application;
    application.invoice_id = item.text("invoiceId", true).value_or("");
    application.amount = item.amount("amount", currency, true).value_or(0);
    if (item.failed()) {
      WriteError& e = *item.error();
      reader.fail(e.code, e.message, e.target);
      return;
    }
    out.applications.push_back(std::move(application));
  }
}

}  // namespace

std::optional<Currency> currency_from_code(std::string_view code) {
  for (int c = 0; c < kCurrencyCount; ++c)
    if (currency_code(static_cast<Currency>(c)) == code) return static_cast<Currency>(c);
  return std::nullopt;
}

std::optional<int64_t> decimal_to_minor(std::string_view text, int exponent) {
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  const size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view() : text.substr(point + 1);
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  if (whole.empty() || whole.size() > 15 || !digits(whole) || !digits(fraction)) return std::nullopt;
  if (point != std::string_view::npos && fraction.empty()) return std::nullopt;  // "12."
  if (fraction.size() > static_cast<size_t>(exponent)) return std::nullopt;
  int64_t minor = 0;
  for (const char ch : whole) minor = minor * 10 + (ch - '0');
  for (int i = 0; i < exponent; ++i)
    minor = minor * 10 + (static_cast<size_t>(i) < fraction.size() ? fraction[i] - '0' : 0);
  return negative ? -minor : minor;
}

std::expected<ParsedWrite, WriteError> parse_payment_request(std::string_view text) {
  auto body = parse_object(text);
  if (!body) return std::unexpected(body.error());
  FieldReader reader(*body, "");
  reader.only({"customerId", "paymentDate", "paymentMethod", "reference", "portalRef", "currencyCode", "amount",
               "applications"});
  PaymentRequest request;
  request.customer_id = reader.text("customerId", true).value_or("");
  request.day = reader.date("paymentDate").value_or(0);
  if (const auto method = reader.text("paymentMethod", true)) {
    const auto index = method_index(*method);
    if (!index)
      reader.fail("InvalidField", "'paymentMethod' must be Card, ACH, EFT, PayPal, Check or Wire, not '" + *method + "'",
                  "paymentMethod");
    request.method = index.value_or(0);
  }
  request.reference = reader.text("reference", true, kShortText, true).value_or("");
  request.portal_ref = reader.text("portalRef", true).value_or("");
  if (const auto currency = reader.currency("currencyCode", true)) {
    request.currency = *currency;
    request.amount = reader.amount("amount", *currency, true).value_or(0);
    if (const json* list = reader.array("applications", false))
      read_applications(reader, *list, *currency, request);
  }
  return finish(reader, std::move(request), *body);
}

std::expected<ParsedWrite, WriteError> parse_portal_request(PortalKind kind, std::string_view text) {
  auto body = parse_object(text);
  if (!body) return std::unexpected(body.error());
  FieldReader reader(*body, "");
  PortalRequest request;
  request.kind = kind;
  const auto read_amount = [&](bool required) {
    request.currency = reader.currency("currencyCode", required);
    if (request.currency) request.amount = reader.amount("amount", *request.currency, required);
    else if (!reader.failed() && reader.member("amount", false))
      reader.fail("MissingField", "'currencyCode' is required with 'amount'", "currencyCode");
  };
  const auto read_invoice = [&](bool required) {
    if (auto id = reader.text("invoiceId", required)) request.invoice_ids.push_back(std::move(*id));
  };
  switch (kind) {
    case PortalKind::kDispute:
      reader.only({"invoiceId", "reasonCode", "amount", "currencyCode", "text", "portalRef"});
      read_invoice(true);
      request.reason_code = reader.text("reasonCode", true).value_or("");
      read_amount(false);
      request.text = reader.text("text", true, kLongText, true).value_or("");
      break;
    case PortalKind::kPromiseToPay:
      reader.only({"customerId", "promisedDate", "amount", "currencyCode", "invoiceIds", "portalRef"});
      request.customer_id = reader.text("customerId", true).value_or("");
      request.day = reader.date("promisedDate").value_or(0);
      read_amount(true);
      if (const json* ids = reader.array("invoiceIds", true)) {
        for (const json& id : *ids) {
          if (!id.is_string() || id.get_ref<const std::string&>().empty() || ids->size() > 1000) {
            reader.fail("InvalidField", "'invoiceIds' must be an array of invoice ids", "invoiceIds");
            break;
          }
          request.invoice_ids.push_back(id.get<std::string>());
        }
        if (ids->empty()) reader.fail("InvalidField", "'invoiceIds' must name at least one invoice", "invoiceIds");
      }
      break;
    case PortalKind::kMessage:
      reader.only({"customerId", "invoiceId", "body", "portalRef"});
      request.customer_id = reader.text("customerId", true).value_or("");
      read_invoice(false);
      request.text = reader.text("body", true, kLongText).value_or("");
      break;
    case PortalKind::kCreditRequest:
      reader.only({"customerId", "invoiceId", "amount", "currencyCode", "reasonCode", "text", "portalRef"});
      request.customer_id = reader.text("customerId", true).value_or("");
      read_invoice(false);
      read_amount(true);
      request.reason_code = reader.text("reasonCode", true).value_or("");
      request.text = reader.text("text", true, kLongText, true).value_or("");
      break;
  }
  request.portal_ref = reader.text("portalRef", true).value_or("");
  return finish(reader, std::move(request), *body);
}

std::expected<ParsedWrite, WriteError> parse_customer_update(std::string_view text) {
  auto body = parse_object(text);
  if (!body) return std::unexpected(body.error());
  FieldReader reader(*body, "");
  reader.only({"email", "phoneNumber", "address", "portalRef"});
  CustomerUpdate update;
  update.email = reader.text("email", false);
  if (update.email && update.email->find('@') == std::string::npos)
    reader.fail("InvalidField", "'email' must be an e-mail address, not '" + *update.email + "'", "email");
  update.phone = reader.text("phoneNumber", false, 40, true);  // "" clears it
  update.portal_ref = reader.text("portalRef", false).value_or("");
  if (const json* address = reader.member("address", false)) {
    if (!address->is_object()) {
      reader.fail("InvalidField", "'address' must be an object", "address");
    } else {
      FieldReader part(*address, "address.");
      part.only({"street", "city", "state", "postalCode", "countryLetterCode"});
      update.street = part.text("street", false);
      update.city = part.text("city", false);
      update.state = part.text("state", false, 40, true);
      update.postal_code = part.text("postalCode", false, 20);
      update.country = part.text("countryLetterCode", false, 2);
      if (part.failed()) reader.fail(part.error()->code, part.error()->message, part.error()->target);
    }
  }
  if (!reader.failed() && !update.email && !update.phone && !update.street && !update.city && !update.state &&
      !update.postal_code && !update.country)
    reader.fail("MissingField", "nothing to change: send email, phoneNumber or address members", "");
  return finish(reader, std::move(update), *body);
}

}  // namespace arsync::sim
