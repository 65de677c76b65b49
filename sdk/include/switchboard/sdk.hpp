// Switchboard plugin SDK for C++20: views over the C ABI, a Host wrapper, the Channel base class
// and the SB_PLUGIN macro that turns a Channel subclass into a loadable plugin. Header-only; works
// with -fno-exceptions and -fno-rtti. Everything here is a convenience over abi.h: the ABI is the
// contract.
#pragma once

#if __cplusplus < 202002L
#error "switchboard/sdk.hpp needs C++20"
#endif

#include <switchboard/abi.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#if defined(__cpp_exceptions)
#include <exception>
#endif

// Defaults for plugins not built with sb_add_plugin(), which defines these from its arguments.
#ifndef SB_PLUGIN_ABI_MINOR_REQUIRED
#define SB_PLUGIN_ABI_MINOR_REQUIRED 0
#endif

namespace switchboard {

// ---------------------------------------------------------------------------------------------------
// Strings and structs across the boundary
// ---------------------------------------------------------------------------------------------------

inline std::string_view view(sb_str s) noexcept {
  return s.data != nullptr ? std::string_view(s.data, s.size) : std::string_view();
}
inline sb_str to_sb_str(std::string_view s) noexcept {
  return sb_str{s.data(), s.size()};
}

// Where a field ends inside its struct: offsetof(field) + sizeof(field), from a member pointer.
template <class S, class M>
std::size_t field_end(M S::*member) noexcept {
  static const S probe{};
  const auto* base = reinterpret_cast<const unsigned char*>(&probe);
  const auto* field = reinterpret_cast<const unsigned char*>(&(probe.*member));
  return static_cast<std::size_t>(field - base) + sizeof(M);
}

// True when `s` (filled by the other side) is large enough to contain `member`. This is the check
// every reader makes before touching a field or slot that a peer of an older minor may not have.
template <class S, class M>
bool has_field(const S* s, M S::*member) noexcept {
  return s != nullptr && field_end(member) <= s->struct_size;
}

// For function slots: present in the struct and non-NULL.
template <class S, class M>
bool has_slot(const S* s, M S::*member) noexcept {
  return has_field(s, member) && s->*member != nullptr;
}

// Copy min(struct_size, sizeof(T)) of a peer's struct into a zeroed T: unknown fields read as zero.
template <class T>
T read_struct(const T* p) noexcept {
  T out{};
  if (p == nullptr) return out;
  std::size_t n = std::min<std::size_t>(p->struct_size, sizeof(T));
  std::memcpy(static_cast<void*>(&out), static_cast<const void*>(p), n);
  out.struct_size = static_cast<uint32_t>(n);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Errors as values
// ---------------------------------------------------------------------------------------------------

inline std::string_view status_name(int32_t status) noexcept {
  switch (status) {
    case SB_OK:
      return "OK";
    case SB_DUPLICATE:
      return "DUPLICATE";
    case SB_PENDING:
      return "PENDING";
    case SB_ERR_INVALID_ARG:
      return "INVALID_ARG";
    case SB_ERR_UNSUPPORTED:
      return "UNSUPPORTED";
    case SB_ERR_TRANSIENT:
      return "TRANSIENT";
    case SB_ERR_RATE_LIMITED:
      return "RATE_LIMITED";
    case SB_ERR_AUTH:
      return "AUTH";
    case SB_ERR_REJECTED:
      return "REJECTED";
    case SB_ERR_NOT_FOUND:
      return "NOT_FOUND";
    case SB_ERR_STATE:
      return "STATE";
    case SB_ERR_INTERNAL:
      return "INTERNAL";
    case SB_ERR_TIMEOUT:
      return "TIMEOUT";
    default:
      return "UNKNOWN";
  }
}

// The details of a failed call, as sb_error_info carries them.
struct Error {
  Error() = default;
  Error(int32_t status_, std::string message_, bool retryable_ = false,
        std::chrono::milliseconds retry_after_ = {}, std::string provider_code_ = {})
      : status(status_),
        message(std::move(message_)),
        retryable(retryable_),
        retry_after(retry_after_),
        provider_code(std::move(provider_code_)) {}

  int32_t status = SB_ERR_INTERNAL;
  std::string message;
  bool retryable = false;
  std::chrono::milliseconds retry_after{0};
  std::string provider_code;

  static Error invalid_arg(std::string m) { return {SB_ERR_INVALID_ARG, std::move(m)}; }
  static Error unsupported(std::string m) { return {SB_ERR_UNSUPPORTED, std::move(m)}; }
  static Error transient(std::string m, std::chrono::milliseconds after = {}) {
    return {SB_ERR_TRANSIENT, std::move(m), true, after};
  }
  static Error rate_limited(std::string m, std::chrono::milliseconds after = {}) {
    return {SB_ERR_RATE_LIMITED, std::move(m), true, after};
  }
  static Error auth(std::string m) { return {SB_ERR_AUTH, std::move(m)}; }
  static Error rejected(std::string m, std::string provider_code = {}) {
    return {SB_ERR_REJECTED, std::move(m), false, {}, std::move(provider_code)};
  }
  static Error not_found(std::string m) { return {SB_ERR_NOT_FOUND, std::move(m)}; }
  static Error state(std::string m) { return {SB_ERR_STATE, std::move(m)}; }
  static Error internal(std::string m) { return {SB_ERR_INTERNAL, std::move(m)}; }

  // Copy what a peer wrote into an error sink (its pointers die with the call).
  static Error from_info(int32_t status, const sb_error_info* info) {
    Error e;
    e.status = status;
    if (info == nullptr) return e;
    sb_error_info i = read_struct(info);
    e.retryable = i.retryable != 0;
    e.retry_after = std::chrono::milliseconds(i.retry_after_ms);
    e.message = std::string(view(i.message));
    e.provider_code = std::string(view(i.provider_code));
    return e;
  }
};

// OK, or an Error.
class Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {
    if (error_->status >= 0) error_->status = SB_ERR_INTERNAL;  // an error must be an SB_ERR_*
  }
  static Status ok() { return {}; }
  bool is_ok() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return is_ok(); }
  int32_t code() const noexcept { return error_ ? error_->status : SB_OK; }
  const Error& error() const {
    static const Error kNone{SB_OK, {}};
    return error_ ? *error_ : kNone;
  }

 private:
  std::optional<Error> error_;
};

// A value, or the Error explaining why there is none.
template <class T>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
  bool is_ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return is_ok(); }
  T& value() & { return *std::get_if<0>(&v_); }
  const T& value() const& { return *std::get_if<0>(&v_); }
  T&& value() && { return std::move(*std::get_if<0>(&v_)); }
  T* operator->() { return std::get_if<0>(&v_); }
  const T* operator->() const { return std::get_if<0>(&v_); }
  const Error& error() const { return *std::get_if<1>(&v_); }
  int32_t code() const noexcept { return is_ok() ? SB_OK : std::get_if<1>(&v_)->status; }

 private:
  std::variant<T, Error> v_;
};

// ---------------------------------------------------------------------------------------------------
// Sinks: how variable-size output crosses the boundary without either side freeing the other's
// memory
// ---------------------------------------------------------------------------------------------------

// An sb_output_sink that appends to a std::string it owns.
class StringSink {
 public:
  StringSink() : sink_{sizeof(sb_output_sink), this, &StringSink::write} {}
  StringSink(const StringSink&) = delete;
  StringSink& operator=(const StringSink&) = delete;
  const sb_output_sink* get() const noexcept { return &sink_; }
  const std::string& str() const& noexcept { return data_; }
  std::string take() { return std::move(data_); }

 private:
  static void write(void* ctx, const char* data, std::size_t size) {
    if (data != nullptr && size > 0) static_cast<StringSink*>(ctx)->data_.append(data, size);
  }
  sb_output_sink sink_;
  std::string data_;
};

// An sb_error_sink that keeps a copy of what the callee reports.
class ErrorSink {
 public:
  ErrorSink() : sink_{sizeof(sb_error_sink), this, &ErrorSink::set} {}
  ErrorSink(const ErrorSink&) = delete;
  ErrorSink& operator=(const ErrorSink&) = delete;
  const sb_error_sink* get() const noexcept { return &sink_; }
  bool was_set() const noexcept { return set_; }
  // The callee's details for `status`; a generic message when it reported none.
  Error error(int32_t status) const {
    Error e = error_;
    e.status = status;
    if (!set_) e.message = std::string(status_name(status));
    return e;
  }

 private:
  static void set(void* ctx, const sb_error_info* info) {
    auto* self = static_cast<ErrorSink*>(ctx);
    self->error_ = Error::from_info(SB_ERR_INTERNAL, info);
    self->set_ = true;
  }
  sb_error_sink sink_;
  Error error_;
  bool set_ = false;
};

// Writing into sinks the peer gave us; every check a careful writer makes.
inline void write_to(const sb_output_sink* sink, std::string_view data) noexcept {
  if (has_slot(sink, &sb_output_sink::write) && !data.empty()) {
    sink->write(sink->ctx, data.data(), data.size());
  }
}

inline void set_error(const sb_error_sink* sink, const Error& e) noexcept {
  if (!has_slot(sink, &sb_error_sink::set)) return;
  sb_error_info info{};
  info.struct_size = sizeof(info);
  info.retryable = e.retryable ? 1 : 0;
  info.retry_after_ms = static_cast<int64_t>(e.retry_after.count());
  info.message = to_sb_str(e.message);
  info.provider_code = to_sb_str(e.provider_code);
  sink->set(sink->ctx, &info);
}

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

// ---------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------

namespace detail {
inline char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}
inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte; a bad escape stays as is.
inline std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}
}  // namespace detail

// A view of a provider's request on a registered route. Valid only during handle_webhook.
class WebhookRequest {
 public:
  explicit WebhookRequest(const sb_webhook_request* r) : r_(read_struct(r)) {}
  std::string_view method() const noexcept { return view(r_.method); }
  std::string_view path() const noexcept { return view(r_.path); }
  std::string_view query() const noexcept { return view(r_.query); }
  std::string_view headers() const noexcept { return view(r_.headers); }
  std::string_view body() const noexcept { return view(r_.body); }
  std::string_view remote_addr() const noexcept { return view(r_.remote_addr); }

  // The first header called `name` (case-insensitive), trimmed.
  std::optional<std::string_view> header(std::string_view name) const noexcept {
    std::string_view rest = headers();
    while (!rest.empty()) {
      std::size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      if (detail::iequals(detail::trim(line.substr(0, colon)), name)) {
        return detail::trim(line.substr(colon + 1));
      }
    }
    return std::nullopt;
  }

  // The first query parameter called `name`, URL-decoded ("hub.challenge" and the like).
  std::optional<std::string> query_param(std::string_view name) const {
    std::string_view rest = query();
    while (!rest.empty()) {
      std::size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      std::size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      if (detail::url_decode(key) == name) {
        return eq == std::string_view::npos ? std::string()
                                            : detail::url_decode(pair.substr(eq + 1));
      }
    }
    return std::nullopt;
  }

 private:
  sb_webhook_request r_;
};

// How the channel answers a webhook. Without set_status the host answers 200 for SB_OK.
class WebhookResponse {
 public:
  explicit WebhookResponse(const sb_webhook_response* r) : r_(r) {}
  void set_status(int32_t http_status) const noexcept {
    if (has_slot(r_, &sb_webhook_response::set_status)) r_->set_status(r_->ctx, http_status);
  }
  void add_header(std::string_view name, std::string_view value) const noexcept {
    if (has_slot(r_, &sb_webhook_response::add_header)) {
      r_->add_header(r_->ctx, name.data(), name.size(), value.data(), value.size());
    }
  }
  void write(std::string_view body) const noexcept {
    if (has_slot(r_, &sb_webhook_response::write_body) && !body.empty()) {
      r_->write_body(r_->ctx, body.data(), body.size());
    }
  }

 private:
  const sb_webhook_response* r_;
};

// ---------------------------------------------------------------------------------------------------
// Outbound HTTP
// ---------------------------------------------------------------------------------------------------

// Owns its strings, so headers can be built from temporaries ("Bearer " + token) safely.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0 = the host's default
};

struct HttpResponse {
  int32_t status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string_view> header(std::string_view name) const noexcept {
    for (const auto& [k, v] : headers) {
      if (detail::iequals(k, name)) return std::string_view(v);
    }
    return std::nullopt;
  }
};

// ---------------------------------------------------------------------------------------------------
// Host: the services the host hands to an instance
// ---------------------------------------------------------------------------------------------------

// Wraps (sb_host_api*, sb_host_ctx*). Every call first checks that the host's table is large enough
// to contain the slot and that the slot is set; otherwise it answers SB_ERR_UNSUPPORTED (or the
// documented empty value) instead of reading past the end of an older host's table.
// Callables given to set_timer/post are owned here until they run, are cancelled, or this Host is
// destroyed (with its channel, after stop: the ABI guarantees nothing fires after that).
class Host {
 public:
  using Task = std::function<void()>;
  using TimerId = uint64_t;

  Host(const sb_host_api* api, sb_host_ctx* ctx)
      : api_(api), ctx_(ctx), tasks_(std::make_unique<TaskRegistry>()) {
    tasks_->host = this;
  }
  Host(Host&& other) noexcept
      : api_(other.api_), ctx_(other.ctx_), tasks_(std::move(other.tasks_)) {
    if (tasks_) tasks_->host = this;
  }
  Host& operator=(Host&&) = delete;
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;
  ~Host() = default;

  const sb_host_api* api() const noexcept { return api_; }
  sb_host_ctx* ctx() const noexcept { return ctx_; }
  // Whether the host's table has this slot, e.g. host.supports(&sb_host_api::get_extension).
  template <class M>
  bool supports(M sb_host_api::*slot) const noexcept {
    return has_slot(api_, slot);
  }
  // The minor ABI version of the host, 0 when unknown.
  uint16_t abi_minor() const noexcept {
    return has_field(api_, &sb_host_api::abi_minor) ? api_->abi_minor : 0;
  }

  // --- logging
  // -------------------------------------------------------------------------------------
  void log(int32_t level, std::string_view message) const noexcept {
    if (supports(&sb_host_api::log)) api_->log(ctx_, level, message.data(), message.size());
  }
  void trace(std::string_view m) const noexcept { log(SB_LOG_TRACE, m); }
  void debug(std::string_view m) const noexcept { log(SB_LOG_DEBUG, m); }
  void info(std::string_view m) const noexcept { log(SB_LOG_INFO, m); }
  void warn(std::string_view m) const noexcept { log(SB_LOG_WARN, m); }
  void error(std::string_view m) const noexcept { log(SB_LOG_ERROR, m); }

  // --- messages
  // ------------------------------------------------------------------------------------
  struct SubmitResult {
    int32_t status = SB_OK;         // SB_OK, or the first error
    std::vector<int32_t> statuses;  // per message: SB_OK, SB_DUPLICATE or an SB_ERR_*
  };

  SubmitResult submit_inbound(std::span<const InboundMessage> messages) const {
    std::vector<InboundMessage::CView> views;
    views.reserve(messages.size());
    for (const auto& m : messages) views.push_back(m.c_view());
    std::vector<const sb_inbound_message*> ptrs;
    for (const auto& v : views) ptrs.push_back(v.get());
    return submit_inbound(std::span<const sb_inbound_message* const>(ptrs));
  }

  SubmitResult submit_inbound(std::span<const sb_inbound_message* const> messages) const {
    SubmitResult r;
    r.statuses.assign(messages.size(), SB_ERR_UNSUPPORTED);
    if (!supports(&sb_host_api::submit_inbound)) {
      r.status = SB_ERR_UNSUPPORTED;
      return r;
    }
    if (messages.empty()) return r;
    r.status = api_->submit_inbound(ctx_, messages.data(), static_cast<uint32_t>(messages.size()),
                                    r.statuses.data());
    return r;
  }

  // One message; the answer is its own status (SB_OK, SB_DUPLICATE or an SB_ERR_*).
  int32_t submit_inbound(const InboundMessage& message) const {
    SubmitResult r = submit_inbound(std::span<const InboundMessage>(&message, 1));
    return r.status < 0 && r.statuses[0] >= 0 ? r.status : r.statuses[0];
  }

  int32_t report_delivery(const DeliveryReport& report) const noexcept {
    if (!supports(&sb_host_api::report_delivery)) return SB_ERR_UNSUPPORTED;
    sb_delivery_report r = report.c_struct();
    return api_->report_delivery(ctx_, &r);
  }

  int32_t report_state(int32_t state, std::string_view reason) const noexcept {
    if (!supports(&sb_host_api::report_state)) return SB_ERR_UNSUPPORTED;
    api_->report_state(ctx_, state, reason.data(), reason.size());
    return SB_OK;
  }

  // Finish a send() that returned pending: either the provider's id or the error.
  int32_t complete_send(int64_t message_id, std::string_view provider_message_id) const noexcept {
    if (!supports(&sb_host_api::complete_send)) return SB_ERR_UNSUPPORTED;
    return api_->complete_send(ctx_, message_id, SB_OK, provider_message_id.data(),
                               provider_message_id.size(), nullptr);
  }
  int32_t complete_send(int64_t message_id, const Error& error) const noexcept {
    if (!supports(&sb_host_api::complete_send)) return SB_ERR_UNSUPPORTED;
    sb_error_info info{};
    info.struct_size = sizeof(info);
    info.retryable = error.retryable ? 1 : 0;
    info.retry_after_ms = static_cast<int64_t>(error.retry_after.count());
    info.message = to_sb_str(error.message);
    info.provider_code = to_sb_str(error.provider_code);
    int32_t status = error.status < 0 ? error.status : SB_ERR_INTERNAL;
    return api_->complete_send(ctx_, message_id, status, nullptr, 0, &info);
  }

  // --- the instance strand
  // ------------------------------------------------------------------------- Run `task` on the
  // instance strand after `delay`. Returns the timer id, 0 when refused (the instance is stopping,
  // or the host has no timers).
  TimerId set_timer(std::chrono::milliseconds delay, Task task) const {
    if (!supports(&sb_host_api::set_timer) || !task) return 0;
    TaskNode* node = tasks_->add(std::move(task));
    uint64_t ms = delay.count() < 0 ? 0 : static_cast<uint64_t>(delay.count());
    TimerId id = api_->set_timer(ctx_, ms, &Host::run_task, node);
    if (id == 0) {
      tasks_->take(node);
    } else {
      tasks_->bind_timer(node, id);
    }
    return id;
  }

  // SB_OK if the timer will not fire (its callable is freed now), SB_ERR_NOT_FOUND if it already
  // ran.
  int32_t cancel_timer(TimerId id) const {
    if (!supports(&sb_host_api::cancel_timer)) return SB_ERR_UNSUPPORTED;
    int32_t rc = api_->cancel_timer(ctx_, id);
    if (rc == SB_OK) tasks_->drop_timer(id);
    return rc;
  }

  // Run `task` on the instance strand soon; SB_ERR_STATE when the instance is stopping.
  int32_t post(Task task) const {
    if (!supports(&sb_host_api::post)) return SB_ERR_UNSUPPORTED;
    if (!task) return SB_ERR_INVALID_ARG;
    TaskNode* node = tasks_->add(std::move(task));
    int32_t rc = api_->post(ctx_, &Host::run_task, node);
    if (rc != SB_OK) tasks_->take(node);
    return rc;
  }

  // Callables still waiting for their timer or post (for tests and health output).
  std::size_t pending_tasks() const { return tasks_->size(); }

  // --- services
  // ------------------------------------------------------------------------------------
  Result<HttpResponse> http_request(const HttpRequest& request) const {
    if (!supports(&sb_host_api::http_request)) {
      return Error::unsupported("the host offers no outbound HTTP");
    }
    std::string headers;
    for (const auto& [k, v] : request.headers) {
      headers.append(k).append(": ").append(v).append("\r\n");
    }
    sb_http_request req{};
    req.struct_size = sizeof(req);
    req.timeout_ms = static_cast<uint32_t>(std::max<int64_t>(0, request.timeout.count()));
    req.method = to_sb_str(request.method);
    req.url = to_sb_str(request.url);
    req.headers = to_sb_str(headers);
    req.body = to_sb_str(request.body);

    HttpResponse resp;
    sb_http_response_sink sink{};
    sink.struct_size = sizeof(sink);
    sink.ctx = &resp;
    sink.status = [](void* ctx, int32_t s) { static_cast<HttpResponse*>(ctx)->status = s; };
    sink.header = [](void* ctx, const char* n, std::size_t ns, const char* v, std::size_t vs) {
      static_cast<HttpResponse*>(ctx)->headers.emplace_back(std::string(n, ns), std::string(v, vs));
    };
    sink.body = [](void* ctx, const char* d, std::size_t s) {
      if (d != nullptr) static_cast<HttpResponse*>(ctx)->body.append(d, s);
    };
    ErrorSink err;
    int32_t rc = api_->http_request(ctx_, &req, &sink, err.get());
    if (rc != SB_OK) return err.error(rc < 0 ? rc : SB_ERR_INTERNAL);
    return resp;
  }

  int32_t register_webhook(std::string_view path) const noexcept {
    if (!supports(&sb_host_api::register_webhook)) return SB_ERR_UNSUPPORTED;
    return api_->register_webhook(ctx_, path.data(), path.size());
  }

  // The value, or nullopt when absent; `status` (if given) tells NOT_FOUND from a failure.
  std::optional<std::string> kv_get(std::string_view key, int32_t* status = nullptr) const {
    int32_t rc = SB_ERR_UNSUPPORTED;
    std::optional<std::string> value;
    if (supports(&sb_host_api::kv_get)) {
      StringSink out;
      rc = api_->kv_get(ctx_, key.data(), key.size(), out.get());
      if (rc == SB_OK) value = out.take();
    }
    if (status != nullptr) *status = rc;
    return value;
  }
  int32_t kv_put(std::string_view key, std::string_view value) const noexcept {
    if (!supports(&sb_host_api::kv_put)) return SB_ERR_UNSUPPORTED;
    return api_->kv_put(ctx_, key.data(), key.size(), value.data(), value.size());
  }
  int32_t kv_delete(std::string_view key) const noexcept {
    if (!supports(&sb_host_api::kv_delete)) return SB_ERR_UNSUPPORTED;
    return api_->kv_delete(ctx_, key.data(), key.size());
  }

  // A configured secret. Never log it.
  std::optional<std::string> secret(std::string_view name) const {
    if (!supports(&sb_host_api::get_secret)) return std::nullopt;
    StringSink out;
    if (api_->get_secret(ctx_, name.data(), name.size(), out.get()) != SB_OK) return std::nullopt;
    return out.take();
  }

  // The host's clock (so tests control time); the system clock only if the host has none.
  std::chrono::system_clock::time_point now() const noexcept {
    if (!supports(&sb_host_api::now_ms)) return std::chrono::system_clock::now();
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(api_->now_ms(ctx_)));
  }
  int64_t now_ms() const noexcept {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch()).count();
  }

  const void* extension(std::string_view id) const noexcept {
    if (!supports(&sb_host_api::get_extension)) return nullptr;
    return api_->get_extension(ctx_, id.data(), id.size());
  }

 private:
  struct TaskRegistry;
  struct TaskNode {
    TaskRegistry* registry;
    Task fn;
    TimerId timer = 0;
  };
  // Owns pending callables. Host API calls may come from any thread, so it is locked.
  struct TaskRegistry {
    Host* host = nullptr;
    std::mutex mu;
    std::unordered_map<TaskNode*, std::unique_ptr<TaskNode>> nodes;
    std::unordered_map<TimerId, TaskNode*> timers;

    TaskNode* add(Task fn) {
      auto node = std::make_unique<TaskNode>(TaskNode{this, std::move(fn), 0});
      TaskNode* raw = node.get();
      std::lock_guard lock(mu);
      nodes.emplace(raw, std::move(node));
      return raw;
    }
    // Removes and returns the callable; empty if it already ran or was cancelled.
    Task take(TaskNode* node) {
      std::lock_guard lock(mu);
      auto it = nodes.find(node);
      if (it == nodes.end()) return {};
      Task fn = std::move(it->second->fn);
      if (it->second->timer != 0) timers.erase(it->second->timer);
      nodes.erase(it);
      return fn;
    }
    // The timer may already have fired (another thread's strand) before we learn its id.
    void bind_timer(TaskNode* node, TimerId id) {
      std::lock_guard lock(mu);
      auto it = nodes.find(node);
      if (it == nodes.end()) return;
      it->second->timer = id;
      timers[id] = node;
    }
    void drop_timer(TimerId id) {
      std::lock_guard lock(mu);
      auto it = timers.find(id);
      if (it == timers.end()) return;
      nodes.erase(it->second);
      timers.erase(it);
    }
    std::size_t size() {
      std::lock_guard lock(mu);
      return nodes.size();
    }
  };

  // The C callback for timers and posts: runs on the instance strand, must not throw.
  static void run_task(void* user_data) noexcept {
    auto* node = static_cast<TaskNode*>(user_data);
    TaskRegistry* registry = node->registry;
    Task fn = registry->take(node);
    if (!fn) return;
#if defined(__cpp_exceptions)
    try {
      fn();
    } catch (const std::exception& e) {
      registry->host->error(std::string("timer/post task threw: ") + e.what());
    } catch (...) {
      registry->host->error("timer/post task threw: unknown exception");
    }
#else
    fn();
#endif
  }

  const sb_host_api* api_;
  sb_host_ctx* ctx_;
  std::unique_ptr<TaskRegistry> tasks_;  // stable address: the host holds pointers into it
};

// ---------------------------------------------------------------------------------------------------
// Channel: the base class of a plugin's instances
// ---------------------------------------------------------------------------------------------------

// What send() answers: the provider's id, "pending" (finish with Host::complete_send), or an error.
class SendResult {
 public:
  static SendResult sent(std::string provider_id) {
    SendResult r;
    r.v_.emplace<0>(std::move(provider_id));
    return r;
  }
  static SendResult pending() {
    SendResult r;
    r.v_.emplace<1>();
    return r;
  }
  static SendResult failed(Error e) {
    SendResult r;
    if (e.status >= 0) e.status = SB_ERR_INTERNAL;
    r.v_.emplace<2>(std::move(e));
    return r;
  }
  SendResult(Error e) : SendResult(failed(std::move(e))) {}

  bool is_sent() const noexcept { return v_.index() == 0; }
  bool is_pending() const noexcept { return v_.index() == 1; }
  bool is_error() const noexcept { return v_.index() == 2; }
  const std::string& provider_id() const { return *std::get_if<0>(&v_); }
  const Error& error() const { return *std::get_if<2>(&v_); }

 private:
  SendResult() = default;
  std::variant<std::string, std::monostate, Error> v_;
};

class CanSendQuery {
 public:
  explicit CanSendQuery(const sb_can_send_query* q) : q_(read_struct(q)) {}
  std::string_view to() const noexcept { return view(q_.to); }
  std::string_view from() const noexcept { return view(q_.from); }
  std::string_view content_type() const noexcept { return view(q_.content_type); }
  // When the host last stored a message from this recipient; nullopt for never.
  std::optional<std::chrono::system_clock::time_point> last_inbound_at() const noexcept {
    if (q_.last_inbound_at_ms == 0) return std::nullopt;
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(q_.last_inbound_at_ms));
  }

 private:
  sb_can_send_query q_;
};

struct CanSendAnswer {
  bool allowed = true;
  int32_t mode = SB_SEND_MODE_FREE_TEXT;
  int64_t expires_at_ms = 0;  // 0 = no known end
  std::string reason;
};

struct Health {
  int32_t state = SB_STATE_RUNNING;
  std::string details_json = "{}";
};

// Subclass this, give it a constructor (Host, std::string_view instance_id, std::string_view
// config_json), and register it with SB_PLUGIN. Every virtual runs on the instance strand.
// Optional static hooks on the subclass: `static std::string config_schema()` and
// `static switchboard::Status validate_config(std::string_view json)`.
class Channel {
 public:
  explicit Channel(Host host) : host_(std::move(host)) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  virtual ~Channel() = default;

  virtual Status start() { return {}; }
  virtual void stop() {}
  virtual SendResult send(const OutboundMessage& message) = 0;
  virtual Status handle_webhook(const WebhookRequest&, WebhookResponse&) {
    return Error::unsupported("this channel takes no webhooks");
  }
  // Default: no channel-specific rules, anything may be sent.
  virtual CanSendAnswer can_send(const CanSendQuery&) { return {}; }
  // A control operation by name; the answer is a JSON document.
  virtual Result<std::string> invoke(std::string_view op, std::string_view /*json_in*/) {
    return Error::unsupported("unknown operation: " + std::string(op));
  }
  virtual Health health() { return {}; }

  Host& host() noexcept { return host_; }
  const Host& host() const noexcept { return host_; }

 private:
  Host host_;
};

// ---------------------------------------------------------------------------------------------------
// The C side: trampolines and the entry, emitted by SB_PLUGIN
// ---------------------------------------------------------------------------------------------------

// The entry of plugin class C; SB_PLUGIN defines it. Lets a fake host load a plugin compiled into
// the same binary through its real C entry and vtable.
template <class C>
const sb_plugin_entry* plugin_entry() noexcept;

namespace detail {

// Runs `body`; an exception becomes `on_error(status, message)` and its return value.
template <class Body, class OnError>
auto guarded(Body&& body, OnError&& on_error) noexcept -> decltype(body()) {
#if defined(__cpp_exceptions)
  try {
    return body();
  } catch (const std::exception& e) {
    return on_error(std::string_view(e.what()));
  } catch (...) {
    return on_error(std::string_view("unknown exception"));
  }
#else
  (void)on_error;
  return body();
#endif
}

inline Channel* channel(sb_channel* ch) noexcept {
  return reinterpret_cast<Channel*>(ch);
}

inline int32_t fail(const sb_error_sink* err, const Error& e) noexcept {
  set_error(err, e);
  return e.status < 0 ? e.status : SB_ERR_INTERNAL;
}

inline auto internal_to(const sb_error_sink* err) {
  return [err](std::string_view what) { return fail(err, Error::internal(std::string(what))); };
}

template <class C>
struct Trampolines {
  static int32_t init(const sb_host_api* api, const sb_error_sink* err) noexcept {
    if (api == nullptr || !has_field(api, &sb_host_api::abi_minor)) {
      return fail(err, Error::invalid_arg("no host api"));
    }
    if (api->abi_major != SB_ABI_MAJOR) {
      return fail(err, Error::unsupported("host ABI major " + std::to_string(api->abi_major)));
    }
    return SB_OK;
  }

  static int32_t create(const sb_create_params* params, sb_channel** out,
                        const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (params == nullptr || out == nullptr) return fail(err, Error::invalid_arg("null"));
          sb_create_params p = read_struct(params);
          if (p.host_api == nullptr) return fail(err, Error::invalid_arg("no host api"));
          auto instance = std::make_unique<C>(Host(p.host_api, p.host), view(p.instance_id),
                                              view(p.config_json));
          *out = reinterpret_cast<sb_channel*>(static_cast<Channel*>(instance.release()));
          return SB_OK;
        },
        internal_to(err));
  }

  static void destroy(sb_channel* ch) noexcept {
    guarded([&] { std::unique_ptr<Channel> owned(channel(ch)); }, [](std::string_view) {});
  }

  static int32_t start(sb_channel* ch, const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          Status s = channel(ch)->start();
          return s ? SB_OK : fail(err, s.error());
        },
        internal_to(err));
  }

  static void stop(sb_channel* ch) noexcept {
    guarded([&] { channel(ch)->stop(); },
            [&](std::string_view what) {
              channel(ch)->host().error(std::string("stop threw: ") + std::string(what));
            });
  }

  static int32_t send(sb_channel* ch, const sb_outbound_message* msg,
                      const sb_output_sink* provider_id, const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (msg == nullptr) return fail(err, Error::invalid_arg("no message"));
          SendResult r = channel(ch)->send(OutboundMessage(msg));
          if (r.is_pending()) return SB_PENDING;
          if (r.is_error()) return fail(err, r.error());
          write_to(provider_id, r.provider_id());
          return SB_OK;
        },
        internal_to(err));
  }

  static int32_t handle_webhook(sb_channel* ch, const sb_webhook_request* req,
                                const sb_webhook_response* resp) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (req == nullptr) return SB_ERR_INVALID_ARG;
          WebhookResponse response(resp);
          Status s = channel(ch)->handle_webhook(WebhookRequest(req), response);
          if (!s) channel(ch)->host().warn("webhook: " + s.error().message);
          return s.code();
        },
        [&](std::string_view what) -> int32_t {
          channel(ch)->host().error(std::string("webhook handler threw: ") + std::string(what));
          return SB_ERR_INTERNAL;
        });
  }

  static int32_t config_schema(const sb_output_sink* out) noexcept {
    return guarded(
        [&]() -> int32_t {
          write_to(out, C::config_schema());
          return SB_OK;
        },
        [](std::string_view) -> int32_t { return SB_ERR_INTERNAL; });
  }

  static int32_t validate_config(const char* json, std::size_t size,
                                 const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          Status s = C::validate_config(json != nullptr ? std::string_view(json, size)
                                                        : std::string_view());
          return s ? SB_OK : fail(err, s.error());
        },
        internal_to(err));
  }

  static int32_t can_send(sb_channel* ch, const sb_can_send_query* query,
                          sb_can_send_result* result, const sb_output_sink* reason) noexcept {
    return guarded(
        [&]() -> int32_t {
          if (query == nullptr || result == nullptr) return SB_ERR_INVALID_ARG;
          CanSendAnswer a = channel(ch)->can_send(CanSendQuery(query));
          // Write only what fits in the host's struct.
          if (has_field(result, &sb_can_send_result::allowed)) result->allowed = a.allowed ? 1 : 0;
          if (has_field(result, &sb_can_send_result::mode)) result->mode = a.mode;
          if (has_field(result, &sb_can_send_result::expires_at_ms)) {
            result->expires_at_ms = a.expires_at_ms;
          }
          write_to(reason, a.reason);
          return SB_OK;
        },
        [&](std::string_view what) -> int32_t {
          write_to(reason, what);
          return SB_ERR_INTERNAL;
        });
  }

  static int32_t invoke(sb_channel* ch, const char* op, std::size_t op_size, const char* json_in,
                        std::size_t json_in_size, const sb_output_sink* json_out,
                        const sb_error_sink* err) noexcept {
    return guarded(
        [&]() -> int32_t {
          std::string_view o = op != nullptr ? std::string_view(op, op_size) : std::string_view();
          std::string_view in =
              json_in != nullptr ? std::string_view(json_in, json_in_size) : std::string_view();
          Result<std::string> r = channel(ch)->invoke(o, in);
          if (!r) return fail(err, r.error());
          write_to(json_out, r.value());
          return SB_OK;
        },
        internal_to(err));
  }

  static int32_t health(sb_channel* ch, const sb_output_sink* details_json) noexcept {
    return guarded(
        [&]() -> int32_t {
          Health h = channel(ch)->health();
          write_to(details_json, h.details_json);
          return h.state;
        },
        [&](std::string_view what) -> int32_t {
          channel(ch)->host().error(std::string("health threw: ") + std::string(what));
          return SB_ERR_INTERNAL;
        });
  }

  // The static hooks are optional: a class without them gets a NULL slot ("not supported").
  static constexpr int32_t (*config_schema_slot())(const sb_output_sink*) {
    if constexpr (requires { C::config_schema(); }) {
      return &config_schema;
    } else {
      return nullptr;
    }
  }
  static constexpr int32_t (*validate_config_slot())(const char*, std::size_t,
                                                     const sb_error_sink*) {
    if constexpr (requires { C::validate_config(std::string_view()); }) {
      return &validate_config;
    } else {
      return nullptr;
    }
  }

  static constexpr sb_channel_vtable kVtable = {
      sizeof(sb_channel_vtable),
      0,
      &destroy,
      &start,
      &stop,
      &send,
      &handle_webhook,
      config_schema_slot(),
      validate_config_slot(),
      &can_send,
      &invoke,
      &health,
  };
};

template <class C>
constexpr sb_plugin_entry make_entry(sb_str id, sb_str version, sb_str kind, sb_str description,
                                     uint64_t capabilities, uint16_t abi_minor_required) {
  static_assert(std::is_base_of_v<Channel, C>, "SB_PLUGIN needs a switchboard::Channel subclass");
  return sb_plugin_entry{
      sizeof(sb_plugin_entry),
      SB_ABI_MAJOR,
      abi_minor_required,
      id,
      version,
      kind,
      description,
      capabilities,
      &Trampolines<C>::init,
      nullptr,
      &Trampolines<C>::create,
      &Trampolines<C>::kVtable,
  };
}

}  // namespace detail
}  // namespace switchboard

// Registers ChannelClass as this library's plugin: defines its constant entry and vtable and the
// exported `sb_plugin_entry_v1`. Use once per plugin library, at global scope. id, version, kind
// and description are string literals (sb_add_plugin() defines SB_PLUGIN_ID & co. to keep them
// equal to the manifest); capabilities is an SB_CAP_* mask.
#define SB_PLUGIN(ChannelClass, id, version, kind, description, capabilities)                  \
  template <>                                                                                  \
  const sb_plugin_entry* ::switchboard::plugin_entry<ChannelClass>() noexcept {                \
    static constexpr sb_plugin_entry kEntry = ::switchboard::detail::make_entry<ChannelClass>( \
        SB_STR_LIT(id), SB_STR_LIT(version), SB_STR_LIT(kind), SB_STR_LIT(description),        \
        (capabilities), SB_PLUGIN_ABI_MINOR_REQUIRED);                                         \
    return &kEntry;                                                                            \
  }                                                                                            \
  extern "C" SB_EXPORT const sb_plugin_entry* sb_plugin_entry_v1(void) {                       \
    return ::switchboard::plugin_entry<ChannelClass>();                                        \
  }
