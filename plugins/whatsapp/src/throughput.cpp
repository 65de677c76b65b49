#include "throughput.hpp"

#include <algorithm>
#include <cmath>

namespace wa {

void TokenBucket::refill(int64_t now_ms) {
  if (last_ms_ < 0 || now_ms < last_ms_) {
    last_ms_ = now_ms;  // first use, or the clock stepped back: start from here
    return;
  }
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_ / 1000.0);
  last_ms_ = now_ms;
}

namespace {
// Rates like 1/6 per second do not add up exactly in binary: a token 6000 ms later must count.
constexpr double kEpsilon = 1e-9;
}  // namespace

bool TokenBucket::try_take(int64_t now_ms) {
  refill(now_ms);
  if (tokens_ + kEpsilon < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::chrono::milliseconds TokenBucket::wait_ms(int64_t now_ms) {
  refill(now_ms);
  if (tokens_ + kEpsilon >= 1.0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::ceil((1.0 - tokens_) * 1000.0 / rate_)));
}

void TokenBucket::hold(int64_t now_ms, std::chrono::milliseconds d) {
  refill(now_ms);
  // A debt that takes `d` to pay back, after which tokens accrue as usual.
  tokens_ = 1.0 - static_cast<double>(d.count()) * rate_ / 1000.0;
}

void TokenBucket::set_rate(double rate) {
  rate_ = rate;
  burst_ = rate;
  tokens_ = std::min(tokens_, burst_);
}

bool PairLimiter::try_take(const std::string& pnid, const std::string& customer, int64_t now_ms) {
  if (pairs_.size() > kSweepAbove) sweep(now_ms);
  Entry& e = pairs_[{pnid, customer}];
  e.last_ms = now_ms;
  return e.bucket.try_take(now_ms);
}

std::chrono::milliseconds PairLimiter::wait_ms(const std::string& pnid, const std::string& customer,
                                               int64_t now_ms) {
  auto it = pairs_.find({pnid, customer});
  return it == pairs_.end() ? std::chrono::milliseconds(0) : it->second.bucket.wait_ms(now_ms);
}

void PairLimiter::hold(const std::string& pnid, const std::string& customer, int64_t now_ms,
                       std::chrono::milliseconds d) {
  if (pairs_.size() > kSweepAbove) sweep(now_ms);
  Entry& e = pairs_[{pnid, customer}];
  // Idle for the sweep means "full again": a held pair must not be forgotten before it is free.
  e.last_ms = std::max(now_ms, now_ms + d.count());
  e.bucket.hold(now_ms, d);
}

void PairLimiter::sweep(int64_t now_ms) {
  // After burst/rate seconds idle a bucket is full again: dropping it changes nothing.
  const auto refill_ms = static_cast<int64_t>(kBurst / kRate * 1000);
  std::erase_if(pairs_, [&](const auto& kv) { return now_ms - kv.second.last_ms >= refill_ms; });
}

TokenBucket& Throughput::for_number(const std::string& phone_number_id) {
  auto it = buckets_.find(phone_number_id);
  if (it == buckets_.end())
    it = buckets_.emplace(phone_number_id, TokenBucket(default_rate_)).first;
  return it->second;
}

void Throughput::set_rate(const std::string& phone_number_id, double rate) {
  for_number(phone_number_id).set_rate(rate);
}

}  // namespace wa
