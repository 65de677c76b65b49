// The time source of the conversation rules, injectable so tests can step past a horizon.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace sb::conversations {

using Clock = std::function<int64_t()>;  // Unix milliseconds

inline int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sb::conversations
