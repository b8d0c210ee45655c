// The content hash of a canonical entity: what makes a replayed upsert a no-op.
//
// The mirror stores it in each top-level row's `row_hash`; an incoming entity whose hash equals
// the stored one is "unchanged" and is not rewritten (no new updated_seq, no change-feed entry).
// The hash covers every field value and every child, in catalog order.
//
// The hash is persisted, so it is defined here rather than borrowed from std::hash (which may
// change with the compiler): a self-delimiting serialisation (a type tag per value, lengths
// before text, so ("ab","c") and ("a","bc") differ) cut into 64-bit little-endian words, each
// mixed in by xor-multiply-xorshift, then a MurmurHash3 finaliser. Word-wise because hashing
// is on every row of every page (byte-wise FNV-1a cost ~9% of an initial sync). Decimals are
// normalised (2.50 == 2.5), matching Decimal's numeric equality. Not cryptographic: it detects
// change, a missed change is a ~2^-64 event per update. Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "schema/catalog.hpp"

namespace arsync {

std::uint64_t row_hash(const Entity& entity);

}  // namespace arsync
