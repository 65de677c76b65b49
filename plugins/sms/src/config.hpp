// The SMS instance configuration (see docs/channels/sms.md). The bind password is not part of it:
// it comes from the host's secrets under the name `password_secret` (default "password").
#pragma once

#include "session.hpp"
#include "text.hpp"

#include <switchboard/sdk.hpp>

#include <map>
#include <string>
#include <string_view>

namespace sms {

namespace sw = switchboard;

struct RateCard {
  std::string currency = "EUR";
  double per_segment = 0;                  // default price of one segment
  std::map<std::string, double> prefixes;  // E.164 country/area prefix (digits) -> price
  // The price of one segment to `e164_digits` (longest matching prefix, else per_segment).
  double price(std::string_view e164_digits) const;
};

struct Config {
  SessionConfig session;  // host, port, system_id, binds, window, timers...
  std::string password_secret = "password";
  std::string sender;           // default source address: E.164, short code or alphanumeric
  std::string default_country;  // calling code digits ("44") for national numbers
  Concat concat = Concat::kUdh8;
  bool allow_latin1 = false;
  int max_parts = 10;
  bool registered_delivery = true;
  std::string service_type;
  int64_t mo_reassembly_timeout_ms = 600'000;
  int64_t mo_dedupe_window_ms = 300'000;
  int64_t receipt_wait_ms = 60'000;  // an early receipt waits this long for its submit_sm_resp
  RateCard rate_card;
};

sw::Result<Config> parse_config(std::string_view text);
std::string config_schema_json();

}  // namespace sms
