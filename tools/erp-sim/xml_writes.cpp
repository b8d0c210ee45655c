// xml_writes: see xml_writes.hpp. The <ARPYMT> is translated into the OData payment body and
// read by parse_payment_request, so amounts, dates, methods and lengths follow exactly the rules
// API.md gives for POST /odata/payments; only the Intacct-specific shapes are checked here.
#include "tools/erp-sim/xml_writes.hpp"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "tools/erp-sim/currency.hpp"
#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/written_json.hpp"

namespace arsync::sim {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string text(const pugi::xml_node& node, const char* name) { return std::string(trim(node.child_value(name))); }

std::unexpected<WriteError> invalid(std::string code, std::string message, std::string target) {
  return std::unexpected(WriteError{422, std::move(code), std::move(message), std::move(target)});
}

// Intacct's receipt payment methods (what record_xml writes) back to the sim's words.
std::string method_word(std::string_view method) {
  if (method == "Printed Check" || method == "Check") return "Check";
  if (method == "Credit Card" || method == "Online Charge Card") return "Card";
  if (method == "Online ACH Debit" || method == "ACH") return "ACH";
  return std::string(method);  // EFT, Wire, PayPal; anything else is refused as the OData API does
}

// "MM/DD/YYYY" -> "YYYY-MM-DD" (the calendar check is parse_payment_request's); "" if not that shape.
std::string iso_date(std::string_view us) {
  if (us.size() != 10 || us[2] != '/' || us[5] != '/') return "";
  return std::string(us.substr(6, 4)) + "-" + std::string(us.substr(0, 2)) + "-" + std::string(us.substr(3, 2));
}

}  // namespace

std::expected<ParsedWrite, WriteError> parse_xml_payment(const pugi::xml_node& arpymt) {
  const std::string customer = text(arpymt, "CUSTOMERID");
  const int64_t customer_number = parse_prefixed_number("C", customer);
  if (customer.empty()) return invalid("MissingField", "CUSTOMERID is required", "CUSTOMERID");
  const std::string code = text(arpymt, "CURRENCY");
  const auto currency = currency_from_code(code);
  if (!currency) return invalid("UnknownCurrency", "CURRENCY must be USD, EUR, JPY or KWD, not '" + code + "'", "CURRENCY");
  if (text(arpymt, "DESCRIPTION").empty())
    return invalid("MissingField", "DESCRIPTION (the client's own reference for the payment) is required", "DESCRIPTION");
  const std::string date = iso_date(text(arpymt, "RECEIPTDATE"));
  if (date.empty()) return invalid("InvalidField", "RECEIPTDATE must be MM/DD/YYYY", "RECEIPTDATE");

  json applications = json::array();
  int64_t total = 0;
  int index = 0;
  for (const pugi::xml_node detail : arpymt.child("ARPYMTDETAILS").children("ARPYMTDETAIL")) {
    const std::string at = "ARPYMTDETAILS/ARPYMTDETAIL[" + std::to_string(++index) + "]";
    const std::string key = text(detail, "RECORDKEY");
    const int64_t invoice = parse_prefixed_number("", key);
    if (invoice < 1) return invalid("InvalidField", at + "/RECORDKEY must be an invoice's RECORDNO, not '" + key + "'", at);
    const std::string amount = text(detail, "TRX_PAYMENTAMOUNT");
    const auto minor = decimal_to_minor(amount, currency_exponent(*currency));
    if (!minor)
      return invalid("InvalidAmount", at + "/TRX_PAYMENTAMOUNT '" + amount + "' is not an amount in " + code, at);
    total += *minor;
    applications.push_back({{"invoiceId", record_id(Collection::kInvoices, invoice)}, {"amount", amount}});
  }
  if (applications.empty())
    return invalid("MissingField", "an ARPYMT needs at least one ARPYMTDETAIL (it creates no advance: use ARADVANCE)",
                   "ARPYMTDETAILS");
  // An unknown customer stays a CUSTOMERID the dataset does not know (UnknownCustomer), as on OData.
  const json body{{"customerId", customer_number > 0 ? record_id(Collection::kCustomers, customer_number) : customer},
                  {"paymentDate", date},
                  {"paymentMethod", method_word(text(arpymt, "PAYMENTMETHOD"))},
                  {"reference", text(arpymt, "DOCNUMBER")},
                  {"portalRef", text(arpymt, "DESCRIPTION")},
                  {"currencyCode", code},
                  {"amount", money_text(total, *currency)},
                  {"applications", std::move(applications)}};
  return parse_payment_request(body.dump());
}

std::optional<std::string> parse_description_query(std::string_view query) {
  query = trim(query);
  constexpr std::string_view kField = "DESCRIPTION";
  if (!query.starts_with(kField)) return std::nullopt;
  query = trim(query.substr(kField.size()));
  if (!query.starts_with("=")) return std::nullopt;
  query = trim(query.substr(1));
  if (query.size() < 2 || query.front() != '\'' || query.back() != '\'') return std::nullopt;
  query = query.substr(1, query.size() - 2);
  std::string value;
  for (size_t i = 0; i < query.size(); ++i) {
    if (query[i] == '\'') {
      if (i + 1 >= query.size() || query[i + 1] != '\'') return std::nullopt;  // a lone quote ends the literal early
      ++i;
    }
    value += query[i];
  }
  return value;
}

}  // namespace arsync::sim
