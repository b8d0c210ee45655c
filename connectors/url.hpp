// Url: an absolute http(s) URL split into the parts a client connects with, plus
// percent-encoding for query values. (Boost.URL arrives only in Boost 1.81; Debian 12 has 1.74.)
#pragma once

#include <string>
#include <string_view>

#include "schema/result.hpp"

namespace arsync {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // "127.0.0.1", "api.example.com" (IPv6 without brackets)
  std::string port;    // explicit or the scheme's default ("80", "443")
  std::string target;  // path and query: "/odata/invoices?$top=10"; "/" when empty

  // Same scheme, host and port: credentials may be sent to `other`.
  bool same_origin(const Url& other) const;
  std::string origin() const;  // "https://api.example.com:443"
};

Result<Url> parse_url(std::string_view text);

// Resolves `link` (absolute, or absolute-path "/x?y") against `base`.
Result<Url> resolve_url(const Url& base, std::string_view link);

// RFC 3986 percent-encoding of a query component (unreserved characters stay).
std::string percent_encode(std::string_view text);

}  // namespace arsync
