// What may be sent now, as tests program it (POST /window): a default for every recipient and
// overrides per recipient. A mode may end at expires_at_ms and give way to another ("after"), the
// way WhatsApp's 24-hour window turns free text into templates only.
#pragma once

#include "input.hpp"

#include <switchboard/sdk.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace loopback {

inline constexpr std::size_t kMaxWindowOverrides = 10'000;

struct WindowRule {
  int32_t mode = SB_SEND_MODE_FREE_TEXT;
  std::string reason;
  int64_t expires_at_ms = 0;  // 0: never
  int32_t after = SB_SEND_MODE_FREE_TEXT;
  bool enforce = true;  // send() refuses what can_send would refuse, as a real provider does
};

// "free_text", "template_only" or "blocked".
std::string_view mode_key(int32_t mode);

// Reads {"mode", "reason"?, "expires_at_ms"?, "after"?, "enforce"?, "to"?}; `to` goes to *to.
std::optional<WindowRule> parse_window(const json::Value& doc, std::string* to, InputError& err);

class Windows {
 public:
  // Sets the default (empty `to`) or one recipient's rule; false when too many overrides.
  bool set(const std::string& to, WindowRule rule);
  void clear();
  switchboard::CanSendAnswer evaluate(std::string_view to, std::string_view content_type,
                                      int64_t now_ms) const;
  // Whether send() should refuse this message now, with the reason.
  std::optional<std::string> refusal(std::string_view to, std::string_view content_type,
                                     int64_t now_ms) const;

 private:
  const WindowRule& rule_for(std::string_view to) const;
  WindowRule default_;
  std::map<std::string, WindowRule, std::less<>> per_recipient_;
};

}  // namespace loopback
