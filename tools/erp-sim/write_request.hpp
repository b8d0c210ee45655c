// write_request: the bodies of the portal writes (API.md "Writes") read into typed requests.
// A body is parsed exactly: JSON numbers keep their source text, and amounts are scaled to the
// currency's minor unit without a double ("12.5" USD -> 1250; "12.345" USD is an error). Only
// the shape is checked here (types, required fields, dates, enums, precision, unknown
// members); whether a customer or invoice exists is the dataset's question.
// Owned by tools/erp-sim. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tools/erp-sim/currency.hpp"

namespace arsync::sim {

// Why a write is refused: HTTP status, error code, message, and the offending member's path
// ("applications[1].amount") as OData's error `target` ("" when it is the whole request).
struct WriteError {
  unsigned status = 422;
  std::string code;
  std::string message;
  std::string target;
};

// Payment methods a portal may send (the generated company also uses Wire).
inline constexpr std::string_view kPaymentMethods[] = {"Card", "ACH", "EFT", "PayPal", "Check", "Wire"};

struct ApplicationRequest {
  std::string invoice_id;  // wire id, "INV-0000042"
  int64_t amount = 0;      // minor units of the payment's currency
};

struct PaymentRequest {
  std::string customer_id;
  int64_t day = 0;  // paymentDate, days since the epoch
  uint8_t method = 0;  // index into kPaymentMethods
  std::string reference;
  std::string portal_ref;
  Currency currency{};
  int64_t amount = 0;
  std::vector<ApplicationRequest> applications;
};

// The four collections only portal writes fill share one shape; each uses some members.
enum class PortalKind : uint8_t { kDispute, kPromiseToPay, kMessage, kCreditRequest };
inline constexpr int kPortalKindCount = 4;

struct PortalRequest {
  PortalKind kind = PortalKind::kDispute;
  std::string customer_id;               // "" for a dispute (its invoice says whose it is)
  std::vector<std::string> invoice_ids;  // dispute: 1; promise: 1+; message, credit request: 0-1
  std::optional<Currency> currency;      // absent: a dispute without amount
  std::optional<int64_t> amount;
  int64_t day = 0;          // promisedDate
  std::string reason_code;  // disputes, credit requests
  std::string text;         // dispute/credit request text, message body
  std::string portal_ref;
};

// A profile change: only the members sent are changed.
struct CustomerUpdate {
  std::optional<std::string> email, phone, street, city, state, postal_code, country;
  std::string portal_ref;  // optional for updates
};

using WriteRequest = std::variant<PaymentRequest, PortalRequest, CustomerUpdate>;

// A request body in canonical form (members sorted, numbers as their source text) for
// comparing a replay with the request that first used its Idempotency-Key.
struct ParsedWrite {
  WriteRequest request;
  std::string canonical;
};

std::expected<ParsedWrite, WriteError> parse_payment_request(std::string_view body);
std::expected<ParsedWrite, WriteError> parse_portal_request(PortalKind kind, std::string_view body);
std::expected<ParsedWrite, WriteError> parse_customer_update(std::string_view body);

// Exact decimal text ("12.5", "-3", "0.125") as minor units at `exponent` decimals; nullopt on
// anything else (exponent notation, excess decimals, over 15 integer digits).
std::optional<int64_t> decimal_to_minor(std::string_view text, int exponent);

std::optional<Currency> currency_from_code(std::string_view code);

}  // namespace arsync::sim
