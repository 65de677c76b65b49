// The submit rate of one bind: a token bucket at the configured submits per second that halves
// when the SMSC throttles (ESME_RTHROTTLED) and climbs back by a tenth of the configured rate every
// 10 s without throttling (additive increase, multiplicative decrease). A rate of 0 is unlimited.
#pragma once

#include <cstdint>

namespace sms {

class SubmitRate {
 public:
  explicit SubmitRate(double per_second = 0) : configured_(per_second), rate_(per_second) {}

  // Whether one submit may go at now_ms; takes its token if so.
  bool take(int64_t now_ms);
  // The SMSC throttled a submit at now_ms.
  void throttled(int64_t now_ms);
  // Restarts the bucket (a new bind) at the current rate, with one token.
  void reset(int64_t now_ms);
  double rate() const { return rate_; }

  static constexpr int64_t kRecoverEveryMs = 10'000;

 private:
  void recover(int64_t now_ms);

  double configured_, rate_;
  double tokens_ = 1;
  int64_t tokens_at_ = 0, last_change_ = 0;
};

}  // namespace sms
