#include "clock.h"

#include <chrono>

namespace wasim {

int64_t SimClock::realMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SimClock::nowMs() const {
  return realMs() + offset_ms_.load();
}

void SimClock::advanceMs(int64_t delta_ms) {
  offset_ms_ += delta_ms;
}

void SimClock::setMs(int64_t epoch_ms) {
  offset_ms_ = epoch_ms - realMs();
}

}  // namespace wasim
