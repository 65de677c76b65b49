// The loopback instance configuration:
//   {"address_kind": "phone"|"email"|"loopback_id",
//    "delivery": {"auto": true, "delay_ms": 50, "read": false},
//    "max_recorded": 1000, "send_journal": "/abs/path/sends.jsonl"}
#pragma once

#include <switchboard/sdk.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loopback {

inline constexpr int64_t kMaxDelayMs = 3'600'000;
inline constexpr int64_t kMaxRecordedLimit = 100'000;

struct DeliveryConfig {
  bool automatic = true;                // report sent -> delivered after each accepted send
  std::chrono::milliseconds delay{50};  // between one status and the next
  bool read = false;                    // also report read, delay after delivered
};

struct Config {
  std::string address_kind = "phone";  // how the host files `from` of injected messages
  DeliveryConfig delivery;
  std::size_t max_recorded = 1000;  // sends kept for GET /sent; older ones are dropped
  std::string send_journal;         // absolute path of a file every send is appended to; "" none
};

// The configuration, or INVALID_ARG naming the first bad field ("delivery.delay_ms: ...").
// An empty document means all defaults.
switchboard::Result<Config> parse_config(std::string_view json);

std::string config_schema_json();

}  // namespace loopback
