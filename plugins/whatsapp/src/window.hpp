// The 24-hour customer service window (docs/whatsapp-cloud-api.md §5.1) per (business number,
// customer), persisted in kv.
// Each inbound message from the customer opens it or moves its end to 24 h after that message;
// business messages never extend it. Outside it only templates may be sent.
#pragma once

#include "util.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace wa {

inline constexpr int64_t kWindowMs = 24LL * 3600 * 1000;

class WindowStore {
 public:
  explicit WindowStore(const sw::Host& host) : host_(host) {}

  // The customer wrote at `at_ms`; a late or duplicate delivery never moves the window back.
  void on_inbound(std::string_view phone_number_id, std::string_view customer, int64_t at_ms);
  // Meta said the window is closed (131047): forget what we believed.
  void close(std::string_view phone_number_id, std::string_view customer);
  // When the customer last wrote, 0 = never known.
  int64_t last_inbound_ms(std::string_view phone_number_id, std::string_view customer) const;
  // When the window ends (0 = no window); `hint_ms` is the host's own last-inbound time.
  int64_t expires_at_ms(std::string_view phone_number_id, std::string_view customer,
                        int64_t hint_ms = 0) const;
  bool is_open(std::string_view phone_number_id, std::string_view customer, int64_t now_ms,
               int64_t hint_ms = 0) const;

 private:
  static std::string key(std::string_view phone_number_id, std::string_view customer);
  const sw::Host& host_;
};

}  // namespace wa
