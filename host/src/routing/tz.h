// IANA time zones from the system's tz database (/usr/share/zoneinfo), because libstdc++ 12 has no
// std::chrono::tzdb/zoned_time and POCO's LocalDateTime knows only the process's own zone. Reads
// TZif files (RFC 8536, version 2+: 64-bit transitions) and the footer's POSIX TZ rule, which
// covers instants after the last listed transition.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sb::routing {

using Seconds = std::chrono::sys_seconds;
using LocalSeconds = std::chrono::local_seconds;

inline constexpr std::string_view kZoneinfoDir = "/usr/share/zoneinfo";

// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (offsets as seconds east of UTC).
struct PosixRule {
  int32_t std_offset = 0, dst_offset = 0;
  bool has_dst = false;
  struct Date {
    char kind = 'M';  // 'M' month.week.day, 'J' 1..365 without Feb 29, 'D' 0..365 with it
    int month = 0, week = 0, weekday = 0, day = 0;
    int32_t time = 7200;  // seconds after local midnight; may be negative or past 24 h
  } start, end;
};

// Parses a POSIX TZ string; kInvalidArgument when it is not one.
sb::Result<PosixRule> parse_posix_rule(std::string_view text);

class TimeZone {
 public:
  // `name` like "Europe/Berlin"; names with "..", a leading '/' or odd characters are refused.
  static sb::Result<TimeZone> load(std::string_view name,
                                   const std::filesystem::path& dir = kZoneinfoDir);
  static sb::Result<TimeZone> from_tzif(std::string_view name, std::string_view bytes);
  static TimeZone utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at `t`.
  std::chrono::seconds offset_at(Seconds t) const;
  LocalSeconds to_local(Seconds t) const;
  // When a wall-clock time happens: a time repeated when clocks go back takes the first instant;
  // a time skipped when clocks go forward is read with the offset before the gap (02:30 in a
  // 02:00->03:00 gap becomes 03:30).
  Seconds to_sys(LocalSeconds local) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // UTC seconds, ascending
  std::vector<uint8_t> transition_type_;
  std::vector<int32_t> type_offset_;
  PosixRule footer_;
  bool has_footer_ = false;
};

}  // namespace sb::routing
