#include "routing/tz.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <optional>

namespace sb::routing {
namespace {

using namespace std::chrono;

constexpr size_t kMaxTzifBytes = 1 << 20;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool done() const { return s_.empty(); }
  char peek() const { return s_.empty() ? '\0' : s_.front(); }
  bool eat(char c) {
    if (peek() != c) return false;
    s_.remove_prefix(1);
    return true;
  }
  std::optional<int> number(int max_digits) {
    int v = 0, n = 0;
    while (n < max_digits && !s_.empty() && s_.front() >= '0' && s_.front() <= '9') {
      v = v * 10 + (s_.front() - '0');
      s_.remove_prefix(1);
      ++n;
    }
    if (n == 0) return std::nullopt;
    return v;
  }
  // "CET" or "<+03>": three or more letters, or anything between angle brackets.
  bool zone_abbreviation() {
    if (eat('<')) {
      size_t close = s_.find('>');
      if (close == std::string_view::npos || close < 1) return false;
      s_.remove_prefix(close + 1);
      return true;
    }
    size_t n = 0;
    while (n < s_.size() && ((s_[n] >= 'A' && s_[n] <= 'Z') || (s_[n] >= 'a' && s_[n] <= 'z'))) {
      ++n;
    }
    if (n < 3) return false;
    s_.remove_prefix(n);
    return true;
  }
  // [+-]hh[:mm[:ss]] in seconds; hours up to 167 (the extended format of rule times).
  std::optional<int32_t> hms() {
    int sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    auto h = number(3);
    if (!h || *h > 167) return std::nullopt;
    int32_t total = *h * 3600;
    if (eat(':')) {
      auto m = number(2);
      if (!m || *m > 59) return std::nullopt;
      total += *m * 60;
      if (eat(':')) {
        auto sec = number(2);
        if (!sec || *sec > 59) return std::nullopt;
        total += *sec;
      }
    }
    return sign * total;
  }
  std::optional<PosixRule::Date> date() {
    PosixRule::Date d;
    if (eat('M')) {
      d.kind = 'M';
      auto m = number(2);
      if (!m || *m < 1 || *m > 12 || !eat('.')) return std::nullopt;
      auto w = number(1);
      if (!w || *w < 1 || *w > 5 || !eat('.')) return std::nullopt;
      auto wd = number(1);
      if (!wd || *wd > 6) return std::nullopt;
      d.month = *m;
      d.week = *w;
      d.weekday = *wd;
    } else {
      d.kind = eat('J') ? 'J' : 'D';
      auto n = number(3);
      if (!n || *n > 365 || (d.kind == 'J' && *n < 1)) return std::nullopt;
      d.day = *n;
    }
    if (eat('/')) {
      auto t = hms();
      if (!t) return std::nullopt;
      d.time = *t;
    }
    return d;
  }

 private:
  std::string_view s_;
};

// The instant (as local seconds of that year) a rule date names.
local_seconds rule_local_time(const PosixRule::Date& d, int y) {
  year yr{y};
  local_days day;
  if (d.kind == 'M') {
    month m{static_cast<unsigned>(d.month)};
    weekday wd{static_cast<unsigned>(d.weekday)};
    day = d.week == 5 ? local_days(yr / m / wd[last])
                      : local_days(yr / m / wd[static_cast<unsigned>(d.week)]);
  } else if (d.kind == 'J') {
    int n = d.day - 1;  // Feb 29 is never counted
    if (yr.is_leap() && n >= 59) ++n;
    day = local_days(yr / January / 1) + days(n);
  } else {
    day = local_days(yr / January / 1) + days(d.day);
  }
  return day + seconds(d.time);
}

int32_t rule_offset(const PosixRule& r, Seconds t) {
  if (!r.has_dst) return r.std_offset;
  // The year as standard time reads it; the rule's start is given in standard time and its end in
  // daylight time.
  const auto std_local = local_seconds(t.time_since_epoch() + seconds(r.std_offset));
  const int y = static_cast<int>(year_month_day(floor<days>(std_local)).year());
  const auto start = rule_local_time(r.start, y) - seconds(r.std_offset);
  const auto end = rule_local_time(r.end, y) - seconds(r.dst_offset);
  const auto at = local_seconds(t.time_since_epoch());
  const bool dst = start < end ? (at >= start && at < end) : !(at >= end && at < start);
  return dst ? r.dst_offset : r.std_offset;
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '/') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

int64_t big_endian(std::string_view bytes, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  if (width == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
  return static_cast<int64_t>(v);
}

}  // namespace

sb::Result<PosixRule> parse_posix_rule(std::string_view text) {
  auto bad = [&] { return sb::invalid_argument("not a POSIX TZ rule: " + std::string(text)); };
  Parser p(text);
  PosixRule r;
  if (!p.zone_abbreviation()) return bad();
  auto std_off = p.hms();
  if (!std_off) return bad();
  r.std_offset = -*std_off;  // POSIX counts west of UTC as positive
  if (p.done()) return r;
  if (!p.zone_abbreviation()) return bad();
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (p.peek() != ',') {
    auto dst_off = p.hms();
    if (!dst_off) return bad();
    r.dst_offset = -*dst_off;
  }
  if (!p.eat(',')) return bad();  // rules without dates (implementation-defined) are refused
  auto start = p.date();
  if (!start || !p.eat(',')) return bad();
  auto end = p.date();
  if (!end || !p.done()) return bad();
  r.start = *start;
  r.end = *end;
  return r;
}

sb::Result<TimeZone> TimeZone::from_tzif(std::string_view name, std::string_view b) {
  auto bad = [&](std::string why) {
    return sb::invalid_argument("time zone " + std::string(name) + ": " + why);
  };
  constexpr size_t kHeader = 44;
  if (b.size() < kHeader || b.substr(0, 4) != "TZif") return bad("not a TZif file");
  if (b[4] < '2') return bad("TZif version 1 has no 64-bit data");
  auto counts = [&](size_t at) {
    std::array<int64_t, 6> c{};  // isut, isstd, leap, time, type, char
    for (size_t i = 0; i < 6; ++i) c[i] = big_endian(b, at + 20 + 4 * i, 4);
    return c;
  };
  auto v1 = counts(0);
  for (auto c : v1) {
    if (c < 0 || c > 100000) return bad("corrupt header");
  }
  const size_t v1_size =
      static_cast<size_t>(v1[3] * 5 + v1[4] * 6 + v1[5] + v1[2] * 8 + v1[1] + v1[0]);
  const size_t h2 = kHeader + v1_size;
  if (b.size() < h2 + kHeader || b.substr(h2, 4) != "TZif") return bad("missing v2 header");
  auto c = counts(h2);
  for (auto n : c) {
    if (n < 0 || n > 100000) return bad("corrupt header");
  }
  const auto [isut, isstd, leap, timecnt, typecnt, charcnt] = c;
  if (typecnt < 1) return bad("no local time types");
  size_t at = h2 + kHeader;
  const size_t data =
      static_cast<size_t>(timecnt * 9 + typecnt * 6 + charcnt + leap * 12 + isstd + isut);
  if (b.size() < at + data) return bad("truncated");
  TimeZone tz;
  tz.name_ = std::string(name);
  for (int64_t i = 0; i < timecnt; ++i) tz.transitions_.push_back(big_endian(b, at + 8 * i, 8));
  at += static_cast<size_t>(timecnt) * 8;
  for (int64_t i = 0; i < timecnt; ++i) {
    auto type = static_cast<uint8_t>(b[at + i]);
    if (type >= typecnt) return bad("transition names an unknown type");
    tz.transition_type_.push_back(type);
  }
  at += static_cast<size_t>(timecnt);
  for (int64_t i = 0; i < typecnt; ++i) {
    tz.type_offset_.push_back(static_cast<int32_t>(big_endian(b, at + 6 * i, 4)));
  }
  at += data - static_cast<size_t>(timecnt * 9);
  if (!std::is_sorted(tz.transitions_.begin(), tz.transitions_.end())) {
    return bad("transitions out of order");
  }
  // Footer: "\n<POSIX TZ>\n"; empty means "no rule beyond the table".
  if (at < b.size() && b[at] == '\n') {
    size_t end = b.find('\n', at + 1);
    if (end == std::string_view::npos) return bad("unterminated footer");
    auto footer = b.substr(at + 1, end - at - 1);
    if (!footer.empty()) {
      auto rule = parse_posix_rule(footer);
      if (!rule) return bad(rule.status().message());
      tz.footer_ = *rule;
      tz.has_footer_ = true;
    }
  }
  return tz;
}

sb::Result<TimeZone> TimeZone::load(std::string_view name, const std::filesystem::path& dir) {
  if (!valid_zone_name(name)) return sb::invalid_argument("bad time zone name");
  std::ifstream in(dir / std::string(name), std::ios::binary);
  if (!in) return sb::not_found("unknown time zone " + std::string(name));
  std::string bytes;
  bytes.resize(kMaxTzifBytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.size() > kMaxTzifBytes) return sb::invalid_argument("time zone file too large");
  return from_tzif(name, bytes);
}

TimeZone TimeZone::utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  tz.type_offset_.push_back(0);
  return tz;
}

std::chrono::seconds TimeZone::offset_at(Seconds t) const {
  const int64_t s = t.time_since_epoch().count();
  if (transitions_.empty() || s >= transitions_.back()) {
    if (has_footer_) return seconds(rule_offset(footer_, t));
    if (transitions_.empty()) return seconds(type_offset_.front());
    return seconds(type_offset_[transition_type_.back()]);
  }
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
  if (it == transitions_.begin()) return seconds(type_offset_.front());  // before any transition
  return seconds(
      type_offset_[transition_type_[static_cast<size_t>(it - transitions_.begin() - 1)]]);
}

LocalSeconds TimeZone::to_local(Seconds t) const {
  return LocalSeconds(t.time_since_epoch() + offset_at(t));
}

Seconds TimeZone::to_sys(LocalSeconds local) const {
  const auto as_utc = Seconds(local.time_since_epoch());
  // Offsets in effect a day either side cover any one transition around this wall time.
  const auto before = offset_at(as_utc - days(1));
  const auto after = offset_at(as_utc + days(1));
  std::optional<Seconds> best;
  for (auto off : {before, after}) {
    const auto t = as_utc - off;
    if (offset_at(t) == off && (!best || t < *best)) best = t;
  }
  return best ? *best : as_utc - before;
}

}  // namespace sb::routing
