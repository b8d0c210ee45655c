// hmac-sha256: see hmac_webhook.hpp.
#include "connectors/hmac_webhook.hpp"

#include <nlohmann/json.hpp>

#include "connectors/hmac.hpp"

namespace arsync {
namespace {

using nlohmann::json;

constexpr size_t kMaxEventIdHeader = 256;

constexpr OptionSpec kOptions[] = {
    {"secret", OptionType::kSecret, "", true, "the shared HMAC key the sender signs with"},
    {"header", OptionType::kString, "X-Signature", false, "the request header holding the signature"},
    {"encoding", OptionType::kString, "hex", false, "how the signature is written: hex or base64"},
    {"event_id_header", OptionType::kString, "", false, "a header holding a delivery id (e.g. X-Event-Id)"},
};

std::string text(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string operation_of(std::string_view verb) {
  if (verb == "created") return "create";
  if (verb == "updated") return "update";
  if (verb == "deleted") return "delete";
  return ascii_lower(verb);
}

// Finds where each event's "data" value lies in the body's text, so a fat payload is handed on
// byte for byte: re-serialising would turn an amount of 17553.60 into 17553.6. The text has
// already parsed as JSON; anything unexpected (an escaped key) just yields no span, and the
// caller falls back to re-serialising.
class RawDataSpans {
 public:
  explicit RawDataSpans(std::string_view text) : text_(text) {}

  // One span per top-level event (an object, or each element of an array); "" where none.
  std::vector<std::string_view> find() {
    std::vector<std::string_view> spans;
    space();
    if (at('{')) {
      spans.push_back(data_member());
    } else if (at('[')) {
      ++pos_;
      for (space(); pos_ < text_.size() && !at(']'); space()) {
        spans.push_back(at('{') ? data_member() : (skip_value(), std::string_view()));
        space();
        if (at(',')) ++pos_;
      }
    }
    return spans;
  }

 private:
  bool at(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  void skip_string() {
    for (++pos_; pos_ < text_.size() && text_[pos_] != '"'; ++pos_)
      if (text_[pos_] == '\\') ++pos_;
    ++pos_;
  }
  void skip_value() {
    space();
    if (at('"')) return skip_string();
    if (at('{') || at('[')) {
      int depth = 0;
      do {
        if (at('"')) {
          skip_string();
          continue;
        }
        if (at('{') || at('[')) ++depth;
        if (at('}') || at(']')) --depth;
        ++pos_;
      } while (pos_ < text_.size() && depth > 0);
      return;
    }
    while (pos_ < text_.size() && !at(',') && !at('}') && !at(']')) ++pos_;  // number, true, null
  }
  // At '{': walks the members, returns the "data" value's text, leaves pos_ after the '}'.
  std::string_view data_member() {
    std::string_view found;
    ++pos_;
    for (space(); pos_ < text_.size() && !at('}'); space()) {
      const size_t key_start = pos_;
      skip_string();
      const std::string_view key = text_.substr(key_start, pos_ - key_start);
      space();
      ++pos_;  // ':'
      space();
      const size_t value_start = pos_;
      skip_value();
      if (key == "\"data\"") found = text_.substr(value_start, pos_ - value_start);
      space();
      if (at(',')) ++pos_;
    }
    ++pos_;
    while (!found.empty() &&
           (found.back() == ' ' || found.back() == '\n' || found.back() == '\r' || found.back() == '\t'))
      found.remove_suffix(1);
    return found;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

Result<WebhookEvent> read_event(const json& item, std::string_view raw_data) {
  if (!item.is_object()) return fail(ErrorKind::kInvalidInput, "webhook event is not a JSON object");
  const std::string type = text(item, "type");
  const size_t dot = type.rfind('.');
  if (dot == std::string::npos || dot == 0)
    return fail(ErrorKind::kInvalidInput, "webhook event type '" + type + "' is not <entity>.<verb>");
  WebhookEvent event;
  event.entity = type.substr(0, dot);
  event.operation = operation_of(std::string_view(type).substr(dot + 1));
  event.occurred_at = utc_timestamp(text(item, "time"));
  if (const auto ids = item.find("ids"); ids != item.end() && ids->is_array()) {
    for (const json& id : *ids)
      if (id.is_string()) event.erp_ids.push_back(id.get<std::string>());
  }
  if (const auto data = item.find("data"); data != item.end() && data->is_object()) {
    event.payload = raw_data.starts_with('{') ? std::string(raw_data) : data->dump();
    if (event.erp_ids.empty() && !text(*data, "id").empty()) event.erp_ids.push_back(text(*data, "id"));
  }
  if (event.erp_ids.empty())
    return fail(ErrorKind::kInvalidInput, "webhook event names no record (no ids, no data.id)");
  event.event_id = text(item, "id");
  if (event.event_id.empty())
    event.event_id = derived_event_id({"hmac", type, event.occurred_at, item.dump()});
  return event;
}

class HmacWebhook final : public WebhookScheme {
 public:
  HmacWebhook(std::string secret, std::string header, DigestEncoding encoding, std::string event_id_header)
      : secret_(std::move(secret)),
        header_(std::move(header)),
        encoding_(encoding),
        event_id_header_(std::move(event_id_header)) {}

  WebhookCheck verify(const WebhookRequest& request, std::chrono::system_clock::time_point) const override {
    const auto signature = webhook_header(request, header_);
    if (!signature) return webhook_reject("missing " + header_ + " header");
    std::string_view digest = *signature;
    if (ascii_lower(digest.substr(0, 7)) == "sha256=") digest.remove_prefix(7);
    if (!hmac_sha256_matches(secret_, request.body, digest, encoding_))
      return webhook_reject(header_ + " does not match the body");
    WebhookCheck check = webhook_accept();
    if (!event_id_header_.empty())
      if (const auto id = webhook_header(request, event_id_header_); id && id->size() <= kMaxEventIdHeader)
        check.event_id = std::string(*id);
    return check;
  }

  Result<std::vector<WebhookEvent>> read_events(const std::string& body) const override {
    return read_generic_events(body);
  }

 private:
  // Constant after construction
  const std::string secret_;
  const std::string header_;
  const DigestEncoding encoding_;
  const std::string event_id_header_;
};

Result<std::unique_ptr<WebhookScheme>> create(const OptionValues& values) {
  if (auto ok = check_webhook_options(values, kOptions, "hmac-sha256"); !ok) return fail(ok.error());
  const OptionReader options(values, kOptions);
  const std::string encoding = options.string("encoding");
  if (encoding != "hex" && encoding != "base64")
    return fail(ErrorKind::kInvalidInput,
                "webhook scheme 'hmac-sha256': encoding must be hex or base64, not '" + encoding + "'");
  if (options.string("secret").empty())
    return fail(ErrorKind::kInvalidInput, "webhook scheme 'hmac-sha256': secret is empty");
  if (options.string("header").empty())
    return fail(ErrorKind::kInvalidInput, "webhook scheme 'hmac-sha256': header is empty");
  return std::make_unique<HmacWebhook>(options.string("secret"), options.string("header"),
                                       encoding == "hex" ? DigestEncoding::kHex : DigestEncoding::kBase64,
                                       options.string("event_id_header"));
}

}  // namespace

Result<std::vector<WebhookEvent>> read_generic_events(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return fail(ErrorKind::kInvalidInput, "webhook body is not JSON");
  std::vector<WebhookEvent> events;
  const std::vector<std::string_view> spans = RawDataSpans(body).find();
  const auto add = [&](const json& item) -> Result<void> {
    auto event = read_event(item, events.size() < spans.size() ? spans[events.size()] : std::string_view());
    if (!event) return fail(event.error());
    events.push_back(std::move(*event));
    return {};
  };
  if (parsed.is_array()) {
    for (const json& item : parsed)
      if (auto ok = add(item); !ok) return fail(ok.error());
  } else if (auto ok = add(parsed); !ok) {
    return fail(ok.error());
  }
  return events;
}

const WebhookSchemeSpec& hmac_sha256_webhook_spec() {
  static const WebhookSchemeSpec spec{
      "hmac-sha256", "generic: hex or base64 HMAC-SHA256 of the body in a header", kOptions, &create};
  return spec;
}

}  // namespace arsync
