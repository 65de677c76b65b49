#include "auth/token.h"

#include <Poco/DigestEngine.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA2Engine.h>

#include <array>
#include <cctype>

namespace sb::auth {

std::string_view to_string(Role role) {
  switch (role) {
    case Role::kAgent:
      return "agent";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAdmin:
      return "admin";
    case Role::kBot:
      return "bot";
  }
  return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "agent") return Role::kAgent;
  if (text == "supervisor") return Role::kSupervisor;
  if (text == "admin") return Role::kAdmin;
  if (text == "bot") return Role::kBot;
  return std::nullopt;
}

std::string generate_token() {
  static constexpr std::string_view kAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // Poco::RandomInputStream reads /dev/urandom (getrandom) on Linux. Rejection sampling keeps the
  // base62 digits uniform: bytes >= 248 (= 4 * 62) are discarded.
  Poco::RandomInputStream random;
  std::string token = "sbt_";
  while (token.size() < 4 + 43) {
    const int byte = random.get();
    if (byte < 0) continue;
    const auto value = static_cast<unsigned char>(byte);
    if (value >= 248) continue;
    token.push_back(kAlphabet[value % 62]);
  }
  return token;
}

std::string hash_token(std::string_view token) {
  Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
  sha.update(token.data(), static_cast<unsigned>(token.size()));
  return Poco::DigestEngine::digestToHex(sha.digest());
}

bool constant_time_equals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.find(' ') != std::string_view::npos) return std::nullopt;
  return token;
}

}  // namespace sb::auth
