// The SMPP client of one channel instance: its binds (transceivers, or transmitter + receiver
// pairs) on a thread of its own with POSIX sockets and poll. It keeps each bind alive
// (enquire_link, reconnect with backoff and jitter, re-bind after an unbind), spreads submits over
// the bound transmitters within a window per bind and a rate per bind, slows down on
// ESME_RTHROTTLED / ESME_RMSGQFUL, and hands outcomes and incoming PDUs to a Sink on its thread.
#pragma once

#include "pdu.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sms {

struct SessionConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 2775;
  std::string system_id, password, system_type;
  bool transceiver = true;  // false: one transmitter + one receiver per bind
  int binds = 1;
  int window = 10;
  double rate_per_bind = 0;  // submit_sm per second per bind; 0 = unlimited
  int64_t response_timeout_ms = 60'000;
  int64_t bind_timeout_ms = 30'000;
  int64_t enquire_interval_ms = 30'000;
  int64_t enquire_timeout_ms = 10'000;
  int64_t reconnect_min_ms = 1'000;
  int64_t reconnect_max_ms = 60'000;
  int64_t auth_retry_ms = 300'000;  // after ESME_RINVPASWD / ESME_RINVSYSID
  int64_t throttle_pause_ms = 1'000;
  int64_t queue_full_pause_ms = 30'000;
  uint32_t max_pdu_size = kDefaultMaxPduSize;
};

// One message to submit: the submit_sm bodies of its parts, sent in order (the first alone, the
// rest once the first was accepted).
struct SubmitJob {
  int64_t message_id = 0;
  std::vector<std::string> bodies;
};

// How a message ended on the SMPP side.
struct SubmitOutcome {
  enum class Kind {
    kAccepted,     // every part accepted; part_ids in order
    kRateLimited,  // the first part was throttled: nothing accepted, retry after retry_after_ms
    kTransient,    // nothing accepted (not bound, SMSC busy): retry
    kRejected,     // a permanent status: never retry
    kUnknown       // written but unanswered when the session dropped or timed out
  };
  Kind kind = Kind::kAccepted;
  std::vector<std::string> part_ids;
  uint32_t smpp_status = 0;
  int64_t retry_after_ms = 0;
  std::string detail;
};

// What the client reports, always on its own thread.
class SessionSink {
 public:
  virtual ~SessionSink() = default;
  virtual void on_outcome(int64_t message_id, const SubmitOutcome& outcome) = 0;
  // A deliver_sm or data_sm (MO or receipt); the answer is the response's command_status.
  virtual uint32_t on_deliver(const ShortMessage& sm, uint32_t command_id) = 0;
  // The instance's state changed: SB_STATE_* with a reason for operators.
  virtual void on_state(int32_t state, const std::string& reason) = 0;
  virtual void on_log(int32_t level, const std::string& message) = 0;
  // Called about every 100 ms (timeouts of the sink's own, e.g. MO reassembly).
  virtual void on_tick() = 0;
};

struct SessionStats {
  int links = 0, bound = 0, outstanding = 0, queued = 0;
  uint64_t submitted = 0, accepted = 0, throttled = 0, rejected = 0, unknown = 0;
  uint64_t delivered_pdus = 0, reconnects = 0, generic_nacks = 0;
  std::string last_error;
};

class Session {
 public:
  Session(SessionConfig config, SessionSink& sink);
  ~Session();  // stop()
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();
  // Unbinds politely (up to about a second), closes every link and joins the thread. No sink call
  // happens after it returns.
  void stop();
  // Queues a message; the outcome comes through the sink. false (nothing queued) when no
  // transmitter is bound.
  bool submit(SubmitJob job);
  bool can_transmit() const { return bound_tx_.load() > 0; }
  SessionStats stats() const;

 private:
  struct Link;
  struct Job;
  struct Part {
    std::shared_ptr<Job> job;
    std::size_t index = 0;
  };
  void run();
  void poll_once();
  void connect(Link& l, int64_t now);
  void on_readable(Link& l, int64_t now);
  void on_pdu(Link& l, Pdu& pdu, int64_t now);
  void on_submit_resp(Link& l, Part part, const Pdu& pdu, int64_t now);
  void on_bind_resp(Link& l, const Pdu& pdu, int64_t now);
  void drop(Link& l, const std::string& why, int64_t now, int64_t retry_in_ms = -1);
  void timers(Link& l, int64_t now);
  void dispatch(int64_t now);
  void finish(const std::shared_ptr<Job>& job, SubmitOutcome outcome);
  void flush(Link& l);
  void send_pdu(Link& l, const std::string& bytes);
  uint32_t next_seq(Link& l);
  void update_state();
  void fail_unbound_jobs();
  void log(int32_t level, const std::string& m) { sink_.on_log(level, m); }

  SessionConfig config_;
  SessionSink& sink_;
  std::vector<std::unique_ptr<Link>> links_;
  std::deque<Part> ready_;  // parts waiting for a window slot (I/O thread only)
  std::thread thread_;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<int> bound_tx_{0};
  std::size_t rr_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};
  int32_t reported_state_ = 0;
  std::string reported_reason_;

  mutable std::mutex mu_;  // guards incoming_ and stats_
  std::vector<SubmitJob> incoming_;
  SessionStats stats_;
};

}  // namespace sms
