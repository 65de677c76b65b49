// GET /v1/events as Server-Sent Events: replay from the event log after Last-Event-ID (or
// ?after=ID, for clients that cannot set headers), then live events as they are appended, with a
// heartbeat comment while idle. A connection holds at most one batch of events in memory; a slow
// client only slows its own reads of the table.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "events/event_log.h"
#include "http/router.h"

namespace sb::events {

struct SseOptions {
  std::chrono::milliseconds heartbeat{15'000};
  int batch = 256;      // events read from the table and written per flush
  int max_streams = 4;  // each stream holds one HTTP server thread; 503 above
};

// Decides which events one stream shows (an agent's: events/agent_filter.h). Owned by that
// stream and called from its thread only, once per batch read from the log.
class EventFilter {
 public:
  virtual ~EventFilter() = default;
  // One flag per event of `batch`; an error ends the stream.
  virtual Result<std::vector<bool>> visible(const std::vector<Event>& batch) = 0;
};

class EventStream {
 public:
  EventStream(std::shared_ptr<EventLog> log, SseOptions options = {});
  // The streaming response (or a 400/503 JSON error). Authorization is the caller's job; with a
  // filter only the events it lets through are written. The resume point is an event id either
  // way: ids the filter skipped are valid Last-Event-IDs too.
  http::Response handle(const http::Request& request,
                        std::shared_ptr<EventFilter> filter = nullptr) const;
  int active() const { return active_->load(); }

 private:
  std::shared_ptr<EventLog> log_;
  SseOptions options_;
  std::shared_ptr<std::atomic<int>> active_ = std::make_shared<std::atomic<int>>(0);
};

// "id: 7\nevent: message.created\ndata: {...}\n\n" (one data: line per line of the JSON).
std::string format_sse(const Event& event);

}  // namespace sb::events
