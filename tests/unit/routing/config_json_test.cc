#include "routing/config_json.h"

#include <gtest/gtest.h>

namespace sb::routing {
namespace {

using namespace std::chrono;

constexpr std::string_view kFull = R"({
  "default_queue": "general",
  "away_period_minutes": 60,
  "hours": {"office": {"time_zone": "Europe/Berlin",
                       "week": {"mon": "09:00-17:00", "fri": "09:00-12:00"},
                       "holidays": ["2026-12-25"]}},
  "queues": [
    {"id": "general", "name": "Support", "strategy": "round_robin", "hours": "office",
     "welcome": "Hi {{contact.name}}", "away": "closed"},
    {"id": "billing", "strategy": "sticky", "skills": ["billing"]}
  ],
  "rules": [{"name": "billing", "keywords": ["invoice"], "queue": "billing"},
            {"instances": ["wa-1"], "hours": "office", "when": "closed", "queue": "general"}],
  "keyword_answers": [{"keywords": ["hours"], "answer": "9-17"}],
  "canned": {"thanks": "Thanks!"}
})";

TEST(RoutingConfigJson, ParsesEverySection) {
  auto c = parse_routing_config(kFull);
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->default_queue, "general");
  EXPECT_EQ(c->away_period, minutes(60));
  EXPECT_EQ(c->keyword_period, minutes(10));  // default
  ASSERT_EQ(c->queues.size(), 2u);
  EXPECT_EQ(c->queues[0].strategy, Strategy::kRoundRobin);
  EXPECT_EQ(c->queues[0].welcome, "Hi {{contact.name}}");
  EXPECT_EQ(c->queues[1].strategy, Strategy::kSticky);
  EXPECT_EQ(c->queues[1].skills, std::vector<std::string>{"billing"});
  ASSERT_EQ(c->rules.size(), 2u);
  EXPECT_EQ(c->rules[1].when, HoursCondition::kClosed);
  EXPECT_EQ(c->keyword_answers.at(0).answer, "9-17");
  EXPECT_EQ(c->canned.at("thanks"), "Thanks!");
  const auto& office = c->schedules.at("office");
  // Monday 7 December 2026 10:00 CET = 09:00 UTC; Friday 25 December is a holiday.
  EXPECT_TRUE(office.is_open(Millis(sys_days(2026y / 12 / 7) + hours(9))));
  EXPECT_FALSE(office.is_open(Millis(sys_days(2026y / 12 / 25) + hours(9))));
  EXPECT_FALSE(office.is_open(Millis(sys_days(2026y / 12 / 8) + hours(9))));  // Tuesday: closed
}

// Poco's parser wrapped 2^64 + 5 to 5 and counted true as 1; whole numbers come from their text.
TEST(RoutingConfigJson, HostileNumbersAreRefused) {
  for (const std::string n : {"18446744073709551621", "9223372036854775808", "1e400", "true", "5.0",
                              "1e1", "\"5\"", "-1"}) {
    auto c = parse_routing_config(R"({"default_queue": "q", "queues": [{"id": "q"}],
                                      "away_period_minutes": )" +
                                  n + "}");
    ASSERT_FALSE(c.is_ok()) << n;
    EXPECT_NE(c.status().message().find("away_period_minutes"), std::string::npos)
        << n << ": " << c.status().message();
  }
}

TEST(RoutingConfigJson, RejectsWithThePathOfTheProblem) {
  auto err = [](std::string_view json) {
    auto c = parse_routing_config(json);
    EXPECT_FALSE(c.is_ok()) << json;
    return c.is_ok() ? std::string() : c.status().message();
  };
  EXPECT_NE(err(R"({"default_queue": "q", "queues": [{"id": "q"}], "colour": 1})").find("colour"),
            std::string::npos);
  EXPECT_NE(err(R"({"default_queue": "q", "queues": [{"id": "q", "strategy": "random"}]})")
                .find("routing.queues[0].strategy"),
            std::string::npos);
  EXPECT_NE(err(R"({"default_queue": "nope", "queues": [{"id": "q"}]})").find("nope"),
            std::string::npos);
  EXPECT_NE(err(R"({"default_queue": "q", "queues": [{"id": "q"}],
                    "hours": {"h": {"time_zone": "Europe/Berlin", "week": {"mon": "9-5"}}}})")
                .find("routing.hours.h"),
            std::string::npos);
  EXPECT_NE(err(R"({"default_queue": "q", "queues": [{"id": "q"}],
                    "hours": {"h": {"time_zone": "Europe/Berlin", "week": {"monday": ""}}}})")
                .find("monday"),
            std::string::npos);
  EXPECT_NE(err(R"({"default_queue": "q", "queues": [{"id": "q"}],
                    "keyword_answers": [{"keywords": [], "answer": "x"}]})")
                .find("keywords"),
            std::string::npos);
  std::string huge(kMaxTemplate + 1, 'x');
  EXPECT_NE(err(R"({"default_queue": "q", "queues": [{"id": "q", "welcome": ")" + huge + R"("}]})")
                .find("welcome"),
            std::string::npos);
  err("[1, 2]");
  err("{not json");
}

}  // namespace
}  // namespace sb::routing
