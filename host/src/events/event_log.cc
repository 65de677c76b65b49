#include "events/event_log.h"

#include <algorithm>

#include <Poco/UUIDGenerator.h>

#include "log/log.h"

namespace sb::events {

namespace sqlite = store::sqlite;

#define SB_EVENTS_TRY(expr)            \
  do {                                 \
    if (sb::Status s_ = (expr); !s_) { \
      return s_;                       \
    }                                  \
  } while (0)

bool Subscription::wants(std::string_view type) const {
  // bot.* events carry customer text for one bot queue's bot: only its URL gets them (also_to).
  if (type.starts_with("bot.")) return false;
  return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
}

Result<std::unique_ptr<EventLog>> EventLog::open(const std::filesystem::path& db_file,
                                                 std::vector<Subscription> subscriptions,
                                                 std::function<int64_t()> now_ms) {
  std::unique_ptr<EventLog> log(new EventLog());
  SB_EVENTS_TRY(log->db_.open(db_file.string()));
  // Shares the file with the store's writer: wait for its lock instead of failing.
  SB_EVENTS_TRY(log->db_.exec("PRAGMA busy_timeout = 5000;"));
  log->subscriptions_ = std::move(subscriptions);
  log->now_ms_ = std::move(now_ms);
  auto q = log->db_.prepare("SELECT COALESCE(MAX(id), 0) FROM events");
  if (!q) return q.status();
  if (int rc = (*q)->step(); rc != SQLITE_ROW) return log->db_.error("events: last id", rc);
  log->last_id_ = (*q)->int64(0);
  return log;
}

int64_t EventLog::now_ms() const {
  if (now_ms_) return now_ms_();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<int64_t> EventLog::append(std::string_view type, std::string_view data_json,
                                 std::span<const std::string> also_to) {
  std::lock_guard lock(mu_);
  const int64_t now = now_ms();
  sqlite::Transaction tx(db_);
  SB_EVENTS_TRY(tx.begin());
  auto ins = db_.prepare("INSERT INTO events (type, created_at_ms, data_json) VALUES (?, ?, ?)");
  if (!ins) return ins.status();
  (*ins)->bind(1, type).bind(2, now).bind(3, data_json);
  if (int rc = (*ins)->step(); rc != SQLITE_DONE) return db_.error("insert event", rc);
  const int64_t id = sqlite3_last_insert_rowid(db_.handle());
  std::vector<std::string_view> urls;
  for (const auto& sub : subscriptions_) {
    if (sub.wants(type)) urls.push_back(sub.url);
  }
  for (const auto& url : also_to) {
    if (std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(url);
  }
  for (std::string_view url : urls) {
    auto d = db_.prepare(
        "INSERT INTO webhook_deliveries (delivery_id, event_id, url, next_attempt_ms, "
        "updated_at_ms) VALUES (?, ?, ?, ?, ?)");
    if (!d) return d.status();
    const std::string delivery_id =
        Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    (*d)->bind(1, delivery_id).bind(2, id).bind(3, url).bind(4, now).bind(5, now);
    if (int rc = (*d)->step(); rc != SQLITE_DONE) return db_.error("insert delivery", rc);
  }
  SB_EVENTS_TRY(tx.commit());
  last_id_ = std::max(last_id_, id);
  changed_.notify_all();
  return id;
}

void EventLog::publish(std::string_view type, std::string_view data_json,
                       std::span<const std::string> also_to) {
  if (auto r = append(type, data_json, also_to); !r) {
    sb::log::logger("events")->error("event {} not recorded: {}", type, r.status().message());
  }
}

Result<std::vector<Event>> EventLog::after(int64_t after_id, int limit) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id, type, created_at_ms, data_json FROM events WHERE id > ? ORDER BY id LIMIT ?");
  if (!q) return q.status();
  (*q)->bind(1, after_id).bind(2, static_cast<int64_t>(limit));
  std::vector<Event> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    out.push_back(Event{(*q)->int64(0), (*q)->text(1), (*q)->int64(2), (*q)->text(3)});
  }
  if (rc != SQLITE_DONE) return db_.error("read events", rc);
  return out;
}

Result<std::optional<Event>> EventLog::get(int64_t id) {
  std::lock_guard lock(mu_);
  return get_locked(id);
}

Result<std::optional<Event>> EventLog::get_locked(int64_t id) {
  auto q = db_.prepare("SELECT id, type, created_at_ms, data_json FROM events WHERE id = ?");
  if (!q) return q.status();
  (*q)->bind(1, id);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<Event>();
  if (rc != SQLITE_ROW) return db_.error("read event", rc);
  return std::optional<Event>(Event{(*q)->int64(0), (*q)->text(1), (*q)->int64(2), (*q)->text(3)});
}

int64_t EventLog::last_id() {
  std::lock_guard lock(mu_);
  return last_id_;
}

bool EventLog::wait_after(int64_t after_id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return closed_ || last_id_ > after_id; });
  return last_id_ > after_id;
}

void EventLog::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  changed_.notify_all();
}

bool EventLog::closed() {
  std::lock_guard lock(mu_);
  return closed_;
}

}  // namespace sb::events
