// hmac: the few cryptographic primitives webhook verification needs, as thin wrappers over
// OpenSSL 3 (EVP_MAC HMAC-SHA256, EVP_Digest SHA-256, EVP_EncodeBlock/EVP_DecodeBlock,
// CRYPTO_memcmp). No hand-written crypto or base64 lives in arsync.
// Owned by connectors/ (webhook schemes). Pure functions; thread-safe (the fetched EVP_MAC is
// shared read-only, each call has its own context).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace arsync {

// The 32-byte HMAC-SHA256 of `message` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view message);

// The 32-byte SHA-256 of `data`.
std::string sha256(std::string_view data);

std::string to_hex(std::string_view bytes);                     // lower-case
std::optional<std::string> from_hex(std::string_view text);     // either case; nullopt if not hex
std::string to_base64(std::string_view bytes);                  // standard alphabet, padded, no newlines
std::optional<std::string> from_base64(std::string_view text);  // padded standard base64

// Equal length and equal bytes, in time independent of where they differ (CRYPTO_memcmp).
// Lengths are not secret: a digest's length is public.
bool constant_time_equal(std::string_view a, std::string_view b);

enum class DigestEncoding { kHex, kBase64 };

// Whether `presented` (hex or base64 text as a header carries it) is the HMAC-SHA256 of
// `message` under `key`. Decodes `presented` and compares the raw digests in constant time, so
// hex case or base64 formatting never matters; undecodable text is simply a mismatch.
bool hmac_sha256_matches(std::string_view key, std::string_view message, std::string_view presented,
                         DigestEncoding encoding);

}  // namespace arsync
