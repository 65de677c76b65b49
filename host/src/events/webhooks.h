// Outbound webhooks: every event a subscription wants becomes a durable delivery row (written with
// the event, see EventLog::append); a dispatcher thread POSTs due rows as JSON with
//   X-Switchboard-Event, X-Switchboard-Delivery (stable across retries),
//   X-Switchboard-Timestamp (Unix seconds) and
//   X-Switchboard-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)),
// retrying 5xx, 408, 429, timeouts and connection errors with exponential backoff until
// max_attempts; other answers are final. Rows survive restarts (at-least-once delivery).
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "events/event_log.h"

namespace sb::events {

struct Webhook {
  std::string url;                  // http://host:port/path
  std::string secret;               // resolved; never logged
  std::vector<std::string> events;  // empty = every type
  // Per-URL overrides of WebhookOptions (a bot queue's timeout_ms/max_attempts); 0 = the default.
  std::chrono::milliseconds timeout{0};
  int max_attempts = 0;
};

// The config's "webhooks" array (compact JSON): [{"url","secret":"env:X","events":[...]}].
// Secrets are resolved with config::resolve_secret; errors name the field.
Result<std::vector<Webhook>> parse_webhooks(std::string_view json_array);

std::vector<Subscription> subscriptions(const std::vector<Webhook>& hooks);

// "sha256=" + lowercase hex HMAC-SHA256(secret, timestamp + "." + body).
std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body);

struct WebhookOptions {
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds base_backoff{1'000};  // attempt n waits base * 2^(n-1), capped
  std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
  int max_attempts = 12;
  std::chrono::milliseconds poll{250};
  int batch = 32;
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(std::shared_ptr<EventLog> log, std::vector<Webhook> hooks,
                    WebhookOptions options = {});
  ~WebhookDispatcher();  // stops
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void start();
  // Finishes the attempt in flight, then returns. Idempotent.
  void stop();
  // Attempts every due delivery once; how many were attempted. For tests and the thread.
  Result<int> run_once();

 private:
  struct Due {
    int64_t row = 0, event_id = 0, attempts = 0;
    std::string delivery_id, url, type, body;
  };
  Result<std::vector<Due>> due(int64_t now_ms);
  void attempt(const Due& d);

  std::shared_ptr<EventLog> log_;
  std::vector<Webhook> hooks_;
  WebhookOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sb::events
