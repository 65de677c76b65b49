// The append-only event log (schema v7): message.created, message.status, conversation.created,
// conversation.assigned, conversation.status, conversation.read, conversation.handover and
// bot.message. Appends are committed together with the webhook deliveries they cause; readers (SSE
// streams) wait on the log for ids above theirs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/sqlite_db.h"

namespace sb::events {

struct Event {
  int64_t id = 0;
  std::string type;
  int64_t created_at_ms = 0;
  std::string data_json;
};

// Which event types a webhook URL receives (empty = all but the bot.* events, which go only to
// their bot).
struct Subscription {
  std::string url;
  std::vector<std::string> types;
  bool wants(std::string_view type) const;
};

// One connection of its own to the store's database file (WAL), serialized by a mutex.
class EventLog {
 public:
  // The file must already be at schema v7 (open the store first).
  static Result<std::unique_ptr<EventLog>> open(const std::filesystem::path& db_file,
                                                std::vector<Subscription> subscriptions = {},
                                                std::function<int64_t()> now_ms = {});
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends one event (data_json must be a JSON object) and, in the same transaction, a pending
  // delivery for every subscription that wants it and one to each URL of `also_to` (a bot queue's
  // bot, which subscribes to nothing but gets its conversations' events). Wakes every waiting
  // reader.
  Result<int64_t> append(std::string_view type, std::string_view data_json,
                         std::span<const std::string> also_to = {});
  // Like append, but a failure is only logged: for publishers whose own change already committed.
  void publish(std::string_view type, std::string_view data_json,
               std::span<const std::string> also_to = {});

  // Events with id > after_id, oldest first, at most `limit`.
  Result<std::vector<Event>> after(int64_t after_id, int limit);
  Result<std::optional<Event>> get(int64_t id);
  int64_t last_id();

  // Blocks until an event with id > after_id exists, close() is called or the timeout passes.
  // True when there is something to read.
  bool wait_after(int64_t after_id, std::chrono::milliseconds timeout);
  // Wakes every waiter for good (shutdown); appends still work.
  void close();
  bool closed();

  store::sqlite::Db& db() { return db_; }  // for the webhook dispatcher, under lock()
  std::unique_lock<std::mutex> lock() { return std::unique_lock(mu_); }
  int64_t now_ms() const;

 private:
  EventLog() = default;
  Result<std::optional<Event>> get_locked(int64_t id);

  std::mutex mu_;
  std::condition_variable changed_;
  store::sqlite::Db db_;
  std::vector<Subscription> subscriptions_;
  std::function<int64_t()> now_ms_;
  int64_t last_id_ = 0;
  bool closed_ = false;
};

}  // namespace sb::events
