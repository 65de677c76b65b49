// One channel instance's outbox dispatcher. Runs on the instance's strand, so its store writes and
// the plugin's send are serialized with everything else the instance does. One plugin call at a
// time (a crash leaves at most one row `sending`), but a send the plugin answers SB_PENDING stays
// in flight while the next starts: up to max_in_flight at once, never two to the same recipient or
// conversation, each recipient's messages in enqueue order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "outbox/outbox.h"
#include "runtime/channel_instance.h"
#include "store/outbox_store.h"

namespace sb::outbox {

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  Dispatcher(store::OutboxStore& rows, std::shared_ptr<runtime::ChannelInstance> instance,
             const OutboxOptions& options);

  // Installs the completion handler for pending sends and looks for due rows.
  void start();
  // Any thread: look for due rows now.
  void kick();
  // Any thread: like kick, and forget the due rows read earlier (a row older than them is queued
  // again, so they may no longer be the heads of their recipients).
  void refresh();
  // Any thread: no attempt is started after this returns (the timer is cancelled on the strand;
  // an attempt already posted finds the flag and puts its row back to queued untouched).
  void stop();
  // Any thread, after stop: waits until every attempt in flight has its outcome recorded, or until
  // `deadline`. True when none is left.
  bool drain(std::chrono::steady_clock::time_point deadline);
  // Attempts claimed and not finished (the plugin call, and sends it answered SB_PENDING).
  size_t in_flight() const;
  // The most attempts that were ever in flight at once (for metrics and tests).
  size_t peak_in_flight() const;

 private:
  void pump();                                                                 // strand
  void arm(std::chrono::milliseconds delay);                                   // strand
  void on_attempt(const store::OutboxRow& row, runtime::SendAttempt attempt);  // strand
  void on_completion(int64_t message_id, runtime::SendAttempt attempt);        // any thread
  void finish(int64_t message_id);  // the attempt is over: out of the window
  // Decides what the attempt means for the row and records it.
  void record(int64_t message_id, const runtime::SendAttempt& attempt);
  int64_t now_ms() const;
  double random01();

  store::OutboxStore& rows_;
  std::shared_ptr<runtime::ChannelInstance> instance_;
  OutboxOptions options_;
  boost::asio::steady_timer timer_;
  std::mutex prng_mu_;  // record() runs on the strand and on completing threads
  std::mt19937_64 prng_;
  // Due heads read in one query and attempted one by one (strand only): reading the heads costs a
  // pass over the backlog, so it is not paid per message. Rows that changed meanwhile fail their
  // claim and are skipped; refresh() drops the batch when an older row came back (retry_now).
  std::deque<store::OutboxRow> ready_;
  std::atomic<bool> refresh_{false};
  // Sender identities (message `from`) pausing after a short RATE_LIMITED answer, until Unix ms.
  std::map<std::string, int64_t, std::less<>> held_;  // strand only
  bool busy_ = false;  // strand only: an attempt is posted and not yet answered
  std::atomic<bool> stopped_{false};

  mutable std::mutex mu_;  // guards active_ and peak_
  // Claimed attempts not finished yet -> whether the plugin's SB_PENDING answer was recorded.
  // A completion can overtake the strand's handling of that answer (complete_send from a plugin
  // thread): it removes the entry, and the late answer is then not recorded over the outcome.
  std::map<int64_t, bool> active_;
  size_t peak_ = 0;
  std::condition_variable drained_;
};

}  // namespace sb::outbox
