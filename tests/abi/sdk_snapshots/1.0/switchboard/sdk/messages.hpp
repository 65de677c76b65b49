// Part of switchboard/sdk.hpp: views of the messages the host hands over, builders for ours.
#pragma once

#include <switchboard/sdk/core.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard {

// ---------------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------------

// A read-only view of an sb_attachment; valid as long as the struct it views.
class Attachment {
 public:
  explicit Attachment(const sb_attachment* a) : a_(read_struct(a)) {}
  std::string_view kind() const noexcept { return view(a_.kind); }
  std::string_view mime_type() const noexcept { return view(a_.mime_type); }
  std::string_view filename() const noexcept { return view(a_.filename); }
  std::string_view url() const noexcept { return view(a_.url); }
  std::string_view provider_media_id() const noexcept { return view(a_.provider_media_id); }
  std::string_view caption() const noexcept { return view(a_.caption); }
  std::optional<int64_t> size_bytes() const noexcept {
    if (a_.size_bytes < 0) return std::nullopt;
    return a_.size_bytes;
  }

 private:
  sb_attachment a_;
};

// An attachment that owns its strings, for building inbound messages.
struct AttachmentData {
  std::string kind;
  std::string mime_type;
  std::string filename;
  std::string url;
  std::string provider_media_id;
  std::string caption;
  int64_t size_bytes = -1;

  sb_attachment c_struct() const noexcept {
    sb_attachment a{};
    a.struct_size = sizeof(a);
    a.kind = to_sb_str(kind);
    a.mime_type = to_sb_str(mime_type);
    a.filename = to_sb_str(filename);
    a.url = to_sb_str(url);
    a.provider_media_id = to_sb_str(provider_media_id);
    a.caption = to_sb_str(caption);
    a.size_bytes = size_bytes;
    return a;
  }
};

// A view of the message the host asks us to send. Valid only during send(): copy what you keep.
class OutboundMessage {
 public:
  explicit OutboundMessage(const sb_outbound_message* m) : m_(read_struct(m)) {}
  int64_t message_id() const noexcept { return m_.message_id; }
  std::string_view idempotency_key() const noexcept { return view(m_.idempotency_key); }
  std::string_view to() const noexcept { return view(m_.to); }
  std::string_view from() const noexcept { return view(m_.from); }
  std::string_view content_type() const noexcept { return view(m_.content_type); }
  std::string_view text() const noexcept { return view(m_.text); }
  std::string_view payload_json() const noexcept { return view(m_.payload_json); }
  std::string_view reply_to_provider_id() const noexcept { return view(m_.reply_to_provider_id); }
  std::string_view thread_key() const noexcept { return view(m_.thread_key); }
  std::size_t attachment_count() const noexcept {
    return m_.attachments != nullptr ? m_.attachment_count : 0;
  }
  Attachment attachment(std::size_t i) const { return Attachment(m_.attachments[i]); }
  std::vector<Attachment> attachments() const {
    std::vector<Attachment> out;
    for (std::size_t i = 0; i < attachment_count(); ++i) out.emplace_back(m_.attachments[i]);
    return out;
  }
  const sb_outbound_message& c_struct() const noexcept { return m_; }

 private:
  sb_outbound_message m_;
};

// A received message, built by the channel and handed to Host::submit_inbound. Owns its strings.
class InboundMessage {
 public:
  // The C form, pointing into the builder: valid while the builder lives and is not modified.
  class CView {
   public:
    CView(CView&&) = default;
    CView& operator=(CView&&) = default;
    CView(const CView&) = delete;
    CView& operator=(const CView&) = delete;
    const sb_inbound_message* get() const noexcept { return &msg_; }

   private:
    friend class InboundMessage;
    CView() = default;
    sb_inbound_message msg_{};
    std::vector<sb_attachment> attachments_;  // the heap buffers stay put when a CView moves
    std::vector<const sb_attachment*> pointers_;
  };

  InboundMessage& provider_message_id(std::string v) { return set(provider_message_id_, v); }
  InboundMessage& from(std::string address, std::string kind) {
    from_kind_ = std::move(kind);
    return set(from_, address);
  }
  InboundMessage& from_name(std::string v) { return set(from_name_, v); }
  InboundMessage& to(std::string v) { return set(to_, v); }
  InboundMessage& content_type(std::string v) { return set(content_type_, v); }
  InboundMessage& text(std::string v) { return set(text_, v); }
  InboundMessage& payload_json(std::string v) { return set(payload_json_, v); }
  InboundMessage& raw(std::string v) { return set(raw_, v); }
  InboundMessage& reply_to_provider_id(std::string v) { return set(reply_to_, v); }
  InboundMessage& thread_key(std::string v) { return set(thread_key_, v); }
  InboundMessage& sent_at(std::chrono::system_clock::time_point t) {
    sent_at_ms_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    return *this;
  }
  InboundMessage& sent_at_ms(int64_t ms) {
    sent_at_ms_ = ms;
    return *this;
  }
  InboundMessage& flags(uint32_t f) {
    flags_ = f;
    return *this;
  }
  InboundMessage& add_attachment(AttachmentData a) {
    attachments_.push_back(std::move(a));
    return *this;
  }

  std::string_view provider_message_id() const noexcept { return provider_message_id_; }
  std::string_view from() const noexcept { return from_; }
  std::string_view text() const noexcept { return text_; }

  CView c_view() const {
    CView v;
    v.attachments_.reserve(attachments_.size());
    for (const auto& a : attachments_) v.attachments_.push_back(a.c_struct());
    for (const auto& a : v.attachments_) v.pointers_.push_back(&a);
    sb_inbound_message& m = v.msg_;
    m.struct_size = sizeof(m);
    m.flags = flags_;
    m.provider_message_id = to_sb_str(provider_message_id_);
    m.from = to_sb_str(from_);
    m.from_kind = to_sb_str(from_kind_);
    m.from_name = to_sb_str(from_name_);
    m.to = to_sb_str(to_);
    m.content_type = to_sb_str(content_type_);
    m.text = to_sb_str(text_);
    m.payload_json = to_sb_str(payload_json_);
    m.raw = to_sb_str(raw_);
    m.reply_to_provider_id = to_sb_str(reply_to_);
    m.thread_key = to_sb_str(thread_key_);
    m.sent_at_ms = sent_at_ms_;
    m.attachment_count = static_cast<uint32_t>(v.pointers_.size());
    m.attachments = v.pointers_.empty() ? nullptr : v.pointers_.data();
    return v;
  }

 private:
  InboundMessage& set(std::string& field, std::string& v) {
    field = std::move(v);
    return *this;
  }
  std::string provider_message_id_, from_, from_kind_, from_name_, to_;
  std::string content_type_ = "text";
  std::string text_, payload_json_, raw_, reply_to_, thread_key_;
  int64_t sent_at_ms_ = 0;
  uint32_t flags_ = 0;
  std::vector<AttachmentData> attachments_;
};

// A delivery status change, built by the channel. Owns its strings.
struct DeliveryReport {
  int32_t status = SB_DELIVERY_SENT;
  int64_t message_id = 0;
  std::string provider_message_id;
  int64_t timestamp_ms = 0;
  std::string error_code;
  std::string error_text;
  std::string extra_json;
  std::string raw;

  // Points into this object: valid while it lives and is not modified.
  sb_delivery_report c_struct() const noexcept {
    sb_delivery_report r{};
    r.struct_size = sizeof(r);
    r.status = status;
    r.message_id = message_id;
    r.provider_message_id = to_sb_str(provider_message_id);
    r.timestamp_ms = timestamp_ms;
    r.error_code = to_sb_str(error_code);
    r.error_text = to_sb_str(error_text);
    r.extra_json = to_sb_str(extra_json);
    r.raw = to_sb_str(raw);
    return r;
  }
};

}  // namespace switchboard
