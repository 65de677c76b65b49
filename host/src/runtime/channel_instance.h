// One configured channel instance: a plugin's sb_channel driven on its own strand.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/logger.h>
#include <switchboard/abi.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/status.h"
#include "plugin/loaded_plugin.h"
#include "store/store.h"

namespace sb::runtime {
class ChannelInstance;
}

// The ABI's opaque per-instance context: what the C trampolines get back from the plugin.
struct sb_host_ctx {
  sb::runtime::ChannelInstance* instance;
};

namespace sb::runtime {

enum class InstanceState { kCreated, kStarting, kRunning, kDegraded, kFailed, kStopped };
std::string_view to_string(InstanceState state);  // "created", "starting", ...

// What the host lends every instance. Outlives the instances.
struct HostServices {
  store::Store* store = nullptr;
  std::function<int64_t()> now_ms;  // Unix ms; empty = the system clock (tests inject their own)
  uint32_t default_http_timeout_ms = 30'000;
  size_t max_http_response_bytes = size_t{16} << 20;
  std::chrono::milliseconds webhook_timeout{30'000};  // an HTTP thread never waits longer
  // Called for every newly stored inbound message (never a duplicate) after its commit, on a
  // worker thread off the instance strand, so routing and auto-replies never delay the plugin's
  // acknowledgement to its provider. Must not throw.
  std::function<void(const store::InboundMessage&, const store::InboundResult&)> on_inbound_stored;
  // Called after a delivery report, or a final send failure, was applied to the store (on the
  // calling thread; keep it short). Must not throw.
  std::function<void(const store::DeliveryUpdate&)> on_delivery_applied;
};

struct InstanceSpec {
  std::string id;
  std::shared_ptr<plugin::LoadedPlugin> plugin;
  std::string config_json = "{}";
  std::map<std::string, std::string> secrets;  // name -> resolved value; never logged
};

struct InstanceStats {
  uint64_t inbound_stored = 0, inbound_duplicate = 0, inbound_invalid = 0;
  // Plugin send calls by answer: accepted (each message once: it is not sent again), pending
  // (SB_PENDING), failed (every failed attempt, retried ones included).
  uint64_t sent = 0, send_pending = 0, send_failed = 0;
  // Final outcomes of messages, once each: refused for good without being accepted (a
  // non-retryable answer, or the outbox gave up retrying), and accepted then reported failed by
  // the provider (a `failed` delivery status that became the message's status).
  uint64_t messages_rejected = 0, messages_failed = 0;
  uint64_t delivery_reports = 0, webhooks = 0, webhook_errors = 0;
};

struct SendOutcome {
  enum class Kind { kSent, kPending, kFailed };
  int64_t message_id = 0;
  Kind kind = Kind::kFailed;
  std::string provider_message_id;
  Status error;  // kFailed: the plugin's status and message
  bool retryable = false;
  bool duplicate = false;  // the idempotency key was seen before; the plugin was not called
};

// The channel's answer to can_send (SB_SEND_MODE_* in mode).
struct CanSendAnswer {
  bool allowed = false;
  int32_t mode = 0;
  int64_t expires_at_ms = 0;  // 0 = no known end
  std::string reason;
};

// The channel's own health report: SB_STATE_* and a JSON object of details ("{}" when none).
struct HealthReport {
  int32_t state = 0;
  std::string details_json = "{}";
};

// What the plugin answered one outbox attempt (post_attempt). Nothing of it is in the store yet.
struct SendAttempt {
  enum class Kind { kSent, kPending, kFailed, kNotAttempted };
  Kind kind = Kind::kNotAttempted;  // kNotAttempted: the instance was not running; no plugin call
  int32_t status = 0;               // the plugin's SB_* answer
  std::string provider_message_id, error_message, provider_code;
  int64_t retry_after_ms = 0;
  bool retryable = false;
};
using AttemptHandler = std::function<void(int64_t message_id, SendAttempt attempt)>;

struct WebhookCall {
  std::string method, path, query, headers, body, remote_addr;  // path below /webhooks/<id>
};

struct WebhookReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // from the plugin's Content-Type header, if any
  std::string body;
};

class ChannelInstance : public std::enable_shared_from_this<ChannelInstance> {
 public:
  struct Key;  // construct through make()
  ChannelInstance(const Key&, boost::asio::io_context& io, const HostServices& services,
                  InstanceSpec spec, const sb_host_api* api);
  ~ChannelInstance();
  ChannelInstance(const ChannelInstance&) = delete;
  ChannelInstance& operator=(const ChannelInstance&) = delete;

  static std::shared_ptr<ChannelInstance> make(boost::asio::io_context& io,
                                               const HostServices& services, InstanceSpec spec,
                                               const sb_host_api* api);

  const std::string& id() const { return spec_.id; }
  const plugin::LoadedPlugin& plugin() const { return *spec_.plugin; }
  InstanceState state() const { return state_.load(); }
  // The strand every plugin call of this instance runs on (the outbox dispatcher runs here too).
  boost::asio::strand<boost::asio::io_context::executor_type> strand() const { return strand_; }
  std::string state_reason() const;
  InstanceStats stats() const;
  // The outbox gave up on a message (a final refusal or its retry horizon ran out): counted once
  // as a rejected message.
  void count_rejected_message() { ++counters_.messages_rejected; }

  // Lifecycle; each runs the plugin call on the strand and waits. Call from outside the strand.
  Status create();  // validate_config (when the plugin has it), then create
  Status start();   // running on success, failed (with the plugin's message) otherwise
  void stop();      // idempotent; when it returns no timer or post of this instance will run
  void destroy();   // stops first if needed; idempotent

  // Records the message (queued), calls the plugin's send on the strand, records the outcome.
  Result<SendOutcome> send(const store::OutboundMessage& message);

  // The channel's rules for sending content_type to `to` now; payload_json is the structured
  // content the send would carry (ABI 1.1), empty for none. kFailedPrecondition when the instance
  // is not running or the plugin has no can_send, kInvalidArgument for a payload that is not
  // UTF-8; a plugin error maps as in sinks.h.
  Result<CanSendAnswer> can_send(std::string_view to, std::string_view from,
                                 std::string_view content_type, int64_t last_inbound_at_ms,
                                 std::string_view payload_json = {});
  // A channel-specific control operation; the plugin's JSON answer ("{}" when it wrote none).
  Result<std::string> invoke(std::string_view op, std::string_view json_in);
  // The same call for operations whose answer is bytes (e.g. media_download with format
  // "binary"): up to max_answer bytes, kept verbatim, and the plugin's own status. The Result
  // fails only for the host's reasons: kFailedPrecondition (no invoke slot, not running),
  // kResourceExhausted (answer above max_answer).
  struct RawAnswer {
    int32_t status = 0;  // the plugin's SB_OK / SB_ERR_*
    std::string out;     // what it wrote (the answer on success)
    std::string error;   // its error message on failure, secrets redacted
  };
  Result<RawAnswer> invoke_raw(std::string_view op, std::string_view json_in, size_t max_answer);
  // The plugin's health call; kFailedPrecondition without a live channel or a health slot.
  Result<HealthReport> health();

  // For the outbox dispatcher: calls the plugin's send for a message already in the store, on the
  // strand, and hands the answer to `done` on the strand right after; the store is not written
  // (the dispatcher records the outcome). Never blocks the caller. A kPending attempt finishes
  // later through the handler given to set_attempt_completion.
  void post_attempt(store::MessageRecord message, AttemptHandler done);
  // Where complete_send goes for attempts made by post_attempt. Set before the first attempt.
  void set_attempt_completion(AttemptHandler handler);

  // nullopt when the instance has not registered `call.path`.
  std::optional<WebhookReply> handle_webhook(WebhookCall call);
  std::vector<std::string> webhook_paths() const;

  // --- the host API, reached through the C trampolines in host_api.cc ---
  void api_log(int32_t level, std::string_view message);
  int32_t api_submit_inbound(const sb_inbound_message* const* messages, uint32_t count,
                             int32_t* statuses);
  int32_t api_report_delivery(const sb_delivery_report* report);
  void api_report_state(int32_t state, std::string_view reason);
  uint64_t api_set_timer(uint64_t delay_ms, sb_task_fn fn, void* user_data);
  int32_t api_cancel_timer(uint64_t timer_id);
  int32_t api_post(sb_task_fn fn, void* user_data);
  int32_t api_http_request(const sb_http_request* request, const sb_http_response_sink* response,
                           const sb_error_sink* err);
  int32_t api_register_webhook(std::string_view path);
  int32_t api_kv_get(std::string_view key, const sb_output_sink* out);
  int32_t api_kv_put(std::string_view key, std::string_view value);
  int32_t api_kv_delete(std::string_view key);
  int32_t api_get_secret(std::string_view name, const sb_output_sink* out);
  int64_t api_now_ms();
  int32_t api_complete_send(int64_t message_id, int32_t status, std::string_view provider_id,
                            const sb_error_info* err);

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // Runs f on the strand and waits for its result (inline when already on the strand).
  template <class F>
  auto on_strand(F&& f) -> decltype(f());
  Result<SendOutcome> send_unguarded(const store::OutboundMessage& message);
  SendAttempt attempt_on_strand(const store::MessageRecord& message);
  void set_state(InstanceState state, std::string reason);
  void cancel_all_timers();
  // Records a send's outcome in the store (strand or any thread).
  void record_send_result(int64_t message_id, int32_t status, std::string_view provider_id,
                          std::string_view error_message, std::string_view provider_code,
                          SendOutcome* outcome);

  boost::asio::io_context& io_;
  const HostServices& services_;
  InstanceSpec spec_;
  const sb_host_api* api_;
  Strand strand_;
  sb_host_ctx ctx_{this};
  std::shared_ptr<spdlog::logger> logger_;
  std::vector<std::string> secret_values_;  // for redaction

  sb_channel* channel_ = nullptr;  // strand only
  bool in_setup_ = false;          // strand only: inside create or start (webhooks may register)
  bool stop_done_ = false, destroyed_ = false;  // strand only
  std::atomic<bool> stopping_{false};
  std::atomic<InstanceState> state_{InstanceState::kCreated};

  mutable std::mutex mu_;  // guards everything below
  std::string state_reason_;
  std::set<std::string, std::less<>> webhook_paths_;
  std::map<uint64_t, std::shared_ptr<boost::asio::steady_timer>> timers_;
  uint64_t next_timer_id_ = 1;
  std::set<int64_t> pending_sends_;
  std::set<int64_t> pending_attempts_;  // post_attempt sends awaiting complete_send
  // Outbox sends whose plugin send() has not returned yet, and the answers complete_send ([any
  // thread]) gave for them meanwhile: applied as the send's own result when send() returns.
  std::set<int64_t> sends_in_call_;
  std::map<int64_t, SendAttempt> early_completions_;
  AttemptHandler attempt_completion_;

  struct Counters {
    std::atomic<uint64_t> inbound_stored{0}, inbound_duplicate{0}, inbound_invalid{0}, sent{0},
        send_pending{0}, send_failed{0}, messages_rejected{0}, messages_failed{0},
        delivery_reports{0}, webhooks{0}, webhook_errors{0};
  } counters_;
};

// The one static host API table; every instance's sb_host_ctx routes calls to its instance.
const sb_host_api* host_api_table();

}  // namespace sb::runtime
