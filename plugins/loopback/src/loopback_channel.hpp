// The loopback channel: a provider double for end-to-end tests of the host. Tests inject inbound
// messages, program send failures and the send window, push delivery statuses, and read back every
// send the host made, over webhook routes (or invoke). Provider ids are "lb-<n>" with n from a
// counter kept in the host's key-value store, so ids stay unique across restarts.
#pragma once

#include "config.hpp"
#include "faults.hpp"
#include "input.hpp"
#include "journal.hpp"
#include "sent_log.hpp"
#include "window.hpp"

#include <switchboard/sdk.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace loopback {

namespace sw = switchboard;

inline constexpr std::string_view kCounterKey = "next_seq";
inline constexpr std::size_t kMaxRequestBody = 1 << 20;

// A control request's answer, the same for a webhook and for invoke.
struct Reply {
  int32_t http = 200;
  std::string body;   // JSON
  std::string error;  // for http != 200: the message, "field: problem" for bad input
};

class LoopbackChannel : public sw::Channel {
 public:
  LoopbackChannel(sw::Host host, std::string_view instance_id, std::string_view config_json);

  static std::string config_schema() { return config_schema_json(); }
  static sw::Status validate_config(std::string_view json);

  sw::Status start() override;
  void stop() override;
  sw::SendResult send(const sw::OutboundMessage& message) override;
  sw::Status handle_webhook(const sw::WebhookRequest& request,
                            sw::WebhookResponse& response) override;
  sw::CanSendAnswer can_send(const sw::CanSendQuery& query) override;
  sw::Result<std::string> invoke(std::string_view op, std::string_view json_in) override;
  sw::Health health() override;

 private:
  struct Counters {
    uint64_t sends = 0, accepted = 0, failed = 0, pending = 0;
    uint64_t inbound_stored = 0, inbound_duplicate = 0, inbound_refused = 0;
    uint64_t reports = 0, reports_refused = 0;
  };

  // send() parts (loopback_channel.cpp).
  sw::Result<uint64_t> next_seq();
  sw::SendResult fail_send(SentRecord record, const std::string& outcome, sw::Error error);
  bool record_send(SentRecord record);  // the journal, then the in-memory log
  sw::SendResult accept(SentRecord record);
  sw::SendResult start_pending(SentRecord record, const Fault& fault);
  void complete_pending(uint64_t seq, int64_t message_id, const Fault& fault);
  void schedule_delivery(int64_t message_id, const std::string& provider_id);
  void report(int32_t status, int64_t message_id, const std::string& provider_id);
  uint64_t arm(std::chrono::milliseconds delay, std::function<void()> task);

  // Control requests (control.cpp); `doc` is the parsed body, `query` the raw query string.
  Reply on_inbound(const json::Value& doc);
  Reply on_sent(uint64_t since) const;
  Reply on_faults(const json::Value& doc);
  Reply on_list_faults() const;
  Reply on_clear_faults();
  Reply on_status(const json::Value& doc);
  Reply on_window(const json::Value& doc);
  Reply on_clear_window();
  Reply on_reset();
  json::Value stats() const;

  std::string instance_id_;
  sw::Result<Config> config_;
  bool running_ = false;
  uint64_t next_seq_ = 1;
  Counters counters_;
  SentLog sent_;
  Journal journal_;
  FaultQueue faults_;
  Windows windows_;
  uint64_t next_task_key_ = 1;
  std::map<uint64_t, sw::Host::TimerId> timers_;  // armed timers by task key, cancelled in stop
};

}  // namespace loopback
