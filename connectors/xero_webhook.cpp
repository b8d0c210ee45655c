// xero: see xero_webhook.hpp.
#include "connectors/xero_webhook.hpp"

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"

namespace arsync {
namespace {

using nlohmann::json;

constexpr OptionSpec kOptions[] = {
    {"webhook_key", OptionType::kSecret, "", true,
     "the webhook signing key (Xero developer portal, Webhooks)"},
};

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<WebhookEvent> read_event(const json& item) {
  if (!item.is_object()) return fail(ErrorKind::kInvalidInput, "Xero events array holds a non-object");
  const std::string resource = text(item, "resourceId");
  const std::string category = text(item, "eventCategory");
  const std::string type = text(item, "eventType");
  const std::string at = text(item, "eventDateUtc");
  if (resource.empty() || category.empty())
    return fail(ErrorKind::kInvalidInput, "Xero event without resourceId or eventCategory");
  WebhookEvent event;
  event.event_id = derived_event_id({"xero", text(item, "tenantId"), category, resource, type, at});
  event.entity = category;
  event.operation = ascii_lower(type);
  event.erp_ids.push_back(resource);
  event.occurred_at = utc_timestamp(at);
  return event;
}

class XeroWebhook final : public WebhookScheme {
 public:
  explicit XeroWebhook(std::string key) : key_(std::move(key)) {}

  WebhookCheck verify(const WebhookRequest& request, std::chrono::system_clock::time_point) const override {
    const auto signature = webhook_header(request, "x-xero-signature");
    if (!signature) return webhook_reject("missing x-xero-signature header");
    if (!hmac_sha256_matches(key_, request.body, *signature, DigestEncoding::kBase64))
      return webhook_reject("x-xero-signature does not match the body");
    return webhook_accept();  // Xero: "200 O.K", "no body in the response"
  }

  Result<std::vector<WebhookEvent>> read_events(const std::string& body) const override {
    const json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("events") || !parsed["events"].is_array())
      return fail(ErrorKind::kInvalidInput, "Xero webhook body is not an object with an events array");
    std::vector<WebhookEvent> events;
    for (const json& item : parsed["events"]) {
      auto event = read_event(item);
      if (!event) return fail(event.error());
      events.push_back(std::move(*event));
    }
    return events;
  }

 private:
  // Constant after construction
  const std::string key_;
};

Result<std::unique_ptr<WebhookScheme>> create(const OptionValues& values) {
  if (auto ok = check_webhook_options(values, kOptions, "xero"); !ok) return fail(ok.error());
  const std::string key = OptionReader(values, kOptions).string("webhook_key");
  if (key.empty()) return fail(ErrorKind::kInvalidInput, "webhook scheme 'xero': webhook_key is empty");
  return std::make_unique<XeroWebhook>(key);
}

}  // namespace

const WebhookSchemeSpec& xero_webhook_spec() {
  static const WebhookSchemeSpec spec{"xero", "Xero: x-xero-signature (base64 HMAC-SHA256 of the body)",
                                      kOptions, &create};
  return spec;
}

}  // namespace arsync
