#include "schema/row_hash.hpp"

#include <string_view>
#include <type_traits>

namespace arsync {
namespace {

constexpr std::uint64_t kSeed = 0x243f6a8885a308d3ull;
constexpr std::uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;

class WordHash {
 public:
  void u64(std::uint64_t w) {
    h_ = (h_ ^ w) * kMultiplier;
    h_ ^= h_ >> 29;
  }
  void text(std::string_view s) {
    u64(s.size());
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) u64(load_le(s.data() + i, 8));
    if (i < s.size()) u64(load_le(s.data() + i, s.size() - i));
  }
  std::uint64_t value() const {  // MurmurHash3 fmix64
    std::uint64_t h = h_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

 private:
  // Little-endian regardless of the host, so the persisted hash is the same on every machine.
  static std::uint64_t load_le(const char* p, std::size_t n) {
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < n; ++k) w |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    return w;
  }
  std::uint64_t h_ = kSeed;
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

void hash_value(WordHash& h, const Value& value) {
  h.u64(value.index());
  std::visit(
      [&h](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          h.u64(v ? 1 : 0);
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
          h.u64(static_cast<std::uint64_t>(d.scale));
        } else if constexpr (std::is_same_v<T, Bytes>) {
          h.text(v.data);
        }
      },
      value);
}

void hash_entity(WordHash& h, const Entity& entity) {
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
  WordHash h;
  hash_entity(h, entity);
  return h.value();
}

}  // namespace arsync
