#include "connectors/request_template.hpp"

namespace arsync {

std::string expand_template(std::string pattern, std::string_view name, std::string_view value) {
  std::string token = "{" + std::string(name) + "}";
  for (auto at = pattern.find(token); at != std::string::npos; at = pattern.find(token, at + value.size()))
    pattern.replace(at, token.size(), value);
  return pattern;
}

}  // namespace arsync
