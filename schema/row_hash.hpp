// The content hash of a canonical entity: what makes a replayed upsert a no-op.
//
// The mirror stores it in each top-level row's `row_hash`; an incoming entity whose hash equals
// the stored one is "unchanged" and is not rewritten (no new updated_seq, no change-feed entry).
// The hash covers every field value and every child, in catalog order.
//
// Stability matters more than speed here: the hash is persisted, so it must not depend on the
// compiler's std::hash. It is 64-bit FNV-1a over a self-delimiting serialisation (a type tag per
// value, lengths before text), so ("ab","c") and ("a","bc") differ. Decimals are normalised
// (2.50 == 2.5), matching Decimal's numeric equality. A 64-bit hash makes a missed change a
// ~2^-64 event per update. Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "schema/catalog.hpp"

namespace arsync {

std::uint64_t row_hash(const Entity& entity);

}  // namespace arsync
