#include "routing/tz.h"

#include <gtest/gtest.h>

namespace sb::routing {
namespace {

using namespace std::chrono;

Seconds utc(int y, unsigned m, unsigned d, int h, int min = 0) {
  return sys_days(year{y} / month{m} / day{d}) + hours(h) + minutes(min);
}
LocalSeconds local(int y, unsigned m, unsigned d, int h, int min = 0) {
  return local_days(year{y} / month{m} / day{d}) + hours(h) + minutes(min);
}

TEST(TimeZone, BerlinOffsetsAcrossDst) {
  auto tz = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(tz.is_ok()) << tz.status().message();
  // 2026: summer time starts 29 March 01:00 UTC and ends 25 October 01:00 UTC.
  EXPECT_EQ(tz->offset_at(utc(2026, 3, 29, 0, 59)), hours(1));
  EXPECT_EQ(tz->offset_at(utc(2026, 3, 29, 1, 0)), hours(2));
  EXPECT_EQ(tz->offset_at(utc(2026, 10, 25, 0, 59)), hours(2));
  EXPECT_EQ(tz->offset_at(utc(2026, 10, 25, 1, 0)), hours(1));
  EXPECT_EQ(tz->to_local(utc(2026, 7, 1, 10)), local(2026, 7, 1, 12));
}

TEST(TimeZone, FooterRuleCoversYearsAfterTheTable) {
  auto tz = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(tz.is_ok());
  // Fat TZif files list transitions up to 2037; 2050 comes from "CET-1CEST,M3.5.0,M10.5.0/3".
  // Last Sunday of March 2050 is the 27th.
  EXPECT_EQ(tz->offset_at(utc(2050, 3, 27, 0, 59)), hours(1));
  EXPECT_EQ(tz->offset_at(utc(2050, 3, 27, 1, 0)), hours(2));
  EXPECT_EQ(tz->offset_at(utc(2050, 12, 1, 12)), hours(1));
}

TEST(TimeZone, SouthernHemisphereRuleWrapsTheYear) {
  auto rule = parse_posix_rule("AEST-10AEDT,M10.1.0,M4.1.0/3");
  ASSERT_TRUE(rule.is_ok());
  EXPECT_EQ(rule->std_offset, 36000);
  EXPECT_EQ(rule->dst_offset, 39600);
  auto tz = TimeZone::load("Australia/Sydney");
  ASSERT_TRUE(tz.is_ok());
  EXPECT_EQ(tz->offset_at(utc(2051, 1, 15, 0)), hours(11));  // January is summer
  EXPECT_EQ(tz->offset_at(utc(2051, 7, 15, 0)), hours(10));
}

TEST(TimeZone, ToSysHandlesGapsAndRepeats) {
  auto tz = TimeZone::load("America/New_York");
  ASSERT_TRUE(tz.is_ok());
  // 8 March 2026 02:00 EST -> 03:00 EDT: 02:30 does not exist and reads as 03:30 EDT.
  EXPECT_EQ(tz->to_sys(local(2026, 3, 8, 2, 30)), utc(2026, 3, 8, 7, 30));
  EXPECT_EQ(tz->to_sys(local(2026, 3, 8, 9, 0)), utc(2026, 3, 8, 13, 0));
  // 1 November 2026 01:30 happens twice; the first (EDT) wins.
  EXPECT_EQ(tz->to_sys(local(2026, 11, 1, 1, 30)), utc(2026, 11, 1, 5, 30));
  EXPECT_EQ(tz->to_sys(local(2026, 11, 2, 9, 0)), utc(2026, 11, 2, 14, 0));
}

TEST(TimeZone, RefusesBadNamesAndFiles) {
  EXPECT_EQ(TimeZone::load("../etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(TimeZone::load("/etc/passwd").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(TimeZone::load("Mars/Olympus_Mons").status().code(), Code::kNotFound);
  EXPECT_FALSE(
      TimeZone::from_tzif("x", "not a tzif file at all, but long enough to read 44b").is_ok());
  EXPECT_FALSE(parse_posix_rule("CET-1CEST").is_ok());  // DST without dates
  EXPECT_FALSE(parse_posix_rule("C-1").is_ok());
  auto fixed = parse_posix_rule("<+0530>-5:30");
  ASSERT_TRUE(fixed.is_ok());
  EXPECT_EQ(fixed->std_offset, 5 * 3600 + 1800);
  EXPECT_FALSE(fixed->has_dst);
}

}  // namespace
}  // namespace sb::routing
