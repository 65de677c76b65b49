// Part of switchboard/sdk.hpp: the Host wrapper over sb_host_api.
#pragma once

#include <switchboard/sdk/core.hpp>
#include <switchboard/sdk/http.hpp>
#include <switchboard/sdk/messages.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#if defined(__cpp_exceptions)
#include <exception>
#endif

namespace switchboard {

// The most messages one sb_host_api::submit_inbound call may carry (abi.h); Host::submit_inbound
// splits larger batches into calls of this size.
inline constexpr std::size_t kMaxInboundBatch = 1000;

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

  // Any number of messages: the SDK hands them to the host in chunks of at most kMaxInboundBatch
  // (the host refuses a larger call as a whole), one commit per chunk. statuses covers them all;
  // status is the first error of any chunk. A chunk the host refused as a whole leaves its
  // messages unjudged: they get the call's status, or SB_ERR_INTERNAL when that status is
  // SB_ERR_INVALID_ARG (the call was refused, not the message), so no caller mistakes an unstored
  // message for an invalid one and acknowledges it.
  SubmitResult submit_inbound(std::span<const sb_inbound_message* const> messages) const {
    SubmitResult r;
    r.statuses.assign(messages.size(), SB_ERR_UNSUPPORTED);
    if (!supports(&sb_host_api::submit_inbound)) {
      r.status = SB_ERR_UNSUPPORTED;
      return r;
    }
    for (std::size_t at = 0; at < messages.size(); at += kMaxInboundBatch) {
      const std::size_t n = std::min<std::size_t>(kMaxInboundBatch, messages.size() - at);
      const int32_t rc = submit_chunk(messages.subspan(at, n), r.statuses.data() + at);
      if (rc < 0 && r.status == SB_OK) r.status = rc;
    }
    return r;
  }

  // One message; the answer is its own status (SB_OK, SB_DUPLICATE or an SB_ERR_*).
  int32_t submit_inbound(const InboundMessage& message) const {
    SubmitResult r = submit_inbound(std::span<const InboundMessage>(&message, 1));
    return r.statuses[0];
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
  // One call of at most kMaxInboundBatch messages; fills statuses[0..n) (see submit_inbound).
  int32_t submit_chunk(std::span<const sb_inbound_message* const> chunk, int32_t* statuses) const {
    // A host that fails the whole call may leave statuses unwritten: those get the call's status.
    constexpr int32_t kUnwritten = INT32_MIN;
    std::fill_n(statuses, chunk.size(), kUnwritten);
    const int32_t rc =
        api_->submit_inbound(ctx_, chunk.data(), static_cast<uint32_t>(chunk.size()), statuses);
    const int32_t unjudged = rc < 0 && rc != SB_ERR_INVALID_ARG ? rc : SB_ERR_INTERNAL;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (statuses[i] == kUnwritten) statuses[i] = unjudged;
    }
    return rc;
  }

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

}  // namespace switchboard
