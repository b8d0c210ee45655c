// api: the simulator's routes, independent of the HTTP library: a request (method, target,
// auth header, body) in, a response (status, JSON body, and fault instructions for the
// transport: delay, truncation, Retry-After) out. /odata/{collection} pages, /admin/stats,
// /admin/mutate, /admin/faults, /admin/webhooks; the portal writes (POST/PATCH on /odata and
// /admin/writes) are in api_writes.cpp.
// Owned by tools/erp-sim. Thread-safe: handle() may run on several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/erp-sim/dataset.hpp"
#include "tools/erp-sim/faults.hpp"
#include "tools/erp-sim/odata_query.hpp"
#include "tools/erp-sim/webhook_emitter.hpp"
#include "tools/erp-sim/xml_api.hpp"

namespace arsync::sim {

struct ApiRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/odata/invoices?$top=10"
  std::string_view authorization;
  std::string_view body;
  std::string_view idempotency_key;  // the Idempotency-Key header (writes)
  std::string_view content_type;
};

struct ApiResponse {
  unsigned status = 200;
  std::string body;        // JSON, except the XML API's answers
  std::string_view content_type = "application/json";
  int retry_after_s = -1;  // >= 0: send a Retry-After header
  bool www_authenticate = false;
  // Fault instructions for the transport.
  std::chrono::milliseconds delay{0};  // wait this long before answering, without blocking others
  bool truncate = false;               // send the full Content-Length, half the body, then close
  bool drop = false;                   // close the connection without answering at all
};

struct ApiOptions {
  std::string token;                   // empty: /odata needs no Authorization
  uint16_t port = 0;                   // for @odata.context and @odata.nextLink
  WebhookEmitter* webhooks = nullptr;  // null: started without --webhook-url
};

class Api {
 public:
  Api(Dataset& dataset, FaultInjector& faults, ApiOptions options);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  ApiResponse handle(const ApiRequest& request);

 private:
  ApiResponse odata(const ApiRequest& request, std::string_view name, const Target& target);
  ApiResponse collection_page(std::string_view name, const Target& target);
  ApiResponse admin_stats();
  ApiResponse admin_mutate(std::string_view body);
  ApiResponse admin_faults(std::string_view method, std::string_view body);
  ApiResponse admin_webhooks();
  ApiResponse admin_webhooks_emit(std::string_view body);
  // api_writes.cpp: POST /odata/{payments,disputes,...}, PATCH /odata/customers('ID').
  ApiResponse odata_write(const ApiRequest& request, std::string_view name);
  ApiResponse admin_writes();
  // api_documents.cpp: GET /odata/invoices('ID')/pdf.
  ApiResponse invoice_pdf(const ApiRequest& request, std::string_view invoice_id);

  // Constant after construction
  Dataset& dataset_;
  FaultInjector& faults_;
  const ApiOptions options_;
  const std::string base_url_;
  XmlApi xml_;  // POST /ia/xml/xmlgw.phtml (xml_api.hpp)
};

// The JSON error body every non-2xx answer carries: {"error":{"code":..,"message":..}}, with
// OData's "target" (the member at fault) when `target` is not empty.
ApiResponse error_response(unsigned status, std::string_view code, std::string_view message,
                           std::string_view target = {});

// The invoices' printed copies (API.md "Invoice documents"): a listing collection, and each PDF
// at invoices('INV-0000001')/pdf (api_documents.cpp).
inline constexpr std::string_view kInvoiceDocuments = "invoiceDocuments";
// "invoices('INV-0000001')/pdf" or "invoices/INV-0000001/pdf" -> "INV-0000001".
std::optional<std::string_view> invoice_pdf_key(std::string_view name);

// Whether `name` (the path after /odata/) is a collection GET serves or a write target.
bool is_odata_resource(std::string_view name);
// A 405 answer when `method` does not fit the resource `name`; nullopt when it does.
std::optional<ApiResponse> method_refusal(std::string_view method, std::string_view name);

}  // namespace arsync::sim
