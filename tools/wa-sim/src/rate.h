// Token bucket on the simulated clock: `rate` tokens per second, at most `burst` stored.
#pragma once

#include <algorithm>
#include <cstdint>

namespace wasim {

struct TokenBucket {
  double tokens = -1;  // negative: not started, begins full
  int64_t last_ms = 0;

  bool take(int64_t now_ms, double rate, double burst) {
    if (tokens < 0) {
      tokens = burst;
      last_ms = now_ms;
    }
    if (now_ms > last_ms) {
      tokens = std::min(burst, tokens + rate * static_cast<double>(now_ms - last_ms) / 1000.0);
      last_ms = now_ms;
    }
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
  }
};

}  // namespace wasim
