#include "connectors/url.hpp"

#include <algorithm>
#include <cctype>

namespace arsync {

bool Url::same_origin(const Url& other) const {
  return scheme == other.scheme && port == other.port &&
         std::equal(host.begin(), host.end(), other.host.begin(), other.host.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         });
}

std::string Url::origin() const { return scheme + "://" + host + ":" + port; }

Result<Url> parse_url(std::string_view text) {
  auto bad = [&](const char* why) {
    return fail(ErrorKind::kInvalidInput, "URL \"" + std::string(text) + "\" " + why);
  };
  Url url;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad("has no scheme (expected http:// or https://)");
  url.scheme = std::string(text.substr(0, scheme_end));
  for (char& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") return bad("must use http or https");

  std::string_view rest = text.substr(scheme_end + 3);
  auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  url.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (url.target.front() == '?') url.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos)
    return bad("carries credentials; put them in the connector's auth settings instead");

  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8080
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed IPv6 bracket");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return bad("has no host");
  for (char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad("has a non-numeric port");
  url.port = port.empty() ? (url.scheme == "https" ? "443" : "80") : std::string(port);
  return url;
}

Result<Url> resolve_url(const Url& base, std::string_view link) {
  if (link.find("://") != std::string_view::npos) return parse_url(link);
  if (link.empty() || link.front() != '/')
    return fail(ErrorKind::kInvalidInput,
                "link \"" + std::string(link) + "\" is neither absolute nor an absolute path");
  Url url = base;
  url.target = std::string(link);
  return url;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace arsync
