#include "routing/business_hours.h"

#include <gtest/gtest.h>

namespace sb::routing {
namespace {

using namespace std::chrono;

Millis utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return Millis(sys_days(year{y} / month{m} / day{d}) + hours(h) + minutes(min));
}

BusinessHours berlin_office(std::vector<std::string> holidays = {}) {
  HoursSpec spec;
  spec.time_zone = "Europe/Berlin";
  for (int d = 1; d <= 5; ++d) spec.week[d] = "09:00-12:30, 13:30-17:00";
  spec.week[6] = "10:00-14:00";
  spec.holidays = std::move(holidays);
  auto h = BusinessHours::make(spec);
  EXPECT_TRUE(h.is_ok()) << h.status().message();
  return h.is_ok() ? *h : BusinessHours::always();
}

TEST(BusinessHours, OpenFollowsLocalTimeAcrossDst) {
  auto h = berlin_office();
  // Friday 27 March 2026 is still winter time (UTC+1): 09:00 local = 08:00 UTC.
  EXPECT_FALSE(h.is_open(utc(2026, 3, 27, 7, 59)));
  EXPECT_TRUE(h.is_open(utc(2026, 3, 27, 8, 0)));
  // Monday 30 March is summer time (UTC+2): 09:00 local = 07:00 UTC.
  EXPECT_TRUE(h.is_open(utc(2026, 3, 30, 7, 0)));
  EXPECT_FALSE(h.is_open(utc(2026, 3, 30, 6, 59)));
  // Lunch break and closing, local.
  EXPECT_FALSE(h.is_open(utc(2026, 3, 30, 10, 30)));  // 12:30 local
  EXPECT_TRUE(h.is_open(utc(2026, 3, 30, 14, 59)));   // 16:59 local
  EXPECT_FALSE(h.is_open(utc(2026, 3, 30, 15, 0)));   // 17:00 local
  // Back to winter time: Monday 26 October 09:00 local = 08:00 UTC.
  EXPECT_FALSE(h.is_open(utc(2026, 10, 26, 7, 30)));
  EXPECT_TRUE(h.is_open(utc(2026, 10, 26, 8, 0)));
}

TEST(BusinessHours, NextOpenSkipsSundayAndTheDstWeekend) {
  auto h = berlin_office();
  // Saturday 28 March 2026 15:00 local (winter, 14:00 UTC): closed until Monday 09:00 summer time.
  auto next = h.next_open(utc(2026, 3, 28, 14, 0));
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, utc(2026, 3, 30, 7, 0));
  // During the lunch break: 13:30 the same day.
  EXPECT_EQ(*h.next_open(utc(2026, 3, 30, 10, 45)), utc(2026, 3, 30, 11, 30));
  // While open, now.
  EXPECT_EQ(*h.next_open(utc(2026, 3, 30, 8, 0)), utc(2026, 3, 30, 8, 0));
}

TEST(BusinessHours, HolidaysAreClosedAllDay) {
  auto h = berlin_office({"2026-12-24", "2026-12-25", "2026-12-26"});
  EXPECT_TRUE(h.is_open(utc(2026, 12, 23, 10, 0)));
  EXPECT_FALSE(h.is_open(utc(2026, 12, 24, 10, 0)));  // Thursday, holiday
  EXPECT_FALSE(h.is_open(utc(2026, 12, 26, 10, 0)));  // Saturday, holiday
  // From Christmas Eve morning the next opening is Monday 28th, 09:00 CET.
  EXPECT_EQ(*h.next_open(utc(2026, 12, 24, 9, 0)), utc(2026, 12, 28, 8, 0));
}

TEST(BusinessHours, HolidaysAreLocalDates) {
  HoursSpec spec;
  spec.time_zone = "Pacific/Auckland";  // UTC+13 in December
  for (auto& d : spec.week) d = "00:00-24:00";
  spec.holidays = {"2026-12-25"};
  auto h = BusinessHours::make(spec);
  ASSERT_TRUE(h.is_ok());
  // 24 Dec 12:00 UTC is already Christmas Day 01:00 in Auckland.
  EXPECT_FALSE(h->is_open(utc(2026, 12, 24, 12, 0)));
  EXPECT_TRUE(h->is_open(utc(2026, 12, 24, 10, 0)));
  EXPECT_EQ(*h->next_open(utc(2026, 12, 24, 12, 0)), utc(2026, 12, 25, 11, 0));
}

TEST(BusinessHours, NeverOpenHasNoNextOpening) {
  HoursSpec spec;
  spec.time_zone = "UTC";
  auto h = BusinessHours::make(spec);
  ASSERT_TRUE(h.is_ok());
  EXPECT_FALSE(h->is_open(utc(2026, 1, 1, 12)));
  EXPECT_FALSE(h->next_open(utc(2026, 1, 1, 12)).has_value());
}

TEST(BusinessHours, RejectsMalformedSpecs) {
  HoursSpec spec;
  spec.time_zone = "Europe/Berlin";
  spec.week[1] = "17:00-09:00";
  EXPECT_EQ(BusinessHours::make(spec).status().code(), Code::kInvalidArgument);
  spec.week[1] = "9-17";
  EXPECT_EQ(BusinessHours::make(spec).status().code(), Code::kInvalidArgument);
  spec.week[1] = "09:00-17:00";
  spec.holidays = {"2026-02-30"};
  EXPECT_EQ(BusinessHours::make(spec).status().code(), Code::kInvalidArgument);
  spec.holidays.clear();
  spec.time_zone = "Nowhere/Special";
  EXPECT_EQ(BusinessHours::make(spec).status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace sb::routing
