// The daemon's configuration file: JSON with comments (.jsonc), strictly validated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "log/log.h"

namespace sb::config {

// Where a secret lives: "env:NAME", "file:/path" (relative paths resolved at load) or, discouraged
// and warned about at load, "literal:value".
struct SecretRef {
  std::string source;
};

// The durable outbox's dispatch and retry settings ("outbox" at the top level, and per instance to
// override some of them). Mirrors outbox::OutboxOptions without depending on it.
struct OutboxConfig {
  int64_t base_backoff_ms = 1'000;    // first retry delay's ceiling (full jitter below it)
  int64_t max_backoff_ms = 300'000;   // the ceiling stops doubling here
  int64_t horizon_s = 24 * 3600;      // a message still failing this long after enqueue fails
  int64_t poll_interval_ms = 1'000;   // longest sleep while rows are queued
  int max_in_flight = 32;             // attempts in flight per instance (pending sends included)
  int64_t drain_timeout_ms = 10'000;  // how long stop waits for in-flight sends to finish
};

struct InstanceConfig {
  std::string id;  // [a-z0-9][a-z0-9_-]{0,62}
  std::string plugin;
  bool enabled = true;
  std::string config_json = "{}";  // the instance's "config" object, passed verbatim to the plugin
  std::map<std::string, SecretRef> secrets;
  // The global "outbox" settings with this instance's "outbox" keys applied; nullopt when the
  // instance has no "outbox" object (the global settings apply as they are).
  std::optional<OutboxConfig> outbox;
};

struct HttpConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  size_t max_body_bytes = 1 << 20;
  size_t max_webhook_body_bytes = 4 << 20;  // /webhooks/...: providers send up to 3 MB
  int threads = 8;
  int max_event_streams = 500;  // concurrent GET /v1/events, each on a thread of its own
};

// The unified core's rules for inbound messages.
struct CoreConfig {
  // ISO 3166 region for phone numbers written without a country code ("030 1234567"); empty = none,
  // and such numbers are kept as channel-specific identities instead of being guessed.
  std::string default_region;
  // A customer message re-opens the latest conversation if it was resolved at most this long ago,
  // else it opens a new one.
  int64_t reopen_horizon_hours = 24 * 7;
};

// Switches for black-box tests only. Never set in production: serve logs a warning for each and
// refuses them unless the HTTP server listens on a loopback address.
struct TestingConfig {
  // The host clock becomes movable through POST /v1/admin/clock (admin tokens only).
  bool controllable_clock = false;
};

// Attachments downloaded from providers, kept under <data_dir>/media.
struct MediaConfig {
  int64_t cache_max_mb = 1024;  // 0 = keep nothing: every download asks the provider
};

struct Config {
  std::filesystem::path data_dir;  // required
  HttpConfig http;
  std::vector<std::filesystem::path> plugin_dirs;
  std::vector<InstanceConfig> instances;
  sb::log::LogOptions log;
  int worker_threads = 2;
  CoreConfig core;
  TestingConfig testing;
  MediaConfig media;
  OutboxConfig outbox;
  // The "routing" object verbatim (compact JSON), validated by routing::parse_routing_config;
  // empty when absent.
  std::string routing_json;
  // The "webhooks" array verbatim (compact JSON), validated by events::parse_webhooks; empty when
  // absent.
  std::string webhooks_json;
  // The "costs" object verbatim (compact JSON), validated by costs::parse_costs_config; empty when
  // absent.
  std::string costs_json;
  std::filesystem::path source;       // the file it was loaded from (empty for parse_config)
  std::vector<std::string> warnings;  // non-fatal findings, e.g. literal secrets; log them
};

// Reads and validates a config file. Relative paths resolve against the file's directory.
sb::Result<Config> load_config(const std::filesystem::path& file);

// Same, from text; relative paths resolve against base_dir.
sb::Result<Config> parse_config(std::string_view text, const std::filesystem::path& base_dir);

// Reads the secret's value. Error messages name the reference, never the value.
sb::Result<std::string> resolve_secret(const SecretRef& ref);

// True when id matches [a-z0-9][a-z0-9_-]{0,62}.
bool is_valid_instance_id(std::string_view id);

}  // namespace sb::config
