// The instance configuration (see docs/channels/whatsapp.md). Secrets are not part of it: they come
// from Host::secret ("access_token", "app_secret", "verify_token").
#pragma once

#include "util.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace wa {

struct NumberConfig {
  std::string phone_number_id;       // Graph node id of the business number
  std::string display_phone_number;  // digits only; may be empty until learned
  std::string waba_id;               // empty = the instance's waba_id
  std::string token;                 // secret NAME of its token; empty = "access_token"
};

struct Config {
  std::string graph_base_url = "https://graph.facebook.com";
  std::string api_version = "v21.0";
  std::string waba_id;
  std::vector<NumberConfig> numbers;
  std::string default_country;  // calling code digits ("49"); prefixed to national numbers
  std::chrono::seconds template_sync_interval{3600};  // 0 = no periodic sync
  double throughput_mps = 80;

  // The configured number with this phone-number id or display number; nullptr if none.
  const NumberConfig* number(std::string_view id_or_display) const;
};

inline constexpr double kMaxThroughputMps = 1000;

sw::Result<Config> parse_config(std::string_view text);
std::string config_schema_json();

}  // namespace wa
