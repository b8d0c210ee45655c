// why(result): the error text of a failed Result (or of a Problems list), "" for a value.
// doctest also prints the messages of passing checks (with -s), so a check's message must
// never touch error() of a value: CHECK_MESSAGE(r, why(r)).
#pragma once

#include <string>

namespace arsync::test {

template <class R>
std::string why(const R& result) {
  if (result) return {};
  if constexpr (requires { result.error().message; })
    return result.error().describe();
  else
    return result.error().front().describe();
}

}  // namespace arsync::test
