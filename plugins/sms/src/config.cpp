#include "config.hpp"

#include <switchboard/json.hpp>

#include <cctype>
#include <functional>
#include <vector>

namespace sms {
namespace {

namespace json = switchboard::json;

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

struct IntField {
  const char* name;
  int64_t min, max;
  std::function<void(Config&, int64_t)> set;
};

const std::vector<IntField>& int_fields() {
  static const std::vector<IntField> f = {
      {"port", 1, 65535, [](Config& c, int64_t v) { c.session.port = static_cast<uint16_t>(v); }},
      {"binds", 1, 16, [](Config& c, int64_t v) { c.session.binds = static_cast<int>(v); }},
      {"window", 1, 1000, [](Config& c, int64_t v) { c.session.window = static_cast<int>(v); }},
      {"max_parts", 1, 255, [](Config& c, int64_t v) { c.max_parts = static_cast<int>(v); }},
      {"response_timeout_ms", 100, 600'000,
       [](Config& c, int64_t v) { c.session.response_timeout_ms = v; }},
      {"bind_timeout_ms", 100, 600'000,
       [](Config& c, int64_t v) { c.session.bind_timeout_ms = v; }},
      {"enquire_link_interval_ms", 100, 3'600'000,
       [](Config& c, int64_t v) { c.session.enquire_interval_ms = v; }},
      {"enquire_link_timeout_ms", 100, 600'000,
       [](Config& c, int64_t v) { c.session.enquire_timeout_ms = v; }},
      {"reconnect_min_ms", 10, 600'000,
       [](Config& c, int64_t v) { c.session.reconnect_min_ms = v; }},
      {"reconnect_max_ms", 10, 3'600'000,
       [](Config& c, int64_t v) { c.session.reconnect_max_ms = v; }},
      {"auth_retry_ms", 100, 86'400'000, [](Config& c, int64_t v) { c.session.auth_retry_ms = v; }},
      {"throttle_pause_ms", 10, 600'000,
       [](Config& c, int64_t v) { c.session.throttle_pause_ms = v; }},
      {"queue_full_pause_ms", 10, 3'600'000,
       [](Config& c, int64_t v) { c.session.queue_full_pause_ms = v; }},
      {"max_pdu_size", 256, 70'000,
       [](Config& c, int64_t v) { c.session.max_pdu_size = static_cast<uint32_t>(v); }},
      {"mo_reassembly_timeout_ms", 100, 86'400'000,
       [](Config& c, int64_t v) { c.mo_reassembly_timeout_ms = v; }},
      {"mo_dedupe_window_ms", 0, 86'400'000,
       [](Config& c, int64_t v) { c.mo_dedupe_window_ms = v; }},
      {"receipt_wait_ms", 0, 3'600'000, [](Config& c, int64_t v) { c.receipt_wait_ms = v; }},
  };
  return f;
}

void parse_rate_card(const json::Value& v, RateCard& rc, std::vector<std::string>& problems) {
  if (!v.is_object()) {
    problems.push_back("rate_card: must be an object");
    return;
  }
  for (const auto& [k, x] : v.members()) {
    if (k == "currency" && x.is_string() && x.as_string().size() == 3) {
      rc.currency = x.as_string();
    } else if (k == "per_segment" && x.is_number() && x.as_double() >= 0) {
      rc.per_segment = x.as_double();
    } else if (k == "prefixes" && x.is_object()) {
      for (const auto& [p, price] : x.members()) {
        if (!digits(p) || !price.is_number() || price.as_double() < 0) {
          problems.push_back("rate_card.prefixes." + p +
                             ": must map a digit prefix to a price >= 0");
        } else {
          rc.prefixes[p] = price.as_double();
        }
      }
    } else {
      problems.push_back("rate_card." + k +
                         ": unknown field or bad value (currency: 3 letters; per_segment: number "
                         ">= 0; prefixes: object)");
    }
  }
}

}  // namespace

double RateCard::price(std::string_view e164) const {
  double best = per_segment;
  std::size_t best_len = 0;
  for (const auto& [p, v] : prefixes) {
    if (p.size() > best_len && e164.substr(0, p.size()) == p) {
      best = v;
      best_len = p.size();
    }
  }
  return best;
}

sw::Result<Config> parse_config(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc || !doc->is_object()) return sw::Error::invalid_arg("config: must be a JSON object");
  Config c;
  std::vector<std::string> problems;
  for (const auto& [key, v] : doc->members()) {
    auto str = [&](std::string& out, std::size_t max, bool required) {
      if (!v.is_string() || v.as_string().size() > max || (required && v.as_string().empty())) {
        problems.push_back(key + ": must be a string of at most " + std::to_string(max) +
                           " characters" + (required ? ", not empty" : ""));
      } else {
        out = v.as_string();
      }
    };
    bool handled = true;
    if (key == "host") {
      str(c.session.host, 253, true);
    } else if (key == "system_id") {
      str(c.session.system_id, 15, true);
    } else if (key == "system_type") {
      str(c.session.system_type, 12, false);
    } else if (key == "password_secret") {
      str(c.password_secret, 64, true);
    } else if (key == "service_type") {
      str(c.service_type, 5, false);
    } else if (key == "sender") {
      str(c.sender, 20, false);
    } else if (key == "default_country") {
      if (!v.is_string() || !digits(v.as_string()) || v.as_string().size() > 3) {
        problems.push_back("default_country: must be a calling code of 1-3 digits, e.g. \"44\"");
      } else {
        c.default_country = v.as_string();
      }
    } else if (key == "bind_mode") {
      if (v.is_string() && v.as_string() == "transceiver") {
        c.session.transceiver = true;
      } else if (v.is_string() && v.as_string() == "transmitter_receiver") {
        c.session.transceiver = false;
      } else {
        problems.push_back("bind_mode: must be \"transceiver\" or \"transmitter_receiver\"");
      }
    } else if (key == "concatenation") {
      auto cc = v.is_string() ? concat_from(v.as_string()) : std::nullopt;
      if (!cc) {
        problems.push_back("concatenation: must be \"udh8\", \"udh16\", \"sar\" or \"payload\"");
      } else {
        c.concat = *cc;
      }
    } else if (key == "allow_latin1" || key == "registered_delivery") {
      if (!v.is_bool()) {
        problems.push_back(key + ": must be true or false");
      } else {
        (key == "allow_latin1" ? c.allow_latin1 : c.registered_delivery) = v.as_bool();
      }
    } else if (key == "rate_per_bind") {
      if (!v.is_number() || v.as_double() < 0 || v.as_double() > 100'000) {
        problems.push_back("rate_per_bind: must be a number of submits per second, 0 = unlimited");
      } else {
        c.session.rate_per_bind = v.as_double();
      }
    } else if (key == "rate_card") {
      parse_rate_card(v, c.rate_card, problems);
    } else {
      handled = false;
    }
    if (handled) continue;
    bool known = false;
    for (const IntField& f : int_fields()) {
      if (key != f.name) continue;
      known = true;
      if (!v.is_int() || v.as_int() < f.min || v.as_int() > f.max) {
        problems.push_back(key + ": must be an integer from " + std::to_string(f.min) + " to " +
                           std::to_string(f.max));
      } else {
        f.set(c, v.as_int());
      }
    }
    if (!known) problems.push_back(key + ": unknown field");
  }
  if (c.session.system_id.empty()) problems.push_back("system_id: required");
  if (c.session.reconnect_max_ms < c.session.reconnect_min_ms) {
    problems.push_back("reconnect_max_ms: must not be below reconnect_min_ms");
  }
  if (!problems.empty()) {
    std::string m = "config: ";
    for (std::size_t i = 0; i < problems.size(); ++i) m += (i ? "; " : "") + problems[i];
    return sw::Error::invalid_arg(m);
  }
  return c;
}

std::string config_schema_json() {
  json::Value props = json::Value::object();
  auto prop = [&](const char* name, json::Value schema) { props.set(name, std::move(schema)); };
  auto typed = [](const char* type, const char* description) {
    json::Value v = json::Value::object();
    v.set("type", type);
    v.set("description", description);
    return v;
  };
  prop("host", typed("string", "SMSC host name or address"));
  prop("system_id", typed("string", "SMPP account (system_id), at most 15 characters"));
  prop("system_type", typed("string", "SMPP system_type, usually empty"));
  prop("password_secret",
       typed("string", "name of the instance secret holding the bind password (default password)"));
  prop("bind_mode", typed("string", "transceiver (default) or transmitter_receiver"));
  prop("sender", typed("string", "default sender: E.164 number, short code or alphanumeric ID"));
  prop("default_country", typed("string", "calling code for national numbers, e.g. 44"));
  prop("concatenation", typed("string", "udh8 (default), udh16, sar or payload"));
  prop("allow_latin1",
       typed("boolean", "send Latin-1 (data_coding 3) instead of UCS-2 when it fits"));
  prop("registered_delivery", typed("boolean", "request delivery receipts (default true)"));
  prop("service_type", typed("string", "SMPP service_type, usually empty"));
  prop("rate_per_bind", typed("number", "submit_sm per second per bind, 0 = unlimited"));
  for (const IntField& f : int_fields()) {
    json::Value v = json::Value::object();
    v.set("type", "integer");
    v.set("minimum", f.min);
    v.set("maximum", f.max);
    prop(f.name, std::move(v));
  }
  json::Value rc = typed("object", "price per segment: {currency, per_segment, prefixes}");
  prop("rate_card", std::move(rc));
  json::Value schema = json::Value::object();
  schema.set("$schema", "https://json-schema.org/draft/2020-12/schema");
  schema.set("title", "SMS (SMPP 3.4) instance configuration");
  schema.set("type", "object");
  schema.set("required", json::Value::array().push("host").push("system_id"));
  schema.set("additionalProperties", false);
  schema.set("properties", std::move(props));
  return schema.dump();
}

}  // namespace sms
