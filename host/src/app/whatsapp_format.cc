// Text views of the WhatsApp plugin's answers for `switchboard whatsapp`: what an operator needs to
// see at a glance (verification, name review, quality, tier, throughput, official account) with
// "-" for what Meta has not told us yet. `--json` prints the answers unchanged instead.
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "app/whatsapp_cli.h"

namespace sb::app {
namespace {

// A member as text: strings as they are, numbers and booleans printed, missing/null as "".
std::string text_of(const Poco::JSON::Object& o, const std::string& key) {
  if (!o.has(key) || o.isNull(key)) return "";
  const Poco::Dynamic::Var v = o.get(key);
  if (v.isString()) return v.extract<std::string>();
  if (v.isBoolean()) return v.extract<bool>() ? "true" : "false";
  if (v.isInteger()) return std::to_string(v.convert<int64_t>());  // ms timestamps stay exact
  if (v.isNumeric()) {
    const double d = v.convert<double>();
    std::ostringstream s;
    s << d;
    return s.str();
  }
  return v.toString();
}

std::string or_dash(std::string s) {
  return s.empty() ? "-" : s;
}

std::string with_plus(const std::string& digits) {
  return digits.empty() || digits[0] == '+' ? digits : "+" + digits;
}

std::string time_of(const Poco::JSON::Object& o, const std::string& key) {
  const std::string ms = text_of(o, key);
  if (ms.empty()) return "";
  const std::time_t secs = static_cast<std::time_t>(std::strtoll(ms.c_str(), nullptr, 10) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string yes_no(const std::string& b) {
  return b == "true" ? "yes" : b == "false" ? "no" : "";
}

// Columns padded to the widest cell; the last column is not padded.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows) {
    if (width.size() < r.size()) width.resize(r.size(), 0);
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::ostringstream out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      out << r[i];
      if (i + 1 < r.size()) out << std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << "\n";
  }
  return out.str();
}

std::string lines(const std::vector<std::pair<std::string, std::string>>& kv) {
  size_t w = 0;
  for (const auto& [k, v] : kv) w = std::max(w, k.size());
  std::ostringstream out;
  for (const auto& [k, v] : kv) out << k << ":" << std::string(w - k.size() + 2, ' ') << v << "\n";
  return out.str();
}

std::string throughput(const Poco::JSON::Object& st) {
  const std::string level = text_of(st, "throughput_level");
  const std::string mps = text_of(st, "throughput_mps");
  if (level.empty() && mps.empty()) return "";
  return or_dash(level) + (mps.empty() ? "" : " (" + mps + " msg/s)");
}

std::string registration(const Poco::JSON::Object& st) {
  const std::string status = text_of(st, "status");
  const std::string reg = yes_no(text_of(st, "registered"));
  if (status.empty() && reg.empty()) return "";
  return or_dash(status) + (reg.empty() ? "" : ", registered: " + reg);
}

std::string name_review(const Poco::JSON::Object& st) {
  const std::string name = text_of(st, "verified_name");
  const std::string status = text_of(st, "name_status");
  return or_dash(name) + (status.empty() ? "" : " (" + status + ")");
}

std::string pending_name(const Poco::JSON::Object& st) {
  const std::string name = text_of(st, "new_display_name");
  const std::string status = text_of(st, "new_name_status");
  if (name.empty() && (status.empty() || status == "NONE")) return "";  // no change under way
  return or_dash(name) + (status.empty() ? "" : " (" + status + ")");
}

std::string official(const Poco::JSON::Object& st) {
  const std::string oba = text_of(st, "oba_status");
  const std::string is = yes_no(text_of(st, "is_official"));
  if (oba.empty() && is.empty()) return "";
  return or_dash(oba) + (is.empty() ? "" : ", official: " + is);
}

}  // namespace

std::string format_number(const Poco::JSON::Object& st) {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"phone number id", or_dash(text_of(st, "phone_number_id"))},
      {"number", or_dash(with_plus(text_of(st, "display_phone_number")))},
      {"display name", name_review(st)},
  };
  if (std::string p = pending_name(st); !p.empty()) kv.emplace_back("new display name", p);
  if (std::string r = text_of(st, "name_rejection_reason"); !r.empty()) {
    kv.emplace_back("name rejected because", r);
  }
  std::string verification = or_dash(text_of(st, "code_verification_status"));
  if (std::string m = text_of(st, "code_method"); !m.empty())
    verification += " (code by " + m + ")";
  kv.emplace_back("verification", verification);
  kv.emplace_back("two-step pin", or_dash(yes_no(text_of(st, "is_pin_enabled"))));
  kv.emplace_back("status", or_dash(registration(st)));
  std::string quality = or_dash(text_of(st, "quality_rating"));
  if (std::string e = text_of(st, "quality_event"); !e.empty()) quality += " (last: " + e + ")";
  kv.emplace_back("quality", quality);
  kv.emplace_back("messaging tier", or_dash(text_of(st, "messaging_tier")));
  kv.emplace_back("throughput", or_dash(throughput(st)));
  kv.emplace_back("official account", or_dash(official(st)));
  if (std::string s = text_of(st, "security_event"); !s.empty()) kv.emplace_back("security", s);
  if (std::string t = time_of(st, "updated_at_ms"); !t.empty()) kv.emplace_back("updated", t);
  if (std::string t = time_of(st, "refreshed_at_ms"); !t.empty()) {
    kv.emplace_back("refreshed from Meta", t);
  }
  return lines(kv);
}

std::string format_numbers(const Poco::JSON::Array& numbers) {
  if (numbers.size() == 0) return "no numbers (add one: switchboard whatsapp numbers add ...)\n";
  std::vector<std::vector<std::string>> rows = {{"PHONE NUMBER ID", "NUMBER", "DISPLAY NAME",
                                                 "VERIFICATION", "STATUS", "QUALITY", "TIER",
                                                 "THROUGHPUT", "OFFICIAL"}};
  for (size_t i = 0; i < numbers.size(); ++i) {
    auto st = numbers.getObject(static_cast<unsigned>(i));
    if (!st) continue;
    std::string name = name_review(*st);
    if (std::string p = pending_name(*st); !p.empty()) name += " -> " + p;
    rows.push_back({or_dash(text_of(*st, "phone_number_id")),
                    or_dash(with_plus(text_of(*st, "display_phone_number"))), name,
                    or_dash(text_of(*st, "code_verification_status")),
                    or_dash(text_of(*st, "status")), or_dash(text_of(*st, "quality_rating")),
                    or_dash(text_of(*st, "messaging_tier")), or_dash(throughput(*st)),
                    or_dash(text_of(*st, "oba_status"))});
  }
  return table(rows);
}

std::string format_templates(const Poco::JSON::Array& templates) {
  if (templates.size() == 0)
    return "no templates (create one, or sync: switchboard whatsapp templates sync)\n";
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "LANGUAGE", "CATEGORY", "STATUS", "QUALITY", "ID", "REASON"}};
  for (size_t i = 0; i < templates.size(); ++i) {
    auto t = templates.getObject(static_cast<unsigned>(i));
    if (!t) continue;
    rows.push_back({or_dash(text_of(*t, "name")), or_dash(text_of(*t, "language")),
                    or_dash(text_of(*t, "category")), or_dash(text_of(*t, "status")),
                    or_dash(text_of(*t, "quality")), or_dash(text_of(*t, "id")),
                    text_of(*t, "reason")});
  }
  return table(rows);
}

std::string format_template(const Poco::JSON::Object& t) {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"name", or_dash(text_of(t, "name"))},         {"language", or_dash(text_of(t, "language"))},
      {"category", or_dash(text_of(t, "category"))}, {"status", or_dash(text_of(t, "status"))},
      {"quality", or_dash(text_of(t, "quality"))},   {"id", or_dash(text_of(t, "id"))},
  };
  if (std::string r = text_of(t, "reason"); !r.empty()) kv.emplace_back("reason", r);
  std::string out = lines(kv);
  auto comps = t.getArray("components");
  for (size_t i = 0; comps && i < comps->size(); ++i) {
    auto c = comps->getObject(static_cast<unsigned>(i));
    if (!c) continue;
    std::string type = text_of(*c, "type");
    std::transform(type.begin(), type.end(), type.begin(), ::tolower);
    if (std::string text = text_of(*c, "text"); !text.empty()) {
      out += type + ": " + text + "\n";
    } else if (auto buttons = c->getArray("buttons")) {
      for (size_t b = 0; b < buttons->size(); ++b) {
        auto btn = buttons->getObject(static_cast<unsigned>(b));
        if (!btn) continue;
        std::string extra = text_of(*btn, "url");
        if (extra.empty()) extra = text_of(*btn, "phone_number");
        out += "button: [" + text_of(*btn, "text") + "] " + text_of(*btn, "type") +
               (extra.empty() ? "" : " " + extra) + "\n";
      }
    } else if (std::string fmt = text_of(*c, "format"); !fmt.empty()) {
      out += type + ": (" + fmt + ")\n";
    }
  }
  return out;
}

}  // namespace sb::app
