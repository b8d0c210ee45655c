#include "schema/row_hash.hpp"

#include <string_view>
#include <type_traits>

namespace arsync {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

class Fnv1a {
 public:
  void byte(unsigned char b) { h_ = (h_ ^ b) * kFnvPrime; }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  }
  void text(std::string_view s) {
    u64(s.size());
    for (char c : s) byte(static_cast<unsigned char>(c));
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = kFnvOffset;
};

// Trailing fractional zeros do not change a decimal's value, so they must not change the hash.
Decimal normalised(Decimal d) {
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    --d.scale;
  }
  if (d.units == 0) d.scale = 0;
  return d;
}

void hash_value(Fnv1a& h, const Value& value) {
  h.byte(static_cast<unsigned char>(value.index()));
  std::visit(
      [&h](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          h.byte(v ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          h.u64(static_cast<std::uint64_t>(v));
        } else if constexpr (std::is_same_v<T, std::string>) {
          h.text(v);
        } else if constexpr (std::is_same_v<T, Money>) {
          h.u64(static_cast<std::uint64_t>(v.minor));
          h.text(v.currency);
        } else if constexpr (std::is_same_v<T, Decimal>) {
          Decimal d = normalised(v);
          h.u64(static_cast<std::uint64_t>(d.units));
          h.byte(static_cast<unsigned char>(d.scale));
        }
      },
      value);
}

void hash_entity(Fnv1a& h, const Entity& entity) {
  h.u64(entity.values.size());
  for (const Value& v : entity.values) hash_value(h, v);
  h.u64(entity.children.size());
  for (const auto& list : entity.children) {
    h.u64(list.size());
    for (const Entity& child : list) hash_entity(h, child);
  }
}

}  // namespace

std::uint64_t row_hash(const Entity& entity) {
  Fnv1a h;
  hash_entity(h, entity);
  return h.value();
}

}  // namespace arsync
