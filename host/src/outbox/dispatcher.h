// One channel instance's outbox dispatcher. Runs on the instance's strand, so its store writes and
// the plugin's send are serialized with everything else the instance does; one attempt at a time,
// oldest due message first.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>

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
  // Any thread: no attempt is started after this returns (the timer is cancelled on the strand;
  // an attempt already posted finds the flag and puts its row back to queued untouched).
  void stop();

 private:
  void pump();                                                                 // strand
  void arm(std::chrono::milliseconds delay);                                   // strand
  void on_attempt(const store::OutboxRow& row, runtime::SendAttempt attempt);  // strand
  void on_completion(int64_t message_id, runtime::SendAttempt attempt);        // any thread
  // Decides what the attempt means for the row and records it.
  void record(int64_t message_id, const runtime::SendAttempt& attempt);
  int64_t now_ms() const;
  double random01();

  store::OutboxStore& rows_;
  std::shared_ptr<runtime::ChannelInstance> instance_;
  OutboxOptions options_;
  boost::asio::steady_timer timer_;
  std::mt19937_64 prng_;  // strand only
  bool busy_ = false;     // strand only: an attempt is posted and not yet answered
  std::atomic<bool> stopped_{false};
};

}  // namespace sb::outbox
