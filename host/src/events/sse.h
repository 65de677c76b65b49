// GET /v1/events as Server-Sent Events: replay from the event log after Last-Event-ID (or
// ?after=ID, for clients that cannot set headers), then live events as they are appended, with a
// heartbeat comment while idle. A connection holds at most one batch of events in memory; a slow
// client only slows its own reads of the table. A client that hangs up frees its slot within a
// tick; a revoked credential ends its streams within a tick (in process) or about a second.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "auth/credential_watch.h"
#include "events/event_log.h"
#include "http/router.h"

namespace sb::events {

struct SseOptions {
  std::chrono::milliseconds heartbeat{15'000};
  int batch = 256;  // events read from the table and written per flush
  int max_streams =
      500;  // each stream holds one HTTP server thread; 503 above (http.max_event_streams)
  // While idle a stream wakes this often to notice a client that hung up (its slot is freed at
  // once) and a credential that was revoked (the lease's own recheck runs about once a second).
  std::chrono::milliseconds tick{250};
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
  // way: ids the filter skipped are valid Last-Event-IDs too. With a lease, the stream ends within
  // a tick of the credential being revoked (after an `event: stream.closed` naming the reason).
  http::Response handle(const http::Request& request, std::shared_ptr<EventFilter> filter = nullptr,
                        std::shared_ptr<auth::CredentialLease> lease = nullptr) const;
  int active() const { return active_->load(); }
  int max_streams() const { return options_.max_streams; }

 private:
  std::shared_ptr<EventLog> log_;
  SseOptions options_;
  std::shared_ptr<std::atomic<int>> active_ = std::make_shared<std::atomic<int>>(0);
};

// "id: 7\nevent: message.created\ndata: {...}\n\n" (one data: line per line of the JSON).
std::string format_sse(const Event& event);

}  // namespace sb::events
