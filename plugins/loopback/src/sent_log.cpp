#include "sent_log.hpp"

#include <algorithm>
#include <utility>

namespace loopback {

SentRecord SentRecord::of(const switchboard::OutboundMessage& m, uint64_t seq, int64_t now_ms) {
  SentRecord r;
  r.seq = seq;
  r.message_id = m.message_id();
  r.idempotency_key = std::string(m.idempotency_key());
  r.to = std::string(m.to());
  r.from = std::string(m.from());
  r.content_type = std::string(m.content_type());
  r.text = std::string(m.text());
  r.payload_json = std::string(m.payload_json());
  r.reply_to_provider_id = std::string(m.reply_to_provider_id());
  r.thread_key = std::string(m.thread_key());
  for (const switchboard::Attachment& a : m.attachments()) {
    r.attachments.push_back({std::string(a.kind()), std::string(a.mime_type()),
                             std::string(a.filename()), std::string(a.url()),
                             std::string(a.provider_media_id()), std::string(a.caption()),
                             a.size_bytes().value_or(-1)});
  }
  r.at_ms = now_ms;
  return r;
}

json::Value SentRecord::to_json() const {
  json::Value attachments_json = json::Value::array();
  for (const auto& a : attachments) {
    attachments_json.push(json::Value::object()
                              .set("kind", json::Value(a.kind))
                              .set("mime_type", json::Value(a.mime_type))
                              .set("filename", json::Value(a.filename))
                              .set("url", json::Value(a.url))
                              .set("media_id", json::Value(a.provider_media_id))
                              .set("caption", json::Value(a.caption))
                              .set("size_bytes", json::Value(a.size_bytes)));
  }
  return json::Value::object()
      .set("seq", json::Value(seq))
      .set("message_id", json::Value(message_id))
      .set("idempotency_key", json::Value(idempotency_key))
      .set("to", json::Value(to))
      .set("from", json::Value(from))
      .set("content_type", json::Value(content_type))
      .set("text", json::Value(text))
      .set("payload_json", json::Value(payload_json))
      .set("reply_to_provider_id", json::Value(reply_to_provider_id))
      .set("thread_key", json::Value(thread_key))
      .set("attachments", std::move(attachments_json))
      .set("provider_id", json::Value(provider_id))
      .set("outcome", json::Value(outcome))
      .set("fault", json::Value(fault))
      .set("error", json::Value(error))
      .set("at_ms", json::Value(at_ms))
      .set("completed_at_ms", json::Value(completed_at_ms));
}

void SentLog::add(SentRecord r) {
  records_.push_back(std::move(r));
  while (records_.size() > limit_) {
    records_.pop_front();
    ++dropped_;
  }
}

SentRecord* SentLog::find(uint64_t seq) {
  // Seqs grow with each add, so the deque is sorted.
  auto it = std::lower_bound(records_.begin(), records_.end(), seq,
                             [](const SentRecord& r, uint64_t s) { return r.seq < s; });
  return it != records_.end() && it->seq == seq ? &*it : nullptr;
}

json::Value SentLog::since(uint64_t seq) const {
  json::Value list = json::Value::array();
  auto it = std::upper_bound(records_.begin(), records_.end(), seq,
                             [](uint64_t s, const SentRecord& r) { return s < r.seq; });
  for (; it != records_.end(); ++it) list.push(it->to_json());
  return list;
}

}  // namespace loopback
