// When a queue is staffed: a weekly schedule in an IANA time zone, minus holidays.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "routing/tz.h"

namespace sb::routing {

using Millis = std::chrono::sys_time<std::chrono::milliseconds>;

// As written in the configuration.
struct HoursSpec {
  std::string time_zone;  // IANA name, e.g. "Europe/Berlin"
  // Index 0 = Sunday ... 6 = Saturday: "09:00-12:30,13:30-17:00"; empty = closed all day;
  // "00:00-24:00" = all day.
  std::array<std::string, 7> week;
  std::vector<std::string> holidays;  // "YYYY-MM-DD", local dates closed all day
};

class BusinessHours {
 public:
  // kInvalidArgument for a malformed range or date, kNotFound for an unknown zone.
  static sb::Result<BusinessHours> make(const HoursSpec& spec,
                                        const std::filesystem::path& zoneinfo = kZoneinfoDir);
  // Open around the clock.
  static BusinessHours always();

  bool is_open(Millis at) const;
  // `at` itself when open, else the next opening; nullopt when nothing opens within two years
  // (an empty week, or holidays covering every open day).
  std::optional<Millis> next_open(Millis at) const;
  const TimeZone& zone() const { return zone_; }

 private:
  struct Range {
    std::chrono::minutes open, close;  // since local midnight, open < close <= 24 h
  };
  bool closed_day(std::chrono::local_days day) const;

  TimeZone zone_ = TimeZone::utc();
  std::array<std::vector<Range>, 7> week_;
  std::set<std::chrono::local_days> holidays_;
};

}  // namespace sb::routing
