// X-Hub-Signature-256: "sha256=" + lowercase hex HMAC-SHA256(app secret, exact body bytes).
#pragma once

#include <string>
#include <string_view>

namespace wa {

std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Compares in constant time (CRYPTO_memcmp); false for an absent or malformed header.
bool signature_valid(std::string_view app_secret, std::string_view body,
                     std::string_view header_value);

// Constant-time equality for secrets such as the verify token.
bool secret_equals(std::string_view a, std::string_view b);

}  // namespace wa
