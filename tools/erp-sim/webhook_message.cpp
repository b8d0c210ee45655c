// webhook_message: see webhook_message.hpp.
#include "tools/erp-sim/webhook_message.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/sim_time.hpp"

namespace arsync::sim {
namespace {

std::string json_string(std::string_view text) { return nlohmann::json(text).dump(); }

std::string timestamp(int64_t ms) {
  char out[24];
  write_timestamp(out, ms);
  return std::string(out, sizeof out);
}

// QuickBooks and Xero entity names for the sim's collections.
std::string_view qbo_entity(Collection collection) {
  constexpr std::string_view kNames[kCollectionCount] = {"Customer", "Invoice", "Payment", "CreditMemo"};
  return kNames[static_cast<int>(collection)];
}
std::string_view xero_category(Collection collection) {
  constexpr std::string_view kNames[kCollectionCount] = {"CONTACT", "INVOICE", "PAYMENT", "CREDITNOTE"};
  return kNames[static_cast<int>(collection)];
}

// The change's verb: generic `type` suffix, QBO `operation`, Xero `eventType`. Xero sends no
// delete events (a deleted invoice is an UPDATE to status DELETED), so neither does the sim.
std::string generic_verb(WebhookChange c) {
  return c == WebhookChange::kCreated ? "created" : c == WebhookChange::kDeleted ? "deleted" : "updated";
}
std::string qbo_operation(WebhookChange c) {
  return c == WebhookChange::kCreated ? "Create" : c == WebhookChange::kDeleted ? "Delete" : "Update";
}

std::string generic_body(const WebhookEventData& e) {
  std::string body =
      "{\"id\":" + json_string(e.event_id) + ",\"type\":" +
      json_string(std::string(collection_name(e.collection)) + "." + generic_verb(e.change)) +
      ",\"time\":" + json_string(timestamp(e.modified_ms)) + ",\"ids\":[" + json_string(e.record_id) + "]";
  // The record's text goes in verbatim: amounts keep their exact decimal text.
  if (!e.record_json.empty()) body += ",\"data\":" + e.record_json;
  return body + "}";
}

// Intuit's classic eventNotifications shape; QBO's lastUpdated carries a zone offset.
std::string qbo_body(const WebhookEventData& e) {
  std::string updated = timestamp(e.modified_ms);
  updated.replace(updated.size() - 1, 1, "+00:00");
  return R"({"eventNotifications":[{"realmId":"9130350000000000","dataChangeEvent":{"entities":[{"name":")" +
         std::string(qbo_entity(e.collection)) + "\",\"id\":" + json_string(e.record_id) +
         ",\"operation\":\"" + qbo_operation(e.change) + "\",\"lastUpdated\":\"" + updated +
         "\"}]}}]}";
}

// Xero's shape; eventDateUtc has no zone designator.
std::string xero_body(const WebhookEventData& e) {
  const std::string at = timestamp(e.modified_ms);
  const std::string sequence = std::to_string(e.sequence);
  return R"({"events":[{"resourceUrl":"http://127.0.0.1/odata/)" +
         std::string(collection_name(e.collection)) + "/" + e.record_id +
         "\",\"resourceId\":" + json_string(e.record_id) + ",\"eventDateUtc\":\"" +
         at.substr(0, at.size() - 1) + "\",\"eventType\":\"" + (e.change == WebhookChange::kCreated ? "CREATE" : "UPDATE") +
         "\",\"eventCategory\":\"" + std::string(xero_category(e.collection)) +
         R"(","tenantId":"00000000-0000-4000-8000-00000000e4f5","tenantType":"ORGANISATION"}],)" +
         "\"firstEventSequence\":" + sequence + ",\"lastEventSequence\":" + sequence +
         ",\"entropy\":" + json_string(e.event_id) + "}";
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length))
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(digest), length);
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {kDigits[c >> 4], kDigits[c & 15]};
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

}  // namespace

bool parse_webhook_format(std::string_view text, WebhookFormat& out) {
  if (text == "hmac-sha256") return out = WebhookFormat::kHmacSha256, true;
  if (text == "stripe") return out = WebhookFormat::kStripe, true;
  if (text == "qbo") return out = WebhookFormat::kQbo, true;
  if (text == "xero") return out = WebhookFormat::kXero, true;
  return false;
}

std::string webhook_body(WebhookFormat format, const WebhookEventData& event) {
  switch (format) {
    case WebhookFormat::kQbo:
      return qbo_body(event);
    case WebhookFormat::kXero:
      return xero_body(event);
    case WebhookFormat::kHmacSha256:
    case WebhookFormat::kStripe:
      break;
  }
  return generic_body(event);
}

WebhookHeaders webhook_headers(WebhookFormat format, std::string_view secret, std::string_view body,
                               std::string_view event_id, int64_t now_s) {
  switch (format) {
    case WebhookFormat::kHmacSha256:  // hex HMAC of the body, plus the delivery's event id
      return {{"X-Signature", "sha256=" + hex(hmac_sha256(secret, body))},
              {"X-Event-Id", std::string(event_id)}};
    case WebhookFormat::kStripe: {  // t=…,v1=hex(HMAC("t.body"))
      const std::string t = std::to_string(now_s);
      return {
          {"Stripe-Signature", "t=" + t + ",v1=" + hex(hmac_sha256(secret, t + "." + std::string(body)))}};
    }
    case WebhookFormat::kQbo:  // base64 HMAC of the body with the verifier token
      return {{"intuit-signature", base64(hmac_sha256(secret, body))}};
    case WebhookFormat::kXero:  // base64 HMAC of the body with the webhook key
      return {{"x-xero-signature", base64(hmac_sha256(secret, body))}};
  }
  return {};
}

}  // namespace arsync::sim
