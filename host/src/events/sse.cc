#include "events/sse.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <ostream>
#include <string_view>

#include "log/log.h"

namespace sb::events {
namespace {

std::optional<int64_t> parse_event_id(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

// Releases the stream's slot however the stream ends.
class Slot {
 public:
  explicit Slot(std::shared_ptr<std::atomic<int>> active) : active_(std::move(active)) {}
  ~Slot() { active_->fetch_sub(1); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::shared_ptr<std::atomic<int>> active_;
};

}  // namespace

std::string format_sse(const Event& event) {
  std::string out = "id: " + std::to_string(event.id) + "\nevent: " + event.type + "\n";
  std::string_view data = event.data_json;
  while (true) {
    size_t nl = data.find('\n');
    out += "data: ";
    out += data.substr(0, nl);
    out += '\n';
    if (nl == std::string_view::npos) break;
    data.remove_prefix(nl + 1);
  }
  out += '\n';
  return out;
}

EventStream::EventStream(std::shared_ptr<EventLog> log, SseOptions options)
    : log_(std::move(log)), options_(options) {}

http::Response EventStream::handle(const http::Request& request,
                                   std::shared_ptr<EventFilter> filter,
                                   std::shared_ptr<auth::CredentialLease> lease) const {
  // Last-Event-ID (set by EventSource on reconnect) wins over the query parameter.
  std::optional<int64_t> after = 0;
  if (auto header = request.header("Last-Event-ID"); !header.empty()) {
    after = parse_event_id(header);
  } else if (auto q = request.query_param("after")) {
    after = parse_event_id(*q);
  }
  if (!after) {
    return http::json_error(400, "bad_request", "Last-Event-ID / after must be an event id");
  }
  if (active_->fetch_add(1) >= options_.max_streams) {
    active_->fetch_sub(1);
    auto r = http::json_error(503, "unavailable", "too many event streams open");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }
  auto slot = std::make_shared<Slot>(active_);
  http::Response r;
  r.content_type = "text/event-stream";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.stream = [log = log_, options = options_, slot, filter = std::move(filter),
              lease = std::move(lease), cursor = *after](
                 std::ostream& out, const std::function<bool()>& client_gone) mutable {
    try {
      out << "retry: 3000\n\n" << std::flush;
      auto next_heartbeat = std::chrono::steady_clock::now() + options.heartbeat;
      bool pending = true;  // the table may hold events past the cursor
      while (out.good() && !log->closed()) {
        if (client_gone()) return;
        if (lease && !lease->valid()) {
          out << "event: stream.closed\ndata: {\"reason\":\"credential_revoked\"}\n\n"
              << std::flush;
          return;
        }
        if (pending) {
          auto batch = log->after(cursor, options.batch);
          if (!batch) {
            sb::log::logger("events")->error("event stream: {}", batch.status().message());
            return;
          }
          std::vector<bool> shown(batch->size(), true);
          if (filter) {
            auto decided = filter->visible(*batch);
            if (!decided || decided->size() != batch->size()) {
              sb::log::logger("events")->error(
                  "event stream filter: {}",
                  decided ? std::string("wrong size") : decided.status().message());
              return;
            }
            shown = std::move(*decided);
          }
          for (size_t i = 0; i < batch->size(); ++i) {
            if (shown[i]) out << format_sse((*batch)[i]);
            cursor = (*batch)[i].id;  // past skipped events too: they are never looked at again
          }
          out.flush();
          pending = static_cast<int>(batch->size()) == options.batch;  // more to replay
          continue;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_heartbeat) {
          out << ": heartbeat\n\n" << std::flush;
          next_heartbeat = now + options.heartbeat;
        }
        const auto wait = std::min<std::chrono::milliseconds>(
            options.tick,
            std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat - now) +
                std::chrono::milliseconds(1));
        pending = log->wait_after(cursor, wait);
      }
    } catch (const std::exception& e) {
      // The client went away mid-write; nothing to answer.
      sb::log::logger("events")->debug("event stream ended: {}", e.what());
    }
  };
  return r;
}

}  // namespace sb::events
