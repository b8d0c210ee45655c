// api_writes: the write side of Api (declared in api.hpp; API.md "Writes"): routing POST and
// PATCH requests, the Idempotency-Key and Content-Type rules, the drop_after_commit fault and
// /admin/writes. The checks and the commit are the Dataset's.
#include <nlohmann/json.hpp>

#include "tools/erp-sim/api.hpp"
#include "tools/erp-sim/write_request.hpp"

namespace arsync::sim {
namespace {

using nlohmann::json;

constexpr size_t kMaxKeyChars = 255;
constexpr size_t kMaxListedDuplicates = 1000;

// "customers('CUST-000001')" (OData key syntax) or "customers/CUST-000001" -> "CUST-000001".
std::optional<std::string_view> customer_key(std::string_view name) {
  if (name.starts_with("customers('") && name.ends_with("')") && name.size() > 13)
    return name.substr(11, name.size() - 13);
  if (name.starts_with("customers/") && name.size() > 10) return name.substr(10);
  return std::nullopt;
}

bool posts_to(std::string_view name) { return name == "payments" || portal_kind_from_name(name).has_value(); }

// Printable ASCII without spaces: what any client generating UUIDs or hashes sends.
bool valid_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyChars) return false;
  for (const char ch : key)
    if (ch <= ' ' || ch > '~') return false;
  return true;
}

ApiResponse answer(const WriteOutcome& outcome) {
  if (outcome.error) return error_response(outcome.status, outcome.error->code, outcome.error->message, outcome.error->target);
  return ApiResponse{outcome.status, outcome.body};
}

json counters_json(const WriteCounters& c) {
  json refs = json::array();
  for (size_t i = 0; i < c.duplicate_refs.size() && i < kMaxListedDuplicates; ++i)
    refs.push_back(std::string(c.duplicate_refs[i]));
  return json{{"created", c.created},
              {"replayed", c.replayed},
              {"rejected", c.rejected},
              {"duplicateCreations", c.duplicate_creations},
              {"duplicatePortalRefCount", c.duplicate_refs.size()},
              {"duplicatePortalRefs", std::move(refs)}};
}

}  // namespace

bool is_odata_resource(std::string_view name) {
  return collection_from_name(name) || name == kInvoiceDocuments || portal_kind_from_name(name) || customer_key(name);
}

std::optional<ApiResponse> method_refusal(std::string_view method, std::string_view name) {
  if (customer_key(name)) {
    if (method == "PATCH") return std::nullopt;
    return error_response(405, "MethodNotAllowed", "a customer is changed with PATCH (read the collection with GET)");
  }
  if (method == "GET") return std::nullopt;
  if (method == "POST" && posts_to(name)) return std::nullopt;
  return error_response(405, "MethodNotAllowed",
                        posts_to(name) ? "use GET or POST on this collection" : "collections are read with GET");
}

ApiResponse Api::odata_write(const ApiRequest& request, std::string_view name) {
  const auto customer = customer_key(name);
  const auto portal = portal_kind_from_name(name);
  const WriteTarget target = customer ? WriteTarget::kCustomers : portal ? portal_target(*portal) : WriteTarget::kPayments;
  if (request.idempotency_key.empty())
    return error_response(400, "IdempotencyKeyRequired", "writes need an Idempotency-Key header");
  if (!valid_key(request.idempotency_key))
    return error_response(400, "BadRequest", "Idempotency-Key must be 1 to 255 printable ASCII characters, no spaces");
  if (!request.content_type.starts_with("application/json"))
    return error_response(415, "UnsupportedMediaType", "send the body with Content-Type: application/json");

  auto parsed = customer ? parse_customer_update(request.body)
                : portal ? parse_portal_request(*portal, request.body)
                         : parse_payment_request(request.body);
  if (!parsed) {
    dataset_.count_rejected(target);
    return error_response(parsed.error().status, parsed.error().code, parsed.error().message, parsed.error().target);
  }
  const FaultSettings settings = faults_.settings();
  const WriteCall call{target, customer.value_or(""), request.idempotency_key, settings.honor_idempotency};
  const WriteOutcome outcome = dataset_.write(call, *parsed);
  if (options_.webhooks && outcome.committed) {
    // As for /admin/mutate: the ERP announces its own changes, whoever caused them.
    options_.webhooks->notify(Collection::kPayments, outcome.created_payments, true);
    options_.webhooks->notify(Collection::kInvoices, outcome.changed_invoices, false);
    options_.webhooks->notify(Collection::kCustomers, outcome.changed_customers, false);
  }
  ApiResponse response = answer(outcome);
  // "Commit then drop the answer": the record exists, the client hears nothing.
  response.drop = outcome.committed && settings.drop_after_commit_rate > 0 && faults_.drop_after_commit();
  return response;
}

ApiResponse Api::admin_writes() {
  json out = json::object();
  for (int t = 0; t < kWriteTargetCount; ++t) {
    const auto target = static_cast<WriteTarget>(t);
    out[std::string(write_target_name(target))] = counters_json(dataset_.write_counters(target));
  }
  return ApiResponse{200, out.dump()};
}

}  // namespace arsync::sim
