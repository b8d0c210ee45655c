// business-central: see business_central_webhook.hpp.
#include "connectors/business_central_webhook.hpp"

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"

namespace arsync {
namespace {

using nlohmann::json;

constexpr size_t kMaxValidationToken = 4096;  // an echo, so bound what we reflect

constexpr OptionSpec kOptions[] = {
    {"client_state", OptionType::kSecret, "", true,
     "the clientState given when creating the subscription; BC repeats it in every notification"},
    // Renewal (read by the daemon's SubscriptionRenewal): BC drops a subscription 3 days after
    // its creation or last renewal unless it is PATCHed before then.
    {"subscription_url", OptionType::kString, "", false,
     "the subscription to keep alive, e.g. https://api.businesscentral.dynamics.com/v2.0/TENANT/ENV/api/v2.0/"
     "subscriptions('arsync-invoices'); empty = arsync does not renew it"},
    {"renew_every", OptionType::kDuration, "48h", false, "how often the subscription is renewed (BC: 3-day expiry)"},
    {"renew_retry", OptionType::kDuration, "30s", false, "first retry delay after a failed renewal (doubles)"},
    {"token", OptionType::kSecret, "", false,
     "bearer token for the subscription endpoint; empty = the connector's own token"},
};

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] != '%') {
      out.push_back(text[i]);
    } else {
      const auto byte = i + 2 < text.size() ? from_hex(text.substr(i + 1, 2)) : std::nullopt;
      if (!byte) return std::nullopt;
      out += *byte;
      i += 2;
    }
  }
  return out;
}

// The raw value of query parameter `name` in "/path?a=1&b=2", or nullopt.
std::optional<std::string_view> query_parameter(std::string_view target, std::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

WebhookCheck handshake(std::string_view raw_token) {
  const auto token = percent_decode(raw_token);
  if (!token || token->empty() || token->size() > kMaxValidationToken)
    return webhook_reject("validationToken is empty, too long or badly percent-encoded");
  return WebhookCheck{WebhookVerdict::kChallenge, 200, *token, "text/plain", "validationToken handshake"};
}

// "api/v2.0/companies(x)/customers(y)" -> {"customers", "y"}; "…/customers" -> {"customers", ""}.
std::pair<std::string, std::string> entity_and_id(std::string_view resource) {
  const size_t slash = resource.rfind('/');
  std::string_view last = slash == std::string_view::npos ? resource : resource.substr(slash + 1);
  const size_t open = last.find('(');
  if (open == std::string_view::npos || !last.ends_with(')')) return {std::string(last), ""};
  std::string_view id = last.substr(open + 1, last.size() - open - 2);
  if (id.size() >= 2 && id.front() == '\'' && id.back() == '\'') id = id.substr(1, id.size() - 2);
  return {std::string(last.substr(0, open)), std::string(id)};
}

std::string operation_of(std::string_view change_type) {
  if (change_type == "created") return "create";
  if (change_type == "updated") return "update";
  if (change_type == "deleted") return "delete";
  return "";  // "collection": many changes, no ids
}

Result<WebhookEvent> read_event(const json& item) {
  if (!item.is_object())
    return fail(ErrorKind::kInvalidInput, "Business Central value array holds a non-object");
  const std::string resource = text(item, "resource");
  const std::string change = text(item, "changeType");
  const std::string at = text(item, "lastModifiedDateTime");
  if (resource.empty() || change.empty())
    return fail(ErrorKind::kInvalidInput, "Business Central notification without resource or changeType");
  auto [entity, id] = entity_and_id(resource);
  WebhookEvent event;
  event.event_id = derived_event_id({"bc", text(item, "subscriptionId"), resource, change, at});
  event.entity = std::move(entity);
  event.operation = operation_of(change);
  if (!id.empty()) event.erp_ids.push_back(std::move(id));
  event.occurred_at = utc_timestamp(at);
  event.subscription_expires_at = utc_timestamp(text(item, "expirationDateTime"));
  return event;
}

class BusinessCentralWebhook final : public WebhookScheme {
 public:
  explicit BusinessCentralWebhook(std::string client_state) : client_state_(std::move(client_state)) {}

  WebhookCheck verify(const WebhookRequest& request, std::chrono::system_clock::time_point) const override {
    if (const auto token = query_parameter(request.target, "validationToken")) return handshake(*token);
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("value") || !body["value"].is_array() || body["value"].empty())
      return webhook_reject("body is not a Business Central notification (no value array)");
    for (const json& item : body["value"]) {
      if (!item.is_object() || !item.contains("clientState") || !item["clientState"].is_string())
        return webhook_reject("notification without clientState");
      if (!constant_time_equal(item["clientState"].get_ref<const std::string&>(), client_state_))
        return webhook_reject("clientState does not match the subscription's");
    }
    return webhook_accept();
  }

  Result<std::vector<WebhookEvent>> read_events(const std::string& body) const override {
    const json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("value") || !parsed["value"].is_array())
      return fail(ErrorKind::kInvalidInput,
                  "Business Central webhook body is not an object with a value array");
    std::vector<WebhookEvent> events;
    for (const json& item : parsed["value"]) {
      auto event = read_event(item);
      if (!event) return fail(event.error());
      events.push_back(std::move(*event));
    }
    return events;
  }

 private:
  // Constant after construction
  const std::string client_state_;
};

Result<std::unique_ptr<WebhookScheme>> create(const OptionValues& values) {
  if (auto ok = check_webhook_options(values, kOptions, "business-central"); !ok) return fail(ok.error());
  const std::string state = OptionReader(values, kOptions).string("client_state");
  if (state.empty())
    return fail(ErrorKind::kInvalidInput, "webhook scheme 'business-central': client_state is empty");
  return std::make_unique<BusinessCentralWebhook>(state);
}

}  // namespace

const WebhookSchemeSpec& business_central_webhook_spec() {
  static const WebhookSchemeSpec spec{
      "business-central", "Business Central: validationToken handshake, clientState shared secret", kOptions,
      &create};
  return spec;
}

}  // namespace arsync
