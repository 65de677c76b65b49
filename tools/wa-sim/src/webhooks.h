// Webhook dispatcher: signs and POSTs `whatsapp_business_account` payloads to loopback callback
// URLs, retrying with exponential backoff on the simulated clock, and optionally duplicating,
// shuffling and batching deliveries the way Meta's delivery can (docs/whatsapp-cloud-api.md §4.2,
// §4.7).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "clock.h"
#include "ids.h"
#include "json.h"

namespace wasim {

struct WebhookConfig {
  std::string app_secret;
  double duplicate_probability = 0.0;
  bool shuffle = false;
  int64_t shuffle_window_ms = 500;  // extra random delay per update when shuffling
  int batch_max = 1;                // updates per POST (Meta: up to 1000)
  int64_t batch_window_ms = 0;      // hold fresh updates this long to gather a batch
  bool meta_escaping = false;       // \uXXXX for non-ASCII and \/ in bodies
  int64_t retry_base_ms = 1000;
  int64_t retry_horizon_ms = 7LL * 24 * 3600 * 1000;  // 7 days on the simulated clock
  int64_t timeout_ms = 5000;
  int workers = 4;
};

// One change inside an entry: `field` + `value`, addressed to a WABA.
struct Update {
  std::string url;  // empty: nobody to deliver to (recorded as dropped)
  std::string waba_id;
  std::string field;
  Obj value;
  bool with_time = false;  // account-level fields carry an integer entry[].time
};

// Only plain http to 127.0.0.1 is allowed: the simulator must never reach the network.
bool isLoopbackUrl(const std::string& url);

// HMAC-SHA256 over the exact bytes, lowercase hex.
std::string hmacSha256Hex(const std::string& key, const std::string& data);

// GET handshake (§4.1): true only if the receiver answers 200 with the challenge as body.
bool verifyCallback(const std::string& url, const std::string& verify_token,
                    const std::string& challenge, int64_t timeout_ms);

class Dispatcher {
 public:
  Dispatcher(const SimClock& clock, Ids& ids) : clock_(clock), ids_(ids) {}
  ~Dispatcher() { stop(); }
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void start();
  void stop();
  void configure(const WebhookConfig& cfg);
  WebhookConfig config();
  void enqueue(Update u, int64_t due_ms);
  void clear();  // pending jobs and the log
  Arr log();     // every attempt, oldest first
  void poke() { cv_.notify_all(); }

 private:
  struct Job {
    std::vector<Update> updates;
    std::string url;
    std::optional<std::string> body;  // sealed on first attempt; retries resend the same bytes
    std::string signature;
    int64_t due_ms = 0;
    int64_t first_attempt_ms = 0;
    int attempts = 0;
    bool duplicate = false;
  };
  void work();
  std::optional<Job> takeDue(std::unique_lock<std::mutex>& lock);
  void seal(Job& job);
  void finish(Job job, int http_status, const std::string& error, int64_t latency_ms);

  const SimClock& clock_;
  Ids& ids_;
  std::mutex mu_;
  std::condition_variable cv_;
  WebhookConfig cfg_;
  std::deque<Job> jobs_;
  Arr log_ = newArr();
  uint64_t seq_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wasim
