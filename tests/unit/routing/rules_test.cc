#include <gtest/gtest.h>

#include "make_queue.h"
#include "routing/config.h"

namespace sb::routing {
namespace {

using testing::make_queue;

using namespace std::chrono;

Millis utc(int y, unsigned m, unsigned d, int h) {
  return Millis(sys_days(year{y} / month{m} / day{d}) + hours(h));
}

RoutingConfig config() {
  RoutingConfig c;
  for (auto id : {"general", "billing", "german", "whatsapp", "night"})
    c.queues.push_back(make_queue(id));
  c.default_queue = "general";
  HoursSpec spec;
  spec.time_zone = "Europe/Berlin";
  for (int d = 1; d <= 5; ++d) spec.week[d] = "09:00-17:00";
  c.schedules.emplace("office", *BusinessHours::make(spec));
  c.rules = {
      {"after hours", {}, {}, {}, "office", HoursCondition::kClosed, "night"},
      {"billing", {}, {"invoice", "refund"}, {}, "", HoursCondition::kAny, "billing"},
      {"german wa", {"wa-de"}, {}, {"de"}, "", HoursCondition::kAny, "german"},
      {"whatsapp", {"wa-de", "wa-at"}, {}, {}, "", HoursCondition::kAny, "whatsapp"},
  };
  return c;
}

TEST(Rules, FirstMatchWins) {
  auto c = config();
  ASSERT_TRUE(validate(c).is_ok());
  const auto open = utc(2026, 6, 3, 10);  // Wednesday 12:00 Berlin
  EXPECT_EQ(match_queue(c, {"sms", "my invoice is wrong", "en", open}), "billing");
  // billing comes before the channel rules, so a German WhatsApp refund goes to billing.
  EXPECT_EQ(match_queue(c, {"wa-de", "Refund bitte", "de", open}), "billing");
  EXPECT_EQ(match_queue(c, {"wa-de", "Hallo", "de", open}), "german");
  EXPECT_EQ(match_queue(c, {"wa-de", "Hello", "en", open}), "whatsapp");
  EXPECT_EQ(match_queue(c, {"wa-at", "Hallo", "de", open}), "whatsapp");
  EXPECT_EQ(match_queue(c, {"sms", "Hello", "en", open}), "general");
}

TEST(Rules, BusinessHoursCondition) {
  auto c = config();
  EXPECT_EQ(match_queue(c, {"sms", "invoice", "en", utc(2026, 6, 3, 20)}), "night");
  EXPECT_EQ(match_queue(c, {"sms", "invoice", "en", utc(2026, 6, 6, 10)}), "night");  // Sat
  EXPECT_EQ(match_queue(c, {"sms", "invoice", "en", utc(2026, 6, 5, 14)}), "billing");
}

TEST(Rules, ValidateCatchesDanglingNames) {
  auto c = config();
  c.default_queue = "nope";
  EXPECT_FALSE(validate(c).is_ok());
  c = config();
  c.rules.push_back({"x", {}, {}, {}, "", HoursCondition::kAny, "missing"});
  EXPECT_FALSE(validate(c).is_ok());
  c = config();
  c.rules.push_back({"x", {}, {}, {}, "weekend", HoursCondition::kOpen, "general"});
  EXPECT_FALSE(validate(c).is_ok());
  c = config();
  c.queues.push_back(make_queue("general"));
  EXPECT_FALSE(validate(c).is_ok());
  c = config();
  c.queues[0].hours = "nope";
  EXPECT_FALSE(validate(c).is_ok());
}

TEST(Rules, StrategyNames) {
  EXPECT_EQ(parse_strategy("round_robin"), Strategy::kRoundRobin);
  EXPECT_EQ(parse_strategy("sticky"), Strategy::kSticky);
  EXPECT_EQ(parse_strategy("least_busy"), Strategy::kLeastBusy);
  EXPECT_FALSE(parse_strategy("random"));
  EXPECT_EQ(to_string(Strategy::kRoundRobin), "round_robin");
}

}  // namespace
}  // namespace sb::routing
