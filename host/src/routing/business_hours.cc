#include "routing/business_hours.h"

#include <algorithm>
#include <charconv>

namespace sb::routing {
namespace {

using namespace std::chrono;

std::optional<int> digits(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "HH:MM" with 24:00 allowed as the end of a day.
std::optional<minutes> clock_time(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  auto h = digits(s.substr(0, 2));
  auto m = digits(s.substr(3, 2));
  if (!h || !m || *m > 59 || *h > 24 || (*h == 24 && *m != 0)) return std::nullopt;
  return hours(*h) + minutes(*m);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::optional<local_days> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = digits(s.substr(0, 4));
  auto m = digits(s.substr(5, 2));
  auto d = digits(s.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return local_days(ymd);
}

}  // namespace

sb::Result<BusinessHours> BusinessHours::make(const HoursSpec& spec,
                                              const std::filesystem::path& zoneinfo) {
  BusinessHours h;
  auto zone = TimeZone::load(spec.time_zone, zoneinfo);
  if (!zone) return zone.status();
  h.zone_ = std::move(*zone);
  for (size_t d = 0; d < 7; ++d) {
    std::string_view rest = spec.week[d];
    while (!trim(rest).empty()) {
      size_t comma = rest.find(',');
      auto item = trim(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      size_t dash = item.find('-');
      auto open = clock_time(trim(item.substr(0, dash)));
      auto close =
          dash == std::string_view::npos ? std::nullopt : clock_time(trim(item.substr(dash + 1)));
      if (!open || !close || *open >= *close || *open == hours(24)) {
        return sb::invalid_argument("business hours: bad range '" + std::string(item) +
                                    "' (want HH:MM-HH:MM)");
      }
      h.week_[d].push_back({*open, *close});
    }
    std::sort(h.week_[d].begin(), h.week_[d].end(),
              [](const Range& a, const Range& b) { return a.open < b.open; });
  }
  for (const auto& text : spec.holidays) {
    auto day = parse_date(trim(text));
    if (!day) return sb::invalid_argument("business hours: bad holiday '" + text + "'");
    h.holidays_.insert(*day);
  }
  return h;
}

BusinessHours BusinessHours::always() {
  BusinessHours h;
  for (auto& day : h.week_) day.push_back({minutes(0), hours(24)});
  return h;
}

bool BusinessHours::closed_day(local_days day) const {
  return holidays_.contains(day);
}

bool BusinessHours::is_open(Millis at) const {
  const auto local = zone_.to_local(floor<seconds>(at));
  const auto day = floor<days>(local);
  if (closed_day(day)) return false;
  const auto since_midnight = floor<minutes>(local - day);
  const auto& ranges = week_[weekday(day).c_encoding()];
  return std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) {
    return since_midnight >= r.open && since_midnight < r.close;
  });
}

std::optional<Millis> BusinessHours::next_open(Millis at) const {
  if (is_open(at)) return at;
  const auto first = floor<days>(zone_.to_local(floor<seconds>(at)));
  for (auto day = first; day < first + days(2 * 366); day += days(1)) {
    if (closed_day(day)) continue;
    for (const auto& r : week_[weekday(day).c_encoding()]) {
      const auto opens = zone_.to_sys(day + r.open);
      if (opens > at) return Millis(opens);
    }
  }
  return std::nullopt;
}

}  // namespace sb::routing
