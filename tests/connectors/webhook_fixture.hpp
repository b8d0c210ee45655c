// webhook_fixture: builds a webhook scheme from the table by name with string options, and a
// POST request, for the webhook scheme tests. Owned by the webhook tests.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>

#include "connectors/webhook.hpp"

namespace arsync::test {

inline const auto kWebhookNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'760'000'000));

inline std::unique_ptr<WebhookScheme> make_scheme(std::string_view name,
                                                  const std::map<std::string, std::string>& options) {
  const WebhookSchemeSpec* spec = find_webhook_scheme(name);
  REQUIRE(spec != nullptr);
  OptionValues values;
  for (const auto& [key, value] : options) values[key] = OptionValue{value, "test"};
  auto scheme = spec->create(values);
  REQUIRE_MESSAGE(scheme.has_value(), (scheme ? "" : scheme.error().describe()));
  return std::move(*scheme);
}

inline WebhookRequest webhook_post(std::string body, HttpHeaders headers,
                                   std::string target = "/webhooks/erp") {
  return WebhookRequest{"POST", std::move(target), std::move(headers), std::move(body)};
}

// The body with one byte changed (the first digit found, else the last byte).
inline std::string tamper(std::string body) {
  const size_t at = body.find_first_of("0123456789");
  char& c = body[at == std::string::npos ? body.size() - 1 : at];
  c = c == '1' ? '2' : '1';
  return body;
}

}  // namespace arsync::test
