// GET /v1/events as Server-Sent Events: replay from the event log after Last-Event-ID (or
// ?after=ID, for clients that cannot set headers), then live events as they are appended, with a
// heartbeat comment while idle. A connection holds at most one batch of events in memory; a slow
// client only slows its own reads of the table.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "events/event_log.h"
#include "http/router.h"

namespace sb::events {

struct SseOptions {
  std::chrono::milliseconds heartbeat{15'000};
  int batch = 256;      // events read from the table and written per flush
  int max_streams = 4;  // each stream holds one HTTP server thread; 503 above
};

class EventStream {
 public:
  EventStream(std::shared_ptr<EventLog> log, SseOptions options = {});
  // The streaming response (or a 400/503 JSON error). Authorization is the caller's job.
  http::Response handle(const http::Request& request) const;
  int active() const { return active_->load(); }

 private:
  std::shared_ptr<EventLog> log_;
  SseOptions options_;
  std::shared_ptr<std::atomic<int>> active_ = std::make_shared<std::atomic<int>>(0);
};

// "id: 7\nevent: message.created\ndata: {...}\n\n" (one data: line per line of the JSON).
std::string format_sse(const Event& event);

}  // namespace sb::events
