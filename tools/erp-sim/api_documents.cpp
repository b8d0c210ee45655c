// api_documents: the invoices' PDF copies (declared in api.hpp; API.md "Invoice documents").
// The listing (GET /odata/invoiceDocuments) is a collection page of api.cpp; this file serves one
// PDF. The same bearer token and request faults as the rest of /odata apply.
#include "tools/erp-sim/api.hpp"
#include "tools/erp-sim/webhook_emitter.hpp"

namespace arsync::sim {

std::optional<std::string_view> invoice_pdf_key(std::string_view name) {
  constexpr std::string_view kSuffix = "/pdf";
  if (!name.ends_with(kSuffix)) return std::nullopt;
  name.remove_suffix(kSuffix.size());
  if (name.starts_with("invoices('") && name.ends_with("')") && name.size() > 12) return name.substr(10, name.size() - 12);
  if (name.starts_with("invoices/") && name.size() > 9) return name.substr(9);
  return std::nullopt;
}

ApiResponse Api::invoice_pdf(const ApiRequest& request, std::string_view invoice_id) {
  if (!options_.token.empty() && request.authorization != "Bearer " + options_.token) {
    ApiResponse response = error_response(401, "Unauthorized", "missing or wrong bearer token");
    response.www_authenticate = true;
    return response;
  }
  if (request.method != "GET") return error_response(405, "MethodNotAllowed", "an invoice's PDF is read with GET");
  const FaultDecision fault = faults_.decide();
  ApiResponse response;
  if (fault.kind == FaultKind::kError500 || fault.kind == FaultKind::kError503) {
    response = error_response(fault.kind == FaultKind::kError500 ? 500 : 503, "InternalServerError",
                              "injected fault (error_rate)");
  } else if (fault.kind == FaultKind::kTooManyRequests) {
    response = error_response(429, "TooManyRequests", "injected fault (rate_429)");
    response.retry_after_s = fault.retry_after_s;
  } else {
    const int64_t id = parse_record_id(Collection::kInvoices, invoice_id);
    if (id < 1 || !dataset_.write_one(Collection::kInvoices, id, response.body, WireFormat::kPdf)) {
      response = error_response(404, "NotFound", "no invoice '" + std::string(invoice_id) + "'");
    } else {
      response.content_type = "application/pdf";
      response.truncate = fault.truncate;
    }
  }
  response.delay = fault.delay;
  return response;
}

}  // namespace arsync::sim
