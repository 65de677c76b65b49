#include "receipt.hpp"

#include <switchboard/abi.h>

#include <cctype>
#include <chrono>
#include <cstdio>

namespace sms {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The value after `key:` (case-insensitive, key at a word start), up to the next space; "text"
// takes the rest of the line. nullopt when the key is absent.
std::optional<std::string> field(std::string_view text, std::string_view key) {
  const std::string lt = lower(text);
  const std::string k = std::string(key) + ":";
  std::size_t at = 0;
  while ((at = lt.find(k, at)) != std::string::npos) {
    if (at == 0 || lt[at - 1] == ' ') break;
    at += 1;
  }
  if (at == std::string::npos) return std::nullopt;
  std::size_t v = at + k.size();
  while (v < text.size() && text[v] == ' ' && key != "text") ++v;
  if (key == "text") return std::string(text.substr(v));
  std::size_t end = text.find(' ', v);
  std::string value(text.substr(v, end == std::string_view::npos ? end : end - v));
  // "id: stat:..." has an empty id, not the next key.
  if (value.find(':') != std::string::npos) value.clear();
  return value;
}

std::string cstring_value(const Tlv& t) {
  std::string v = t.value;
  if (std::size_t nul = v.find('\0'); nul != std::string::npos) v.resize(nul);
  return v;
}

}  // namespace

std::string_view stat_of_state(int s) {
  switch (s) {
    case 1:
      return "ENROUTE";
    case 2:
      return "DELIVRD";
    case 3:
      return "EXPIRED";
    case 4:
      return "DELETED";
    case 5:
      return "UNDELIV";
    case 6:
      return "ACCEPTD";
    case 7:
      return "UNKNOWN";
    case 8:
      return "REJECTD";
    default:
      return "";
  }
}

std::optional<Receipt> parse_receipt(std::string_view text, const std::vector<Tlv>& tlvs) {
  Receipt r;
  if (const Tlv* t = find_tlv(tlvs, tag::kReceiptedMessageId)) r.id = cstring_value(*t);
  if (const Tlv* t = find_tlv(tlvs, tag::kMessageState); t != nullptr && t->value.size() == 1) {
    r.message_state = static_cast<uint8_t>(t->value[0]);
    r.stat = std::string(stat_of_state(r.message_state));
  }
  if (r.id.empty()) {
    if (auto id = field(text, "id")) r.id = *id;
  }
  if (r.stat.empty()) {
    if (auto st = field(text, "stat")) r.stat = upper(*st);
  }
  if (auto e = field(text, "err")) r.err = *e;
  if (auto d = field(text, "submit date")) r.submit_date = *d;
  if (auto d = field(text, "done date")) r.done_date = *d;
  if (auto t = field(text, "text")) r.text = *t;
  if (r.id.empty() || r.id.size() > 64 || r.stat.empty() || r.stat.size() > 16) {
    return std::nullopt;
  }
  return r;
}

ReceiptStatus map_stat(std::string_view stat) {
  const std::string s = upper(stat);
  if (s == "DELIVRD" || s == "DELIVERED") return {SB_DELIVERY_DELIVERED, true};
  if (s == "EXPIRED" || s == "DELETED" || s == "UNDELIV" || s == "UNKNOWN" || s == "REJECTD" ||
      s == "FAILED" || s == "UNDELIVERABLE" || s == "REJECTED") {
    return {SB_DELIVERY_FAILED, true};
  }
  return {SB_DELIVERY_SENT, false};
}

std::string normalize_id(std::string_view id) {
  std::string l = lower(id);
  std::size_t nz = l.find_first_not_of('0');
  if (nz == std::string::npos) return l.empty() ? l : "0";
  return l.substr(nz);
}

std::vector<std::string> alternate_ids(std::string_view id) {
  std::vector<std::string> out;
  const std::string n = normalize_id(id);
  if (n.empty()) return out;
  bool dec = true, hexd = true;
  for (char c : n) {
    dec = dec && std::isdigit(static_cast<unsigned char>(c)) != 0;
    hexd = hexd && std::isxdigit(static_cast<unsigned char>(c)) != 0;
  }
  if (hexd && n.size() <= 16) {  // read as hex, write decimal
    uint64_t v = std::stoull(n, nullptr, 16);
    out.push_back(std::to_string(v));
  }
  if (dec && n.size() <= 19) {  // read as decimal, write hex
    uint64_t v = std::stoull(n, nullptr, 10);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    out.push_back(buf);
  }
  return out;
}

int64_t parse_receipt_date(std::string_view d) {
  if (d.size() != 10 && d.size() != 12) return 0;
  for (char c : d) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return 0;
  }
  auto num = [&](std::size_t at) { return (d[at] - '0') * 10 + (d[at + 1] - '0'); };
  using namespace std::chrono;
  const year_month_day ymd{year(2000 + num(0)), month(static_cast<unsigned>(num(2))),
                           day(static_cast<unsigned>(num(4)))};
  if (!ymd.ok() || num(6) > 23 || num(8) > 59) return 0;
  const int secs = d.size() == 12 ? num(10) : 0;
  if (secs > 59) return 0;
  const auto tp = sys_days(ymd) + hours(num(6)) + minutes(num(8)) + seconds(secs);
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

}  // namespace sms
