// API bearer tokens. A token is shown to the operator once, at creation; the store keeps only its
// SHA-256, so a leaked database does not leak credentials. Lookups hash the presented token and
// compare digests in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sb::auth {

// Agent < supervisor < admin are ordered: every one may do what the roles before it may. A bot
// token (its name is a bot queue's id) stands outside that order: it may call only the routes
// that admit bots, and only for conversations with its bot (api/api.h).
enum class Role { kAgent = 1, kSupervisor = 2, kAdmin = 3, kBot = 4 };

std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view text);
inline bool allows(Role held, Role required) {
  if (held == Role::kBot || required == Role::kBot) return held == required;
  return static_cast<int>(held) >= static_cast<int>(required);
}

// "sbt_" followed by 43 base62 characters (256 bits from the OS's CSPRNG).
std::string generate_token();

// Lower-case hex SHA-256 of the token.
std::string hash_token(std::string_view token);

// Compares two strings in time that depends only on their lengths.
bool constant_time_equals(std::string_view a, std::string_view b);

// Extracts the token from an "Authorization: Bearer <token>" header value; nullopt if malformed.
std::optional<std::string_view> bearer_token(std::string_view authorization_header);

}  // namespace sb::auth
