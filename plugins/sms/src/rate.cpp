#include "rate.hpp"

#include <algorithm>

namespace sms {

void SubmitRate::recover(int64_t now) {
  if (rate_ >= configured_ || now - last_change_ < kRecoverEveryMs) return;
  rate_ = std::min(configured_, rate_ + configured_ / 10);
  last_change_ = now;
}

bool SubmitRate::take(int64_t now) {
  if (configured_ <= 0) return true;
  recover(now);
  const double burst = std::max(1.0, rate_ / 20);
  tokens_ = std::min(burst, tokens_ + static_cast<double>(now - tokens_at_) * rate_ / 1000.0);
  tokens_at_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void SubmitRate::throttled(int64_t now) {
  if (configured_ <= 0) return;
  rate_ = std::max(configured_ / 16, rate_ / 2);
  tokens_ = std::min(tokens_, 0.0);
  last_change_ = now;
}

void SubmitRate::reset(int64_t now) {
  tokens_ = 1;
  tokens_at_ = now;
}

}  // namespace sms
