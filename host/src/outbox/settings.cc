#include "outbox/settings.h"

namespace sb::outbox {

DispatchTuning tuning_from(const config::OutboxConfig& c) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  DispatchTuning t;
  t.base_backoff = milliseconds(c.base_backoff_ms);
  t.max_backoff = milliseconds(c.max_backoff_ms);
  t.horizon = seconds(c.horizon_s);
  t.poll_interval = milliseconds(c.poll_interval_ms);
  t.max_in_flight = c.max_in_flight;
  t.drain_timeout = milliseconds(c.drain_timeout_ms);
  return t;
}

OutboxOptions options_from_config(const config::Config& cfg) {
  OutboxOptions o;
  const DispatchTuning t = tuning_from(cfg.outbox);
  o.base_backoff = t.base_backoff;
  o.max_backoff = t.max_backoff;
  o.horizon = t.horizon;
  o.poll_interval = t.poll_interval;
  o.max_in_flight = t.max_in_flight;
  o.drain_timeout = t.drain_timeout;
  for (const auto& inst : cfg.instances) {
    if (inst.outbox) o.per_instance.emplace(inst.id, tuning_from(*inst.outbox));
  }
  return o;
}

}  // namespace sb::outbox
