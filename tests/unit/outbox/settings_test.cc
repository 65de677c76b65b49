// The config file's "outbox" section as OutboxOptions: global settings and per-instance overrides.
#include "outbox/settings.h"

#include <gtest/gtest.h>

namespace {

using std::chrono::milliseconds;

TEST(OutboxSettings, ConfigBecomesOptionsWithPerInstanceOverrides) {
  auto cfg = sb::config::parse_config(R"({
    "data_dir": "/var/lib/sb",
    "outbox": {"base_backoff_ms": 250, "max_backoff_ms": 60000, "horizon_s": 3600,
               "poll_interval_ms": 200, "max_in_flight": 64, "drain_timeout_ms": 5000},
    "instances": [
      {"id": "wa", "plugin": "whatsapp", "outbox": {"max_in_flight": 4}},
      {"id": "lb", "plugin": "loopback"}
    ]
  })",
                                      "/etc/sb");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  const sb::outbox::OutboxOptions o = sb::outbox::options_from_config(*cfg);
  EXPECT_EQ(o.base_backoff, milliseconds(250));
  EXPECT_EQ(o.max_backoff, milliseconds(60'000));
  EXPECT_EQ(o.horizon, milliseconds(3'600'000));
  EXPECT_EQ(o.poll_interval, milliseconds(200));
  EXPECT_EQ(o.max_in_flight, 64);
  EXPECT_EQ(o.drain_timeout, milliseconds(5000));
  ASSERT_EQ(o.per_instance.size(), 1u);

  // "wa" keeps the global settings except the key it names; "lb" has none of its own.
  const sb::outbox::OutboxOptions wa = sb::outbox::options_for(o, "wa");
  EXPECT_EQ(wa.max_in_flight, 4);
  EXPECT_EQ(wa.base_backoff, milliseconds(250));
  EXPECT_EQ(wa.horizon, milliseconds(3'600'000));
  EXPECT_TRUE(wa.per_instance.empty());
  const sb::outbox::OutboxOptions lb = sb::outbox::options_for(o, "lb");
  EXPECT_EQ(lb.max_in_flight, 64);
}

TEST(OutboxSettings, DefaultsMatchTheOutboxDefaults) {
  auto cfg = sb::config::parse_config(R"({"data_dir": "/var/lib/sb"})", "/etc/sb");
  ASSERT_TRUE(cfg.is_ok());
  const sb::outbox::OutboxOptions from_config = sb::outbox::options_from_config(*cfg);
  const sb::outbox::OutboxOptions defaults;
  EXPECT_EQ(from_config.base_backoff, defaults.base_backoff);
  EXPECT_EQ(from_config.max_backoff, defaults.max_backoff);
  EXPECT_EQ(from_config.horizon, defaults.horizon);
  EXPECT_EQ(from_config.poll_interval, defaults.poll_interval);
  EXPECT_EQ(from_config.max_in_flight, defaults.max_in_flight);
  EXPECT_EQ(from_config.drain_timeout, defaults.drain_timeout);
  EXPECT_TRUE(from_config.per_instance.empty());
}

}  // namespace
