// The "bot" block of a queue: parsing, defaults, validation with field-named errors.
#include <gtest/gtest.h>

#include "routing/config_json.h"

namespace sb::routing {
namespace {

using namespace std::chrono;

std::string config_with(const std::string& bot, const std::string& extra_queue = "") {
  return R"({"default_queue": "bot", "queues": [
    {"id": "bot", "bot": )" +
         bot + R"(},
    {"id": "support"})" +
         extra_queue + "]}";
}

std::string error_of(const std::string& json) {
  auto c = parse_routing_config(json);
  EXPECT_FALSE(c.is_ok()) << json;
  return c.is_ok() ? std::string() : c.status().message();
}

TEST(BotConfig, ParsesWithDefaults) {
  auto c = parse_routing_config(config_with(
      R"({"url": "http://127.0.0.1:9/hook", "secret": "literal:s3cret", "handover_queue": "support"})"));
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  const BotConfig* bot = bot_of(*c, "bot");
  ASSERT_NE(bot, nullptr);
  EXPECT_EQ(bot->url, "http://127.0.0.1:9/hook");
  EXPECT_EQ(bot->secret, "s3cret");
  EXPECT_EQ(bot->handover_queue, "support");
  EXPECT_EQ(bot->handover_keywords, default_handover_keywords());
  EXPECT_EQ(bot->timeout, milliseconds(10'000));
  EXPECT_EQ(bot->max_attempts, 8);
  EXPECT_EQ(bot_of(*c, "support"), nullptr);
  EXPECT_EQ(bot_of(*c, "nope"), nullptr);
}

TEST(BotConfig, ExplicitKeywordsTimeoutAndAttempts) {
  ::setenv("SB_TEST_BOT_SECRET", "from-env", 1);
  auto c = parse_routing_config(config_with(
      R"({"url": "http://127.0.0.1:9/hook", "secret": "env:SB_TEST_BOT_SECRET",
          "handover_queue": "support", "handover_keywords": ["Mensch", "talk to someone"],
          "timeout_ms": 2500, "max_attempts": 3})"));
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  const BotConfig* bot = bot_of(*c, "bot");
  ASSERT_NE(bot, nullptr);
  EXPECT_EQ(bot->secret, "from-env");
  EXPECT_EQ(bot->handover_keywords, (std::vector<std::string>{"Mensch", "talk to someone"}));
  EXPECT_EQ(bot->timeout, milliseconds(2500));
  EXPECT_EQ(bot->max_attempts, 3);
  // An empty list is allowed: only the bot or a supervisor hands over.
  auto none = parse_routing_config(config_with(
      R"({"url": "http://127.0.0.1:9/h", "secret": "literal:x", "handover_queue": "support",
          "handover_keywords": []})"));
  ASSERT_TRUE(none.is_ok()) << none.status().message();
  EXPECT_TRUE(bot_of(*none, "bot")->handover_keywords.empty());
}

TEST(BotConfig, ValidationNamesTheField) {
  const std::string ok_rest = R"("secret": "literal:x", "handover_queue": "support")";
  EXPECT_NE(error_of(config_with(R"({"url": "ftp://127.0.0.1/h", )" + ok_rest + "}"))
                .find("routing.queues[bot].bot.url"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"({"url": "not a url", )" + ok_rest + "}")).find("bot.url"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"({"secret": "literal:x", "handover_queue": "support"})"))
                .find("routing.queues[0].bot.url is required"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"({"url": "http://127.0.0.1:9/h", "handover_queue": "support"})"))
                .find("bot.secret is required"),
            std::string::npos);
  ::unsetenv("SB_TEST_BOT_MISSING");
  const std::string missing = error_of(config_with(
      R"({"url": "http://127.0.0.1:9/h", "secret": "env:SB_TEST_BOT_MISSING", "handover_queue": "support"})"));
  EXPECT_NE(missing.find("bot.secret"), std::string::npos);
  EXPECT_NE(missing.find("SB_TEST_BOT_MISSING"), std::string::npos);
  EXPECT_NE(
      error_of(
          config_with(
              R"({"url": "http://127.0.0.1:9/h", "secret": "literal:x", "handover_queue": "nowhere"})"))
          .find("routing.queues[bot].bot.handover_queue 'nowhere' is not a queue"),
      std::string::npos);
  EXPECT_NE(
      error_of(
          config_with(
              R"({"url": "http://127.0.0.1:9/h", "secret": "literal:x", "handover_queue": "bot"})"))
          .find("is a bot queue"),
      std::string::npos);
  EXPECT_NE(error_of(config_with(R"({"url": "http://127.0.0.1:9/h", )" + ok_rest +
                                 R"(, "timeout_ms": 5})"))
                .find("bot.timeout_ms must be between"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"({"url": "http://127.0.0.1:9/h", )" + ok_rest +
                                 R"(, "max_attempts": 0})"))
                .find("bot.max_attempts"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"({"url": "http://127.0.0.1:9/h", )" + ok_rest +
                                 R"(, "colour": "red"})"))
                .find("bot.colour is not a known field"),
            std::string::npos);
  EXPECT_NE(error_of(config_with(R"("yes")")).find("routing.queues[0].bot must be an object"),
            std::string::npos);
}

TEST(BotConfig, HandoverToAnotherBotQueueAndSharedUrlsWithOtherSecretsAreRejected) {
  const std::string chain = config_with(
      R"({"url": "http://127.0.0.1:9/a", "secret": "literal:x", "handover_queue": "bot2"})",
      R"(, {"id": "bot2", "bot": {"url": "http://127.0.0.1:9/b", "secret": "literal:y",
                                  "handover_queue": "support"}})");
  EXPECT_NE(error_of(chain).find("'bot2' is a bot queue"), std::string::npos);
  const std::string shared = config_with(
      R"({"url": "http://127.0.0.1:9/a", "secret": "literal:x", "handover_queue": "support"})",
      R"(, {"id": "bot2", "bot": {"url": "http://127.0.0.1:9/a", "secret": "literal:y",
                                  "handover_queue": "support"}})");
  EXPECT_NE(error_of(shared).find("routing.queues[bot2].bot.secret differs"), std::string::npos);
  const std::string same_secret = config_with(
      R"({"url": "http://127.0.0.1:9/a", "secret": "literal:x", "handover_queue": "support"})",
      R"(, {"id": "bot2", "bot": {"url": "http://127.0.0.1:9/a", "secret": "literal:x",
                                  "handover_queue": "support"}})");
  EXPECT_TRUE(parse_routing_config(same_secret).is_ok());
}

TEST(BotConfig, ErrorsNeverContainTheSecretValue) {
  const std::string e = error_of(config_with(
      R"({"url": "ftp://x", "secret": "literal:TOPSECRETVALUE", "handover_queue": "support"})"));
  EXPECT_EQ(e.find("TOPSECRETVALUE"), std::string::npos) << e;
}

}  // namespace
}  // namespace sb::routing
