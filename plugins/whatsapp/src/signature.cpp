#include "signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace wa {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xF];
  }
  return out;
}

bool signature_valid(std::string_view app_secret, std::string_view body,
                     std::string_view header_value) {
  constexpr std::string_view kPrefix = "sha256=";
  if (app_secret.empty() || !header_value.starts_with(kPrefix)) return false;
  std::string given(header_value.substr(kPrefix.size()));
  for (char& c : given) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string expected = hmac_sha256_hex(app_secret, body);
  if (given.size() != expected.size()) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

bool secret_equals(std::string_view a, std::string_view b) {
  // Compare HMACs of both under a fixed key so the time does not depend on the lengths either.
  std::string ha = hmac_sha256_hex("switchboard-compare", a);
  std::string hb = hmac_sha256_hex("switchboard-compare", b);
  return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0;
}

}  // namespace wa
