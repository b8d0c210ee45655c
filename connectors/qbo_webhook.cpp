// qbo: see qbo_webhook.hpp.
#include "connectors/qbo_webhook.hpp"

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"

namespace arsync {
namespace {

using nlohmann::json;

constexpr OptionSpec kOptions[] = {
    {"verifier_token", OptionType::kSecret, "", true,
     "the app's webhook verifier token (Intuit developer portal, Webhooks, 'Show token')"},
};

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "updated" -> "update"; CloudEvents types use past tense, the classic payload the verb.
std::string operation_from_verb(std::string_view verb) {
  static constexpr std::pair<std::string_view, std::string_view> kVerbs[] = {
      {"created", "create"}, {"updated", "update"}, {"deleted", "delete"},
      {"merged", "merge"},   {"voided", "void"},
  };
  const std::string lower = ascii_lower(verb);
  for (auto [past, present] : kVerbs)
    if (lower == past) return std::string(present);
  return lower;
}

Result<WebhookEvent> classic_event(const json& entity, const std::string& realm) {
  WebhookEvent event;
  event.entity = text(entity, "name");
  const std::string id = text(entity, "id");
  const std::string operation = text(entity, "operation");
  const std::string updated = text(entity, "lastUpdated");
  if (event.entity.empty() || id.empty())
    return fail(ErrorKind::kInvalidInput, "QuickBooks notification entity without name or id");
  event.event_id = derived_event_id({"qbo", realm, event.entity, id, operation, updated});
  event.operation = ascii_lower(operation);
  event.erp_ids.push_back(id);
  // A Merge names the record merged away too: both need a pull (or a tombstone).
  if (const std::string merged = text(entity, "deletedId"); !merged.empty()) event.erp_ids.push_back(merged);
  event.occurred_at = utc_timestamp(updated);
  return event;
}

Result<std::vector<WebhookEvent>> read_classic(const json& body) {
  const json& notifications = body.at("eventNotifications");
  if (!notifications.is_array()) return fail(ErrorKind::kInvalidInput, "eventNotifications is not an array");
  std::vector<WebhookEvent> events;
  for (const json& notification : notifications) {
    const std::string realm = text(notification, "realmId");
    const json& entities = notification.at("dataChangeEvent").at("entities");
    if (!entities.is_array())
      return fail(ErrorKind::kInvalidInput, "dataChangeEvent.entities is not an array");
    for (const json& entity : entities) {
      auto event = classic_event(entity, realm);
      if (!event) return fail(event.error());
      events.push_back(std::move(*event));
    }
  }
  return events;
}

Result<WebhookEvent> cloud_event(const json& item) {
  // type is "qbo.<entity>.<verb>.v<version>".
  const std::string type = text(item, "type");
  const size_t first = type.find('.');
  const size_t second = first == std::string::npos ? first : type.find('.', first + 1);
  const size_t third = second == std::string::npos ? second : type.find('.', second + 1);
  WebhookEvent event;
  event.event_id = text(item, "id");
  const std::string entity_id = text(item, "intuitentityid");
  if (type.compare(0, first, "qbo") != 0 || second == std::string::npos || event.event_id.empty() ||
      entity_id.empty())
    return fail(ErrorKind::kInvalidInput,
                "QuickBooks CloudEvent without a qbo.<entity>.<verb> type, id or intuitentityid");
  event.entity = type.substr(first + 1, second - first - 1);
  event.operation = operation_from_verb(std::string_view(type).substr(second + 1, third - second - 1));
  event.erp_ids.push_back(entity_id);
  event.occurred_at = utc_timestamp(text(item, "time"));
  return event;
}

Result<std::vector<WebhookEvent>> read_cloud_events(const json& body) {
  std::vector<WebhookEvent> events;
  for (const json& item : body) {
    if (!item.is_object())
      return fail(ErrorKind::kInvalidInput, "QuickBooks CloudEvents array holds a non-object");
    auto event = cloud_event(item);
    if (!event) return fail(event.error());
    events.push_back(std::move(*event));
  }
  return events;
}

class QboWebhook final : public WebhookScheme {
 public:
  explicit QboWebhook(std::string verifier_token) : verifier_token_(std::move(verifier_token)) {}

  WebhookCheck verify(const WebhookRequest& request, std::chrono::system_clock::time_point) const override {
    const auto signature = webhook_header(request, "intuit-signature");
    if (!signature) return webhook_reject("missing intuit-signature header");
    if (!hmac_sha256_matches(verifier_token_, request.body, *signature, DigestEncoding::kBase64))
      return webhook_reject("intuit-signature does not match the body");
    return webhook_accept();
  }

  Result<std::vector<WebhookEvent>> read_events(const std::string& body) const override {
    const json parsed = json::parse(body, nullptr, false);
    try {
      if (parsed.is_array()) return read_cloud_events(parsed);
      if (parsed.is_object() && parsed.contains("eventNotifications")) return read_classic(parsed);
    } catch (const json::exception& e) {  // a required member missing or of the wrong type
      return fail(ErrorKind::kInvalidInput, std::string("QuickBooks notification: ") + e.what());
    }
    return fail(ErrorKind::kInvalidInput,
                "QuickBooks webhook body is neither an eventNotifications object nor a CloudEvents array");
  }

 private:
  // Constant after construction
  const std::string verifier_token_;
};

Result<std::unique_ptr<WebhookScheme>> create(const OptionValues& values) {
  if (auto ok = check_webhook_options(values, kOptions, "qbo"); !ok) return fail(ok.error());
  const std::string token = OptionReader(values, kOptions).string("verifier_token");
  if (token.empty()) return fail(ErrorKind::kInvalidInput, "webhook scheme 'qbo': verifier_token is empty");
  return std::make_unique<QboWebhook>(token);
}

}  // namespace

const WebhookSchemeSpec& qbo_webhook_spec() {
  static const WebhookSchemeSpec spec{
      "qbo", "QuickBooks Online: intuit-signature (base64 HMAC-SHA256 of the body)", kOptions, &create};
  return spec;
}

}  // namespace arsync
