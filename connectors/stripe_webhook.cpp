// stripe: see stripe_webhook.hpp.
#include "connectors/stripe_webhook.hpp"

#include <charconv>

#include "connectors/hmac.hpp"
#include "connectors/hmac_webhook.hpp"

namespace arsync {
namespace {

constexpr OptionSpec kOptions[] = {
    {"secret", OptionType::kSecret, "", true, "the endpoint's signing secret (whsec_…)"},
    {"tolerance", OptionType::kDuration, "300s", false, "how far the signed timestamp may be from now"},
    {"header", OptionType::kString, "Stripe-Signature", false, "the request header holding t=…,v1=…"},
};

struct SignatureHeader {
  std::optional<int64_t> timestamp;
  std::vector<std::string_view> v1;
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

SignatureHeader parse_header(std::string_view header) {
  SignatureHeader parsed;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view item = trim(header.substr(0, comma));
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (key == "t") {
      int64_t t = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec == std::errc() && end == value.data() + value.size() && !value.empty()) parsed.timestamp = t;
    } else if (key == "v1") {
      parsed.v1.push_back(value);
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return parsed;
}

class StripeWebhook final : public WebhookScheme {
 public:
  StripeWebhook(std::string secret, std::chrono::milliseconds tolerance, std::string header)
      : secret_(std::move(secret)), tolerance_(tolerance), header_(std::move(header)) {}

  WebhookCheck verify(const WebhookRequest& request,
                      std::chrono::system_clock::time_point now) const override {
    const auto value = webhook_header(request, header_);
    if (!value) return webhook_reject("missing " + header_ + " header");
    const SignatureHeader parsed = parse_header(*value);
    if (!parsed.timestamp) return webhook_reject(header_ + " has no t= timestamp");
    if (parsed.v1.empty()) return webhook_reject(header_ + " has no v1= signature");
    const std::string signed_payload = std::to_string(*parsed.timestamp) + "." + request.body;
    bool matched = false;
    for (std::string_view candidate : parsed.v1)
      matched = hmac_sha256_matches(secret_, signed_payload, candidate, DigestEncoding::kHex) || matched;
    if (!matched) return webhook_reject("no v1 signature in " + header_ + " matches the body");
    if (!within_tolerance(*parsed.timestamp, now))
      return WebhookCheck{
          WebhookVerdict::kIgnore,
          200,
          {},
          "text/plain",
          "signed at t=" + std::to_string(*parsed.timestamp) + ", outside the tolerance: a replay"};
    return webhook_accept();
  }

  Result<std::vector<WebhookEvent>> read_events(const std::string& body) const override {
    return read_generic_events(body);
  }

 private:
  // In milliseconds, with t bounded first so no arithmetic overflows (t is attacker-chosen
  // text, though only a holder of the secret gets this far).
  bool within_tolerance(int64_t t, std::chrono::system_clock::time_point now) const {
    constexpr int64_t kLatestPlausible = 100'000'000'000;  // year 5138, in seconds
    if (t < 0 || t > kLatestPlausible) return false;
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const int64_t signed_ms = t * 1000;
    return signed_ms >= now_ms - tolerance_.count() && signed_ms <= now_ms + tolerance_.count();
  }

  // Constant after construction
  const std::string secret_;
  const std::chrono::milliseconds tolerance_;
  const std::string header_;
};

Result<std::unique_ptr<WebhookScheme>> create(const OptionValues& values) {
  if (auto ok = check_webhook_options(values, kOptions, "stripe"); !ok) return fail(ok.error());
  const OptionReader options(values, kOptions);
  if (options.string("secret").empty())
    return fail(ErrorKind::kInvalidInput, "webhook scheme 'stripe': secret is empty");
  return std::make_unique<StripeWebhook>(options.string("secret"), options.duration("tolerance"),
                                         options.string("header"));
}

}  // namespace

const WebhookSchemeSpec& stripe_webhook_spec() {
  static const WebhookSchemeSpec spec{"stripe", "Stripe-style t=…,v1=… header with a timestamp tolerance",
                                      kOptions, &create};
  return spec;
}

}  // namespace arsync
