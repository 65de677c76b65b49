#include "auth/token.h"

#include <gtest/gtest.h>

#include <set>

namespace sb::auth {
namespace {

TEST(Token, HasPrefixLengthAndBase62Body) {
  const std::string t = generate_token();
  ASSERT_EQ(t.size(), 47u);
  EXPECT_EQ(t.substr(0, 4), "sbt_");
  for (char c : t.substr(4)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(Token, AreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(generate_token());
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Token, HashIsSha256Hex) {
  // Known answer: SHA-256("abc").
  EXPECT_EQ(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(hash_token("sbt_a"), hash_token("sbt_b"));
}

TEST(Token, ConstantTimeEquals) {
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_TRUE(constant_time_equals("", ""));
}

TEST(Token, BearerHeaderParsing) {
  EXPECT_EQ(bearer_token("Bearer sbt_x1"), "sbt_x1");
  EXPECT_EQ(bearer_token("bearer   sbt_x1 "), "sbt_x1");
  EXPECT_FALSE(bearer_token("Basic dXNlcjpwYXNz").has_value());
  EXPECT_FALSE(bearer_token("Bearer ").has_value());
  EXPECT_FALSE(bearer_token("Bearer a b").has_value());
  EXPECT_FALSE(bearer_token("").has_value());
}

TEST(Role, OrderAndParsing) {
  EXPECT_TRUE(allows(Role::kAdmin, Role::kAgent));
  EXPECT_TRUE(allows(Role::kSupervisor, Role::kSupervisor));
  EXPECT_FALSE(allows(Role::kAgent, Role::kSupervisor));
  EXPECT_EQ(parse_role("supervisor"), Role::kSupervisor);
  EXPECT_FALSE(parse_role("root").has_value());
  EXPECT_EQ(to_string(Role::kAdmin), "admin");
}

}  // namespace
}  // namespace sb::auth

namespace sb::auth {
namespace {

TEST(Roles, BotStandsOutsideTheHumanOrder) {
  EXPECT_EQ(parse_role("bot"), Role::kBot);
  EXPECT_EQ(to_string(Role::kBot), "bot");
  EXPECT_TRUE(allows(Role::kBot, Role::kBot));
  for (Role human : {Role::kAgent, Role::kSupervisor, Role::kAdmin}) {
    EXPECT_FALSE(allows(Role::kBot, human)) << to_string(human);
    EXPECT_FALSE(allows(human, Role::kBot)) << to_string(human);
  }
  EXPECT_TRUE(allows(Role::kAdmin, Role::kAgent));
  EXPECT_FALSE(allows(Role::kAgent, Role::kSupervisor));
}

}  // namespace
}  // namespace sb::auth
