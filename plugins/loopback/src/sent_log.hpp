// Every send the host made, newest last, bounded: the oldest records are dropped beyond the limit.
#pragma once

#include <switchboard/json.hpp>
#include <switchboard/sdk.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace loopback {

namespace json = switchboard::json;

struct SentRecord {
  uint64_t seq = 0;  // from the persisted counter: unique across restarts, grows with each send
  int64_t message_id = 0;
  std::string idempotency_key, to, from, content_type, text, payload_json;
  std::string reply_to_provider_id, thread_key;
  std::vector<switchboard::AttachmentData> attachments;
  std::string provider_id;  // set when accepted (now, or when a pending send completes)
  // "sent", "pending", "invalid", "transient", "rate_limited", "rejected", "auth", "stopping"
  std::string outcome;
  std::string fault;  // the fault applied ("" none, "window" for a window refusal)
  std::string error;  // the error message for failed outcomes
  int64_t at_ms = 0;
  int64_t completed_at_ms = 0;  // when a pending send completed

  static SentRecord of(const switchboard::OutboundMessage& m, uint64_t seq, int64_t now_ms);
  json::Value to_json() const;
};

class SentLog {
 public:
  explicit SentLog(std::size_t limit) : limit_(limit) {}
  void add(SentRecord r);
  // The record with this seq, if still kept.
  SentRecord* find(uint64_t seq);
  // Records with seq > since, oldest first, as a JSON array.
  json::Value since(uint64_t seq) const;
  void clear() { records_.clear(); }
  std::size_t size() const noexcept { return records_.size(); }
  uint64_t dropped() const noexcept { return dropped_; }

 private:
  std::size_t limit_;
  std::deque<SentRecord> records_;
  uint64_t dropped_ = 0;
};

}  // namespace loopback
