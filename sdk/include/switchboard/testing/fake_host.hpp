// An in-memory host for plugin unit tests. It implements every sb_host_api slot, drives one channel
// instance through the plugin's real C entry and vtable, and records what the plugin did: stored
// inbound messages (deduplicated by provider id), delivery reports, state changes, logs, HTTP
// calls, webhook routes. Time is manual: advance() moves the clock, run_due() fires timers in due
// order. Calls into the plugin happen on the test's thread, which plays the instance strand.
#pragma once

#include <switchboard/abi.h>
#include <switchboard/sdk.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if __has_include(<dlfcn.h>)
#include <dlfcn.h>
#define SB_FAKE_HOST_HAS_DLOPEN 1
#endif

namespace switchboard::testing {

struct StoredInbound {
  std::string provider_message_id, from, from_kind, from_name, to, content_type, text;
  std::string payload_json, raw, reply_to_provider_id, thread_key;
  int64_t sent_at_ms = 0;
  uint32_t flags = 0;
  std::vector<AttachmentData> attachments;
};

struct StoredDelivery {
  int32_t status = 0;
  int64_t message_id = 0;
  std::string provider_message_id;
  int64_t timestamp_ms = 0;
  std::string error_code, error_text, extra_json, raw;
};

struct LogLine {
  int32_t level = SB_LOG_INFO;
  std::string text;
};

struct StateChange {
  int32_t state = 0;
  std::string reason;
};

struct CompletedSend {
  int64_t message_id = 0;
  int32_t status = SB_OK;
  std::string provider_message_id;
  Error error;
};

struct HttpCall {
  std::string method, url, headers, body;
  uint32_t timeout_ms = 0;
};

// What the installed HTTP handler answers. A negative `error` simulates a network failure.
struct HttpReply {
  int32_t status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int32_t error = SB_OK;
  std::string error_message;
};

// A message for FakeHost::send; owns its strings.
struct Outbound {
  int64_t message_id = 1;
  std::string idempotency_key, to, from;
  std::string content_type = "text";
  std::string text, payload_json, reply_to_provider_id, thread_key;
  std::vector<AttachmentData> attachments;
};

struct SendOutcome {
  int32_t status = SB_OK;  // SB_OK, SB_PENDING or an SB_ERR_*
  std::string provider_id;
  Error error;
};

struct WebhookCall {
  std::string method = "POST";
  std::string path = "/";
  std::string query, headers, body;
  std::string remote_addr = "127.0.0.1";
};

struct WebhookReply {
  int32_t rc = SB_OK;       // what handle_webhook returned
  int32_t http_status = 0;  // what the channel set; 0 when it set none
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct CanSendOutcome {
  int32_t status = SB_OK;
  bool allowed = false;
  int32_t mode = 0;
  int64_t expires_at_ms = 0;
  std::string reason;
};

struct InvokeOutcome {
  int32_t status = SB_OK;
  std::string json;
  Error error;
};

struct HealthOutcome {
  int32_t state = 0;
  std::string details_json;
};

class FakeHost {
 public:
  using HttpHandler = std::function<HttpReply(const HttpCall&)>;

  FakeHost() {
    api_.struct_size = sizeof(api_);
    api_.abi_major = SB_ABI_MAJOR;
    api_.abi_minor = SB_ABI_MINOR;
    api_.log = &s_log;
    api_.submit_inbound = &s_submit_inbound;
    api_.report_delivery = &s_report_delivery;
    api_.report_state = &s_report_state;
    api_.set_timer = &s_set_timer;
    api_.cancel_timer = &s_cancel_timer;
    api_.post = &s_post;
    api_.http_request = &s_http_request;
    api_.register_webhook = &s_register_webhook;
    api_.kv_get = &s_kv_get;
    api_.kv_put = &s_kv_put;
    api_.kv_delete = &s_kv_delete;
    api_.get_secret = &s_get_secret;
    api_.now_ms = &s_now_ms;
    api_.get_extension = &s_get_extension;
    api_.complete_send = &s_complete_send;
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;
  ~FakeHost() { shutdown(); }

  // --- the plugin's lifecycle, through its C entry
  // --------------------------------------------------

  // Checks the entry as the real loader does, then calls init.
  Status load(const sb_plugin_entry* entry) {
    if (entry == nullptr) return Error::invalid_arg("no entry");
    if (!has_field(entry, &sb_plugin_entry::vtable)) return Error::invalid_arg("entry too small");
    if (entry->abi_major != SB_ABI_MAJOR) return Error::unsupported("foreign ABI major");
    if (entry->abi_minor_required > SB_ABI_MINOR) return Error::unsupported("needs a newer host");
    if (entry->init == nullptr || entry->create == nullptr || entry->vtable == nullptr) {
      return Error::invalid_arg("entry lacks a required slot");
    }
    const sb_channel_vtable* vt = entry->vtable;
    if (!has_slot(vt, &sb_channel_vtable::destroy) || !has_slot(vt, &sb_channel_vtable::start) ||
        !has_slot(vt, &sb_channel_vtable::stop) || !has_slot(vt, &sb_channel_vtable::send)) {
      return Error::invalid_arg("vtable lacks a required slot");
    }
    ErrorSink err;
    int32_t rc = entry->init(&api_, err.get());
    if (rc != SB_OK) return err.error(rc);
    entry_ = entry;
    vtable_ = read_struct(vt);
    return {};
  }
  template <class C>
  Status load() {
    return load(plugin_entry<C>());
  }

  Status create(std::string_view instance_id, std::string_view config_json) {
    if (entry_ == nullptr) return Error::state("no plugin loaded");
    if (channel_ != nullptr) return Error::state("an instance exists already");
    instance_id_ = std::string(instance_id);
    config_json_ = std::string(config_json);
    stopping_ = false;
    sb_create_params p{};
    p.struct_size = sizeof(p);
    p.host_api = &api_;
    p.host = ctx();
    p.instance_id = to_sb_str(instance_id_);
    p.config_json = to_sb_str(config_json_);
    ErrorSink err;
    in_setup_ = true;
    int32_t rc = entry_->create(&p, &channel_, err.get());
    in_setup_ = false;
    if (rc != SB_OK) {
      channel_ = nullptr;
      return err.error(rc);
    }
    return {};
  }
  // Loads plugin class C (compiled into the test) through its SB_PLUGIN entry and creates it.
  template <class C>
  Status create(std::string_view instance_id, std::string_view config_json) {
    if (entry_ == nullptr) {
      if (Status s = load<C>(); !s) return s;
    }
    return create(instance_id, config_json);
  }

  Status start() {
    if (channel_ == nullptr) return Error::state("no instance");
    ErrorSink err;
    in_setup_ = true;
    int32_t rc = vtable_.start(channel_, err.get());
    in_setup_ = false;
    if (rc != SB_OK) return err.error(rc);
    return {};
  }

  // Stops the instance: refuses new timers and posts during stop, drops pending ones after it.
  void stop() {
    if (channel_ == nullptr || stopping_) return;
    stopping_ = true;
    vtable_.stop(channel_);
    std::lock_guard lock(mu_);
    timers_.clear();
    posts_.clear();
  }

  void destroy() {
    if (channel_ == nullptr) return;
    stop();
    vtable_.destroy(channel_);
    channel_ = nullptr;
    std::lock_guard lock(mu_);
    routes_.clear();
  }

  // destroy + deinit, as at host shutdown.
  void shutdown() {
    destroy();
    if (entry_ != nullptr && entry_->deinit != nullptr) entry_->deinit();
    entry_ = nullptr;
  }

  bool has_instance() const noexcept { return channel_ != nullptr; }
  const sb_plugin_entry* entry() const noexcept { return entry_; }

  // --- calls into the plugin
  // -----------------------------------------------------------------------

  std::optional<std::string> config_schema() const {
    if (vtable_.config_schema == nullptr) return std::nullopt;
    StringSink out;
    if (vtable_.config_schema(out.get()) != SB_OK) return std::nullopt;
    return out.take();
  }

  Status validate_config(std::string_view json) const {
    if (vtable_.validate_config == nullptr) return Error::unsupported("no validate_config");
    ErrorSink err;
    int32_t rc = vtable_.validate_config(json.data(), json.size(), err.get());
    if (rc != SB_OK) return err.error(rc);
    return {};
  }

  SendOutcome send(const Outbound& m) {
    SendOutcome out;
    if (channel_ == nullptr) {
      out.status = SB_ERR_STATE;
      return out;
    }
    std::vector<sb_attachment> atts;
    for (const auto& a : m.attachments) atts.push_back(a.c_struct());
    std::vector<const sb_attachment*> ptrs;
    for (const auto& a : atts) ptrs.push_back(&a);
    sb_outbound_message msg{};
    msg.struct_size = sizeof(msg);
    msg.attachment_count = static_cast<uint32_t>(ptrs.size());
    msg.message_id = m.message_id;
    msg.idempotency_key = to_sb_str(m.idempotency_key);
    msg.to = to_sb_str(m.to);
    msg.from = to_sb_str(m.from);
    msg.content_type = to_sb_str(m.content_type);
    msg.text = to_sb_str(m.text);
    msg.payload_json = to_sb_str(m.payload_json);
    msg.reply_to_provider_id = to_sb_str(m.reply_to_provider_id);
    msg.thread_key = to_sb_str(m.thread_key);
    msg.attachments = ptrs.empty() ? nullptr : ptrs.data();
    StringSink id;
    ErrorSink err;
    out.status = vtable_.send(channel_, &msg, id.get(), err.get());
    out.provider_id = id.take();
    if (out.status < 0) out.error = err.error(out.status);
    if (out.status == SB_PENDING) {
      std::lock_guard lock(mu_);
      pending_sends_.insert(m.message_id);
    }
    return out;
  }

  // Delivers a request to the channel if it registered the route; 404 without calling it otherwise.
  WebhookReply webhook(const WebhookCall& call) {
    WebhookReply reply;
    std::vector<std::string> routes = webhook_routes();
    if (channel_ == nullptr || vtable_.handle_webhook == nullptr ||
        std::find(routes.begin(), routes.end(), call.path) == routes.end()) {
      reply.rc = SB_ERR_NOT_FOUND;
      reply.http_status = 404;
      return reply;
    }
    sb_webhook_request req{};
    req.struct_size = sizeof(req);
    req.method = to_sb_str(call.method);
    req.path = to_sb_str(call.path);
    req.query = to_sb_str(call.query);
    req.headers = to_sb_str(call.headers);
    req.body = to_sb_str(call.body);
    req.remote_addr = to_sb_str(call.remote_addr);
    sb_webhook_response resp{};
    resp.struct_size = sizeof(resp);
    resp.ctx = &reply;
    resp.set_status = [](void* c, int32_t s) { static_cast<WebhookReply*>(c)->http_status = s; };
    resp.add_header = [](void* c, const char* n, size_t ns, const char* v, size_t vs) {
      static_cast<WebhookReply*>(c)->headers.emplace_back(std::string(n, ns), std::string(v, vs));
    };
    resp.write_body = [](void* c, const char* d, size_t s) {
      static_cast<WebhookReply*>(c)->body.append(d, s);
    };
    reply.rc = vtable_.handle_webhook(channel_, &req, &resp);
    return reply;
  }

  // `payload_json` is passed as a 1.1 host does; query_size (e.g. offsetof(sb_can_send_query,
  // payload_json)) makes the query look like an older host's, which ends before the payload.
  CanSendOutcome can_send(std::string_view to, std::string_view content_type = "text",
                          int64_t last_inbound_at_ms = 0, std::string_view from = {},
                          std::string_view payload_json = {},
                          uint32_t query_size = sizeof(sb_can_send_query)) {
    CanSendOutcome out;
    if (channel_ == nullptr || vtable_.can_send == nullptr) {
      out.status = channel_ == nullptr ? SB_ERR_STATE : SB_ERR_UNSUPPORTED;
      return out;
    }
    sb_can_send_query q{};
    q.struct_size = std::min<uint32_t>(query_size, sizeof(q));
    q.to = to_sb_str(to);
    q.from = to_sb_str(from);
    q.content_type = to_sb_str(content_type);
    q.last_inbound_at_ms = last_inbound_at_ms;
    q.payload_json = to_sb_str(payload_json);
    sb_can_send_result r{};
    r.struct_size = sizeof(r);
    StringSink reason;
    out.status = vtable_.can_send(channel_, &q, &r, reason.get());
    out.allowed = r.allowed != 0;
    out.mode = r.mode;
    out.expires_at_ms = r.expires_at_ms;
    out.reason = reason.take();
    return out;
  }

  InvokeOutcome invoke(std::string_view op, std::string_view json_in = "{}") {
    InvokeOutcome out;
    if (channel_ == nullptr || vtable_.invoke == nullptr) {
      out.status = channel_ == nullptr ? SB_ERR_STATE : SB_ERR_UNSUPPORTED;
      return out;
    }
    StringSink json;
    ErrorSink err;
    out.status = vtable_.invoke(channel_, op.data(), op.size(), json_in.data(), json_in.size(),
                                json.get(), err.get());
    out.json = json.take();
    if (out.status < 0) out.error = err.error(out.status);
    return out;
  }

  HealthOutcome health() {
    HealthOutcome out;
    if (channel_ == nullptr || vtable_.health == nullptr) return out;
    StringSink details;
    out.state = vtable_.health(channel_, details.get());
    out.details_json = details.take();
    return out;
  }

  // --- the host's side
  // -----------------------------------------------------------------------------

  // The table handed to the plugin; tests may shrink struct_size or clear slots to play an old
  // host.
  sb_host_api& api() noexcept { return api_; }
  sb_host_ctx* ctx() noexcept { return reinterpret_cast<sb_host_ctx*>(this); }

  int64_t now_ms() const {
    std::lock_guard lock(mu_);
    return now_ms_;
  }
  void set_now_ms(int64_t ms) {
    std::lock_guard lock(mu_);
    now_ms_ = ms;
  }
  void advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    now_ms_ += d.count();
  }

  // Runs queued posts (including ones they queue). Returns how many ran.
  std::size_t run_posted() {
    std::size_t n = 0;
    while (true) {
      Task t;
      {
        std::lock_guard lock(mu_);
        if (posts_.empty()) return n;
        t = posts_.front();
        posts_.pop_front();
      }
      t.fn(t.user_data);
      ++n;
    }
  }

  // Runs posts, then every timer due at the current time, earliest first (ties in arming order).
  std::size_t run_due() {
    std::size_t n = run_posted();
    while (true) {
      Task t;
      {
        std::lock_guard lock(mu_);
        auto next = timers_.end();
        for (auto it = timers_.begin(); it != timers_.end(); ++it) {
          if (it->second.due_ms > now_ms_) continue;
          if (next == timers_.end() || it->second.due_ms < next->second.due_ms) next = it;
        }
        if (next == timers_.end()) return n;
        t = next->second.task;
        timers_.erase(next);  // ids grow, so the first of equal due times was armed first
      }
      t.fn(t.user_data);
      ++n;
      n += run_posted();
    }
  }

  // advance() then run_due().
  std::size_t advance_and_run(std::chrono::milliseconds d) {
    advance(d);
    return run_due();
  }

  std::size_t pending_timers() const {
    std::lock_guard lock(mu_);
    return timers_.size();
  }
  std::size_t pending_posts() const {
    std::lock_guard lock(mu_);
    return posts_.size();
  }

  void set_http_handler(HttpHandler h) {
    std::lock_guard lock(mu_);
    http_handler_ = std::move(h);
  }
  void set_secret(std::string name, std::string value) {
    std::lock_guard lock(mu_);
    secrets_[std::move(name)] = std::move(value);
  }
  void set_extension(std::string id, const void* ext) {
    std::lock_guard lock(mu_);
    extensions_[std::move(id)] = ext;
  }

  // Records. Copies, so a plugin thread may keep calling the host while a test reads.
  std::vector<StoredInbound> inbound() const { return locked_copy(inbound_); }
  // The size of every submit_inbound call, in order (the host's limit is kMaxInboundBatch).
  std::vector<uint32_t> submit_calls() const { return locked_copy(submit_calls_); }
  std::vector<StoredDelivery> deliveries() const { return locked_copy(deliveries_); }
  std::vector<StateChange> states() const { return locked_copy(states_); }
  std::vector<LogLine> logs() const { return locked_copy(logs_); }
  std::vector<CompletedSend> completed_sends() const { return locked_copy(completed_); }
  std::vector<HttpCall> http_calls() const { return locked_copy(http_calls_); }
  std::vector<std::string> webhook_routes() const { return locked_copy(routes_); }
  std::map<std::string, std::string> kv() const { return locked_copy(kv_); }
  void kv_set(std::string key, std::string value) {
    std::lock_guard lock(mu_);
    kv_[std::move(key)] = std::move(value);
  }
  // Whether any log line contains `needle`.
  bool logged(std::string_view needle) const {
    std::lock_guard lock(mu_);
    return std::any_of(logs_.begin(), logs_.end(),
                       [&](const LogLine& l) { return l.text.find(needle) != std::string::npos; });
  }

 private:
  struct Task {
    sb_task_fn fn = nullptr;
    void* user_data = nullptr;
  };
  struct Timer {
    int64_t due_ms = 0;
    Task task;
  };

  template <class T>
  T locked_copy(const T& v) const {
    std::lock_guard lock(mu_);
    return v;
  }

  static FakeHost& self(sb_host_ctx* h) { return *reinterpret_cast<FakeHost*>(h); }
  static std::string str(const char* d, size_t n) { return d != nullptr ? std::string(d, n) : ""; }

  static void s_log(sb_host_ctx* h, int32_t level, const char* m, size_t n) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    f.logs_.push_back({level, str(m, n)});
  }

  static int32_t s_submit_inbound(sb_host_ctx* h, const sb_inbound_message* const* msgs,
                                  uint32_t count, int32_t* statuses) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    f.submit_calls_.push_back(count);
    // Like the real host: a call above the limit is refused as a whole, statuses unwritten.
    if (msgs == nullptr || statuses == nullptr || count > kMaxInboundBatch) {
      return SB_ERR_INVALID_ARG;
    }
    if (f.stopping_) return SB_ERR_STATE;
    int32_t first_error = SB_OK;
    for (uint32_t i = 0; i < count; ++i) {
      sb_inbound_message m = read_struct(msgs[i]);
      StoredInbound s;
      s.provider_message_id = std::string(view(m.provider_message_id));
      s.from = std::string(view(m.from));
      if (msgs[i] == nullptr || s.provider_message_id.empty() || s.from.empty()) {
        statuses[i] = SB_ERR_INVALID_ARG;
        if (first_error == SB_OK) first_error = SB_ERR_INVALID_ARG;
        continue;
      }
      if (!f.seen_ids_.insert(s.provider_message_id).second) {
        statuses[i] = SB_DUPLICATE;
        continue;
      }
      s.from_kind = std::string(view(m.from_kind));
      s.from_name = std::string(view(m.from_name));
      s.to = std::string(view(m.to));
      s.content_type = std::string(view(m.content_type));
      s.text = std::string(view(m.text));
      s.payload_json = std::string(view(m.payload_json));
      s.raw = std::string(view(m.raw));
      s.reply_to_provider_id = std::string(view(m.reply_to_provider_id));
      s.thread_key = std::string(view(m.thread_key));
      s.sent_at_ms = m.sent_at_ms;
      s.flags = m.flags;
      for (uint32_t a = 0; m.attachments != nullptr && a < m.attachment_count; ++a) {
        Attachment v(m.attachments[a]);
        s.attachments.push_back({std::string(v.kind()), std::string(v.mime_type()),
                                 std::string(v.filename()), std::string(v.url()),
                                 std::string(v.provider_media_id()), std::string(v.caption()),
                                 v.size_bytes().value_or(-1)});
      }
      f.inbound_.push_back(std::move(s));
      statuses[i] = SB_OK;
    }
    return first_error;
  }

  static int32_t s_report_delivery(sb_host_ctx* h, const sb_delivery_report* report) {
    FakeHost& f = self(h);
    if (report == nullptr) return SB_ERR_INVALID_ARG;
    sb_delivery_report r = read_struct(report);
    if (r.status < SB_DELIVERY_QUEUED || r.status > SB_DELIVERY_FAILED) return SB_ERR_INVALID_ARG;
    if (r.message_id == 0 && r.provider_message_id.size == 0) return SB_ERR_INVALID_ARG;
    std::lock_guard lock(f.mu_);
    if (f.stopping_) return SB_ERR_STATE;
    f.deliveries_.push_back({r.status, r.message_id, std::string(view(r.provider_message_id)),
                             r.timestamp_ms, std::string(view(r.error_code)),
                             std::string(view(r.error_text)), std::string(view(r.extra_json)),
                             std::string(view(r.raw))});
    return SB_OK;
  }

  static void s_report_state(sb_host_ctx* h, int32_t state, const char* reason, size_t n) {
    FakeHost& f = self(h);
    if (f.stopping_) return;  // like the real host: from stop on, the host owns the state
    std::lock_guard lock(f.mu_);
    f.states_.push_back({state, str(reason, n)});
  }

  static uint64_t s_set_timer(sb_host_ctx* h, uint64_t delay_ms, sb_task_fn fn, void* ud) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    if (f.stopping_ || fn == nullptr) return 0;
    uint64_t id = ++f.last_timer_id_;
    f.timers_[id] = Timer{f.now_ms_ + static_cast<int64_t>(delay_ms), Task{fn, ud}};
    return id;
  }

  static int32_t s_cancel_timer(sb_host_ctx* h, uint64_t id) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    return f.timers_.erase(id) == 1 ? SB_OK : SB_ERR_NOT_FOUND;
  }

  static int32_t s_post(sb_host_ctx* h, sb_task_fn fn, void* ud) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    if (f.stopping_) return SB_ERR_STATE;
    if (fn == nullptr) return SB_ERR_INVALID_ARG;
    f.posts_.push_back(Task{fn, ud});
    return SB_OK;
  }

  static int32_t s_http_request(sb_host_ctx* h, const sb_http_request* request,
                                const sb_http_response_sink* response, const sb_error_sink* err) {
    FakeHost& f = self(h);
    if (request == nullptr) return SB_ERR_INVALID_ARG;
    sb_http_request r = read_struct(request);
    HttpCall call{std::string(view(r.method)), std::string(view(r.url)),
                  std::string(view(r.headers)), std::string(view(r.body)), r.timeout_ms};
    HttpHandler handler;
    {
      std::lock_guard lock(f.mu_);
      f.http_calls_.push_back(call);
      handler = f.http_handler_;
    }
    HttpReply reply;
    if (!handler) {
      reply.error = SB_ERR_TRANSIENT;
      reply.error_message = "FakeHost: no HTTP handler installed";
    } else {
      reply = handler(call);  // outside the lock: the handler may call back into the host
    }
    if (reply.error < 0) {
      set_error(err, Error{reply.error, reply.error_message, true});
      return reply.error;
    }
    sb_http_response_sink sink = read_struct(response);
    if (sink.status != nullptr) sink.status(sink.ctx, reply.status);
    for (const auto& [k, v] : reply.headers) {
      if (sink.header != nullptr) sink.header(sink.ctx, k.data(), k.size(), v.data(), v.size());
    }
    if (sink.body != nullptr && !reply.body.empty()) {
      sink.body(sink.ctx, reply.body.data(), reply.body.size());
    }
    return SB_OK;
  }

  static int32_t s_register_webhook(sb_host_ctx* h, const char* path, size_t n) {
    FakeHost& f = self(h);
    std::string p = str(path, n);
    if (p.empty() || p.front() != '/') return SB_ERR_INVALID_ARG;
    std::lock_guard lock(f.mu_);
    if (!f.in_setup_) return SB_ERR_STATE;  // only during create or start
    if (std::find(f.routes_.begin(), f.routes_.end(), p) == f.routes_.end()) f.routes_.push_back(p);
    return SB_OK;
  }

  static int32_t s_kv_get(sb_host_ctx* h, const char* k, size_t n, const sb_output_sink* out) {
    FakeHost& f = self(h);
    std::string value;
    {
      std::lock_guard lock(f.mu_);
      auto it = f.kv_.find(str(k, n));
      if (it == f.kv_.end()) return SB_ERR_NOT_FOUND;
      value = it->second;
    }
    write_to(out, value);
    return SB_OK;
  }

  static int32_t s_kv_put(sb_host_ctx* h, const char* k, size_t kn, const char* v, size_t vn) {
    FakeHost& f = self(h);
    if (kn == 0) return SB_ERR_INVALID_ARG;
    std::lock_guard lock(f.mu_);
    f.kv_[str(k, kn)] = str(v, vn);
    return SB_OK;
  }

  static int32_t s_kv_delete(sb_host_ctx* h, const char* k, size_t n) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    return f.kv_.erase(str(k, n)) == 1 ? SB_OK : SB_ERR_NOT_FOUND;
  }

  static int32_t s_get_secret(sb_host_ctx* h, const char* name, size_t n,
                              const sb_output_sink* out) {
    FakeHost& f = self(h);
    std::string value;
    {
      std::lock_guard lock(f.mu_);
      auto it = f.secrets_.find(str(name, n));
      if (it == f.secrets_.end()) return SB_ERR_NOT_FOUND;
      value = it->second;
    }
    write_to(out, value);
    return SB_OK;
  }

  static int64_t s_now_ms(sb_host_ctx* h) { return self(h).now_ms(); }

  static const void* s_get_extension(sb_host_ctx* h, const char* id, size_t n) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    auto it = f.extensions_.find(str(id, n));
    return it == f.extensions_.end() ? nullptr : it->second;
  }

  static int32_t s_complete_send(sb_host_ctx* h, int64_t message_id, int32_t status,
                                 const char* provider_id, size_t n, const sb_error_info* err) {
    FakeHost& f = self(h);
    std::lock_guard lock(f.mu_);
    if (f.pending_sends_.erase(message_id) != 1) return SB_ERR_NOT_FOUND;  // not pending (any more)
    CompletedSend c{message_id, status, str(provider_id, n), {}};
    if (status != SB_OK) c.error = Error::from_info(status, err);
    f.completed_.push_back(std::move(c));
    return SB_OK;
  }

  sb_host_api api_{};
  const sb_plugin_entry* entry_ = nullptr;
  sb_channel_vtable vtable_{};
  sb_channel* channel_ = nullptr;
  std::string instance_id_, config_json_;
  std::atomic<bool> in_setup_{false};  // inside create or start: webhook routes may be added
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;               // guards everything below: plugin threads may call the host
  int64_t now_ms_ = 1'700'000'000'000;  // a fixed, realistic start so "0 = unknown" stays distinct
  uint64_t last_timer_id_ = 0;
  std::map<uint64_t, Timer> timers_;
  std::deque<Task> posts_;
  std::set<std::string> seen_ids_;
  std::set<int64_t> pending_sends_;
  std::vector<StoredInbound> inbound_;
  std::vector<uint32_t> submit_calls_;
  std::vector<StoredDelivery> deliveries_;
  std::vector<StateChange> states_;
  std::vector<LogLine> logs_;
  std::vector<CompletedSend> completed_;
  std::vector<HttpCall> http_calls_;
  std::vector<std::string> routes_;
  std::map<std::string, std::string> kv_;
  std::map<std::string, std::string> secrets_;
  std::map<std::string, const void*> extensions_;
  HttpHandler http_handler_;
};

#if defined(SB_FAKE_HOST_HAS_DLOPEN)
// Opens a built plugin library and binds its entry, as the host does. The library stays mapped for
// the life of the process (the host never dlcloses either), so the entry pointer never dangles.
inline Result<const sb_plugin_entry*> open_plugin_library(const std::string& path) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Error::not_found(std::string("dlopen: ") + dlerror());
  void* sym = dlsym(handle, SB_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) return Error::not_found("no " SB_PLUGIN_ENTRY_SYMBOL " in " + path);
  auto fn = reinterpret_cast<sb_plugin_entry_fn>(sym);
  const sb_plugin_entry* entry = fn();
  if (entry == nullptr) return Error::invalid_arg(SB_PLUGIN_ENTRY_SYMBOL " returned NULL");
  return entry;
}
#endif

}  // namespace switchboard::testing
