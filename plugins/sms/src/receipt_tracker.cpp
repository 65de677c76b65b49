#include "receipt_tracker.hpp"

#include <switchboard/abi.h>
#include <switchboard/json.hpp>

namespace sms {

std::optional<std::pair<int64_t, std::size_t>> ReceiptTracker::find(const std::string& id) const {
  if (auto it = by_id_.find(normalize_id(id)); it != by_id_.end()) return it->second;
  std::optional<std::pair<int64_t, std::size_t>> hit;
  for (const std::string& alt : alternate_ids(id)) {
    auto it = by_id_.find(normalize_id(alt));
    if (it == by_id_.end()) continue;
    if (hit && *hit != it->second) return std::nullopt;  // both bases match: ambiguous
    hit = it->second;
  }
  return hit;
}

std::vector<ReceiptUpdate> ReceiptTracker::record(int64_t message_id,
                                                  const std::vector<std::string>& part_ids,
                                                  int64_t now_ms) {
  Tracked& t = messages_[message_id];
  t.ids = part_ids;
  t.stats.assign(part_ids.size(), "");
  t.receipts.assign(part_ids.size(), Receipt{});
  t.at_ms = now_ms;
  for (std::size_t i = 0; i < part_ids.size(); ++i) {
    if (!part_ids[i].empty()) by_id_[normalize_id(part_ids[i])] = {message_id, i};
  }
  while (messages_.size() > max_tracked_) forget(messages_.begin());  // the oldest host ids
  std::vector<ReceiptUpdate> out;
  std::deque<std::pair<Receipt, int64_t>> still;
  for (auto& [r, at] : waiting_) {
    ReceiptUpdate u;
    if (find(r.id)) {
      if (apply(r, now_ms, &u) == Applied::kUpdate) out.push_back(std::move(u));
    } else {
      still.emplace_back(std::move(r), at);
    }
  }
  waiting_ = std::move(still);
  return out;
}

ReceiptUpdate ReceiptTracker::update(int64_t message_id, Tracked& t, std::size_t part,
                                     const Receipt& r) {
  t.stats[part] = r.stat;
  t.receipts[part] = r;
  ReceiptUpdate u;
  u.message_id = message_id;
  u.part = part;
  u.parts = t.ids.size();
  u.part_id = t.ids[part];
  u.receipt = r;
  bool all_delivered = true, any_failed = false;
  for (const std::string& s : t.stats) {
    ReceiptStatus st = map_stat(s);
    all_delivered = all_delivered && !s.empty() && st.status == SB_DELIVERY_DELIVERED;
    any_failed = any_failed || (!s.empty() && st.status == SB_DELIVERY_FAILED);
  }
  u.status = any_failed      ? SB_DELIVERY_FAILED
             : all_delivered ? SB_DELIVERY_DELIVERED
                             : SB_DELIVERY_SENT;
  switchboard::json::Value extra = switchboard::json::Value::object();
  extra.set("part", static_cast<int64_t>(part + 1));
  extra.set("parts", static_cast<int64_t>(u.parts));
  extra.set("part_id", u.part_id);
  extra.set("stat", r.stat);
  if (!r.err.empty()) extra.set("err", r.err);
  if (!r.done_date.empty()) extra.set("done_date", r.done_date);
  // Every part's receipt so far: the host's status history records a report only when it moves
  // the message's status (sent -> delivered or failed), so the entry that does carries them all.
  switchboard::json::Value parts = switchboard::json::Value::array();
  for (std::size_t i = 0; i < t.receipts.size(); ++i) {
    if (t.stats[i].empty()) continue;
    switchboard::json::Value p = switchboard::json::Value::object();
    p.set("part", static_cast<int64_t>(i + 1));
    p.set("part_id", t.ids[i]);
    p.set("stat", t.receipts[i].stat);
    if (!t.receipts[i].err.empty()) p.set("err", t.receipts[i].err);
    if (!t.receipts[i].done_date.empty()) p.set("done_date", t.receipts[i].done_date);
    parts.push(std::move(p));
  }
  extra.set("receipts", std::move(parts));
  u.extra_json = extra.dump();
  return u;
}

ReceiptTracker::Applied ReceiptTracker::apply(const Receipt& r, int64_t now_ms,
                                              ReceiptUpdate* out) {
  auto hit = find(r.id);
  if (!hit) {
    if (waiting_.size() >= max_waiting_) waiting_.pop_front();
    waiting_.emplace_back(r, now_ms);
    return Applied::kWaiting;
  }
  auto it = messages_.find(hit->first);
  if (it == messages_.end()) return Applied::kDuplicate;
  Tracked& t = it->second;
  const std::string& prev = t.stats[hit->second];
  // The first final state of a part wins; a repeated state is a duplicate.
  if (prev == r.stat || (!prev.empty() && map_stat(prev).final)) return Applied::kDuplicate;
  *out = update(hit->first, t, hit->second, r);
  return Applied::kUpdate;
}

std::vector<Receipt> ReceiptTracker::expire(int64_t now_ms) {
  std::vector<Receipt> dropped;
  while (!waiting_.empty() && now_ms - waiting_.front().second >= wait_ms_) {
    dropped.push_back(std::move(waiting_.front().first));
    waiting_.pop_front();
  }
  if (now_ms - last_purge_ms_ < 60'000) return dropped;
  last_purge_ms_ = now_ms;
  for (auto it = messages_.begin(); it != messages_.end();) {
    if (now_ms - it->second.at_ms < keep_ms_) {
      ++it;
      continue;
    }
    auto next = std::next(it);
    forget(it);
    it = next;
  }
  return dropped;
}

void ReceiptTracker::forget(std::map<int64_t, Tracked>::iterator it) {
  for (const std::string& id : it->second.ids) by_id_.erase(normalize_id(id));
  messages_.erase(it);
}

}  // namespace sms
