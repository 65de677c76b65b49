// Programmed send failures: tests queue them (POST /faults, invoke "faults") and each upcoming send
// takes the first one whose recipient filter matches, in the order they were queued.
#pragma once

#include "input.hpp"

#include <switchboard/sdk.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loopback {

enum class FaultKind { kTransient, kRateLimited, kRejected, kAuth, kSlow, kPending };

inline constexpr std::size_t kMaxQueuedFaults = 10'000;

struct Fault {
  FaultKind kind = FaultKind::kTransient;
  std::string message;  // shown to operators; defaults to "injected <kind>"
  std::chrono::milliseconds retry_after{0};
  std::chrono::milliseconds delay{0};  // slow: how long send blocks; pending: until complete_send
  std::string provider_code;
  std::string match_to;  // empty: any recipient
  // pending only: finish with this failure instead of success.
  std::optional<FaultKind> complete_with;
  // pending only: call complete_send before send returns SB_PENDING, as a provider thread that
  // answers at once may (complete_send is [any thread]); the host must not lose that answer.
  bool complete_first = false;
};

std::string_view kind_name(FaultKind kind);

// The error a failing kind turns into (transient, rate_limited, rejected, auth).
switchboard::Error fault_error(FaultKind kind, const Fault& fault);

// Reads {"next": [{"kind": ..., ...}], "match_to": "..."}; the first bad field in `err`.
std::optional<std::vector<Fault>> parse_faults(const json::Value& doc, InputError& err);

class FaultQueue {
 public:
  // Appends in order; false (nothing added) when the queue would exceed kMaxQueuedFaults.
  bool push(std::vector<Fault> faults);
  // The first fault for recipient `to`, removed from the queue.
  std::optional<Fault> take(std::string_view to);
  void clear() { queue_.clear(); }
  std::size_t size() const noexcept { return queue_.size(); }
  json::Value to_json() const;

 private:
  std::deque<Fault> queue_;
};

}  // namespace loopback
