// A token bucket per business number: Meta allows 80 messages per second by default
// (docs/whatsapp-cloud-api.md §5.5) and answers 130429 above it, so we hold back before calling
// rather than burn the quota on errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace wa {

class TokenBucket {
 public:
  // `rate` tokens per second, holding at most `burst` (one second's worth by default).
  explicit TokenBucket(double rate = 80, double burst = 0)
      : rate_(rate), burst_(burst > 0 ? burst : rate), tokens_(burst_) {}

  // Takes one token at `now_ms`; false when empty.
  bool try_take(int64_t now_ms);
  // How long until a token is available (0 when one is).
  std::chrono::milliseconds wait_ms(int64_t now_ms);
  // Meta said 130429 (throughput exceeded): send nothing for `d`.
  void hold(int64_t now_ms, std::chrono::milliseconds d);
  void set_rate(double rate);
  double rate() const noexcept { return rate_; }

 private:
  void refill(int64_t now_ms);
  double rate_;
  double burst_;
  double tokens_;
  int64_t last_ms_ = -1;
};

// Meta's pair rate limit (§5.6): about one message per 6 s from a business number to the same
// customer, with bursts of up to 45 borrowed from the future; above it Meta answers 131056. Idle
// pairs are forgotten (a forgotten pair is the same as a full bucket), so memory follows traffic.
class PairLimiter {
 public:
  static constexpr double kRate = 1.0 / 6.0;
  static constexpr double kBurst = 45;
  static constexpr std::size_t kSweepAbove = 10000;

  bool try_take(const std::string& phone_number_id, const std::string& customer, int64_t now_ms);
  std::chrono::milliseconds wait_ms(const std::string& phone_number_id, const std::string& customer,
                                    int64_t now_ms);
  // Meta said 131056 for this pair: send it nothing for `d`, whatever our own estimate says (Meta
  // counts messages we did not send, e.g. from another system on the same number).
  void hold(const std::string& phone_number_id, const std::string& customer, int64_t now_ms,
            std::chrono::milliseconds d);
  std::size_t size() const noexcept { return pairs_.size(); }

 private:
  struct Entry {
    TokenBucket bucket{kRate, kBurst};
    int64_t last_ms = 0;
  };
  void sweep(int64_t now_ms);
  std::map<std::pair<std::string, std::string>, Entry> pairs_;
};

class Throughput {
 public:
  explicit Throughput(double default_rate) : default_rate_(default_rate) {}
  TokenBucket& for_number(const std::string& phone_number_id);
  void set_rate(const std::string& phone_number_id, double rate);

 private:
  double default_rate_;
  std::map<std::string, TokenBucket> buckets_;
};

}  // namespace wa
