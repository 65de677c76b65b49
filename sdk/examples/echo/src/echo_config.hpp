// The echo channel's instance configuration: {"delay_ms": 200, "prefix": "echo: "}.
#pragma once

#include <switchboard/sdk.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace echo {

struct Config {
  std::chrono::milliseconds delay{200};  // how long after a send the reply arrives
  std::string prefix = "echo: ";         // put before the echoed text
};

inline constexpr int64_t kMaxDelayMs = 3'600'000;
inline constexpr std::size_t kMaxPrefixBytes = 256;

// The configuration, or an INVALID_ARG error naming every bad field ("delay_ms: ...; prefix: ...").
// An empty document means all defaults.
switchboard::Result<Config> parse_config(std::string_view json);

// JSON Schema of the configuration.
std::string config_schema_json();

}  // namespace echo
