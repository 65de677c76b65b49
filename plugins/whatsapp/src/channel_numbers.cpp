// Loading the state of the configured numbers at start: the same Graph read as "refresh", run from
// a timer on the instance strand so start() never waits for Meta, retried with backoff while Graph
// fails (the instance's health reason says so meanwhile). "numbers list" shows the result.
#include "whatsapp_channel.hpp"

#include <algorithm>

namespace wa {

namespace {
constexpr std::string_view kLoadReason = "number state not loaded from the Graph API";
constexpr std::chrono::milliseconds kFirstRetry{1000};
constexpr std::chrono::milliseconds kMaxRetry{5 * 60 * 1000};
}  // namespace

void WhatsAppChannel::start_number_load() {
  numbers_to_load_.clear();
  for (const auto& n : config_.numbers) numbers_to_load_.push_back(n.phone_number_id);
  load_retry_ = std::chrono::milliseconds(0);
  if (!numbers_to_load_.empty()) arm_number_load(std::chrono::milliseconds(0));
}

void WhatsAppChannel::arm_number_load(std::chrono::milliseconds delay) {
  load_timer_ = host().set_timer(delay, [this] {
    load_timer_ = 0;
    if (running_) load_numbers();
  });
}

void WhatsAppChannel::load_numbers() {
  std::vector<std::string> failed;
  std::string why;
  for (const auto& pnid : numbers_to_load_) {
    if (sw::Status s = onboarding_.load_from_graph(pnid); !s) {
      failed.push_back(pnid);
      why = s.error().message;
    }
  }
  const bool ours = degraded_reason_.starts_with(kLoadReason);
  if (failed.empty()) {
    host().info("whatsapp: state of " + std::to_string(numbers_to_load_.size()) +
                " configured number(s) loaded from the Graph API");
    numbers_to_load_.clear();
    if (ours) recover();
    return;
  }
  numbers_to_load_ = std::move(failed);
  load_retry_ = load_retry_.count() == 0 ? kFirstRetry : std::min(load_retry_ * 2, kMaxRetry);
  // A more specific reason (a rejected token, a missing secret) stays in front of the operator.
  if (degraded_reason_.empty() || ours) {
    degrade(std::string(kLoadReason) + " for " + join(numbers_to_load_, ", ") + " (" + why +
            "); retrying");
  }
  host().warn("whatsapp: loading number state failed (" + why + "); next try in " +
              std::to_string(load_retry_.count() / 1000) + " s");
  arm_number_load(load_retry_);
}

}  // namespace wa
