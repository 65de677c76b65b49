#include "window.hpp"

#include <limits>

namespace loopback {

namespace {

std::optional<int32_t> mode_from(std::string_view name) {
  if (name == "free_text") return SB_SEND_MODE_FREE_TEXT;
  if (name == "template_only") return SB_SEND_MODE_TEMPLATE_ONLY;
  if (name == "blocked") return SB_SEND_MODE_BLOCKED;
  return std::nullopt;
}

std::string_view mode_name(int32_t mode) {
  switch (mode) {
    case SB_SEND_MODE_FREE_TEXT:
      return "free text";
    case SB_SEND_MODE_TEMPLATE_ONLY:
      return "templates only";
    default:
      return "nothing";
  }
}

std::optional<int32_t> read_mode(ObjectReader& r, std::string_view key, bool required) {
  std::optional<std::string> name = r.str(key, required, false);
  if (!name) return std::nullopt;
  std::optional<int32_t> mode = mode_from(*name);
  if (!mode) r.fail(key, "must be \"free_text\", \"template_only\" or \"blocked\"");
  return mode;
}

}  // namespace

std::string_view mode_key(int32_t mode) {
  switch (mode) {
    case SB_SEND_MODE_FREE_TEXT:
      return "free_text";
    case SB_SEND_MODE_TEMPLATE_ONLY:
      return "template_only";
    default:
      return "blocked";
  }
}

std::optional<WindowRule> parse_window(const json::Value& doc, std::string* to, InputError& err) {
  ObjectReader r(doc, "", err);
  r.only({"mode", "reason", "expires_at_ms", "after", "enforce", "to"});
  WindowRule rule;
  std::optional<int32_t> mode = read_mode(r, "mode", true);
  if (!r.ok()) return std::nullopt;
  rule.mode = *mode;
  rule.reason = r.str("reason", false).value_or("");
  rule.expires_at_ms = r.integer("expires_at_ms", 0, 0, std::numeric_limits<int64_t>::max());
  rule.after = read_mode(r, "after", false).value_or(SB_SEND_MODE_FREE_TEXT);
  rule.enforce = r.boolean("enforce", true);
  *to = r.str("to", false, false).value_or("");
  if (!r.ok()) return std::nullopt;
  return rule;
}

bool Windows::set(const std::string& to, WindowRule rule) {
  if (to.empty()) {
    default_ = std::move(rule);
    return true;
  }
  if (per_recipient_.size() >= kMaxWindowOverrides && !per_recipient_.contains(to)) return false;
  per_recipient_[to] = std::move(rule);
  return true;
}

void Windows::clear() {
  default_ = WindowRule{};
  per_recipient_.clear();
}

const WindowRule& Windows::rule_for(std::string_view to) const {
  auto it = per_recipient_.find(to);
  return it != per_recipient_.end() ? it->second : default_;
}

switchboard::CanSendAnswer Windows::evaluate(std::string_view to, std::string_view content_type,
                                             int64_t now_ms) const {
  const WindowRule& rule = rule_for(to);
  switchboard::CanSendAnswer a;
  bool expired = rule.expires_at_ms != 0 && now_ms >= rule.expires_at_ms;
  a.mode = expired ? rule.after : rule.mode;
  a.expires_at_ms = expired ? 0 : rule.expires_at_ms;
  a.allowed = a.mode == SB_SEND_MODE_FREE_TEXT ||
              (a.mode == SB_SEND_MODE_TEMPLATE_ONLY && content_type == "template");
  if (!expired && !rule.reason.empty()) {
    a.reason = rule.reason;
  } else if (!a.allowed) {
    a.reason = "loopback window allows " + std::string(mode_name(a.mode)) + " now";
  }
  return a;
}

std::optional<std::string> Windows::refusal(std::string_view to, std::string_view content_type,
                                            int64_t now_ms) const {
  if (!rule_for(to).enforce) return std::nullopt;
  switchboard::CanSendAnswer a = evaluate(to, content_type, now_ms);
  if (a.allowed) return std::nullopt;
  return a.reason;
}

}  // namespace loopback
