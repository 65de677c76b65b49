// The sb_host_api table and the host side of each call. Every trampoline is noexcept in effect:
// nothing thrown on the host side crosses into the plugin.
#include <algorithm>
#include <chrono>
#include <cstring>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

#include "core/text_input.h"
#include "log/log.h"
#include "runtime/channel_instance.h"
#include "runtime/http_client.h"
#include "runtime/sinks.h"

namespace sb::runtime {
namespace {

constexpr size_t kMaxLogLine = 16 * 1024;
constexpr size_t kMaxKvKey = 512;
constexpr size_t kMaxKvValue = size_t{1} << 20;
constexpr size_t kMaxWebhookPath = 256;
constexpr size_t kMaxProviderId = 512;
constexpr uint32_t kMaxInboundBatch = 1000;
constexpr uint64_t kMaxTimerDelayMs = uint64_t{366} * 24 * 3600 * 1000;

int32_t store_error(const Status& s) {
  switch (s.code()) {
    case Code::kNotFound:
      return SB_ERR_NOT_FOUND;
    case Code::kInvalidArgument:
      return SB_ERR_INVALID_ARG;
    case Code::kUnavailable:
    case Code::kResourceExhausted:
      return SB_ERR_TRANSIENT;
    default:
      return SB_ERR_INTERNAL;
  }
}

void report_error(const sb_error_sink* err, std::string_view message, bool retryable) {
  if (err == nullptr || err->set == nullptr) return;
  sb_error_info info{};
  info.struct_size = sizeof info;
  info.retryable = retryable ? 1 : 0;
  info.message = to_sb(message);
  err->set(err->ctx, &info);
}

void write(const sb_output_sink* out, std::string_view data) {
  if (out != nullptr && out->write != nullptr) out->write(out->ctx, data.data(), data.size());
}

// A copy of a plugin struct zero-extended to ours, or nullopt when it is too short to hold `need`.
template <class T>
std::optional<T> copy_in(const T* from, size_t need) {
  if (from == nullptr || from->struct_size < need) return std::nullopt;
  T out{};
  std::memcpy(&out, from, std::min<size_t>(from->struct_size, sizeof(T)));
  return out;
}

// Plugin strings must be well-formed: NULL only when empty, valid UTF-8.
bool text_ok(sb_str s) {
  if (s.data == nullptr && s.size != 0) return false;
  return sb::is_valid_utf8(view(s));
}
bool bytes_ok(sb_str s) {
  return s.data != nullptr || s.size == 0;
}

std::optional<store::InboundMessage> convert_inbound(const sb_inbound_message* raw,
                                                     const std::string& instance_id) {
  auto m = copy_in(raw, offsetof(sb_inbound_message, provider_message_id) + sizeof(sb_str));
  if (!m) return std::nullopt;
  for (sb_str s :
       {m->provider_message_id, m->from, m->from_kind, m->from_name, m->to, m->content_type,
        m->text, m->payload_json, m->reply_to_provider_id, m->thread_key}) {
    if (!text_ok(s)) return std::nullopt;
  }
  if (!bytes_ok(m->raw)) return std::nullopt;
  if (m->provider_message_id.size == 0 || m->provider_message_id.size > kMaxProviderId) {
    return std::nullopt;
  }
  if (m->attachment_count > 0 && m->attachments == nullptr) return std::nullopt;
  store::InboundMessage out;
  out.instance_id = instance_id;
  out.provider_message_id = std::string(view(m->provider_message_id));
  out.from = std::string(view(m->from));
  out.from_kind = std::string(view(m->from_kind));
  out.from_name = std::string(view(m->from_name));
  out.to = std::string(view(m->to));
  out.content_type = std::string(view(m->content_type));
  out.text = std::string(view(m->text));
  out.payload_json = std::string(view(m->payload_json));
  out.raw = std::string(view(m->raw));
  out.reply_to_provider_id = std::string(view(m->reply_to_provider_id));
  out.thread_key = std::string(view(m->thread_key));
  out.sent_at_ms = m->sent_at_ms;
  out.flags = m->flags;
  for (uint32_t i = 0; i < m->attachment_count; ++i) {
    auto a = copy_in(m->attachments[i], offsetof(sb_attachment, size_bytes) + sizeof(int64_t));
    if (!a) return std::nullopt;
    for (sb_str s :
         {a->kind, a->mime_type, a->filename, a->url, a->provider_media_id, a->caption}) {
      if (!text_ok(s)) return std::nullopt;
    }
    out.attachments.push_back({std::string(view(a->kind)), std::string(view(a->mime_type)),
                               std::string(view(a->filename)), std::string(view(a->url)),
                               std::string(view(a->provider_media_id)),
                               std::string(view(a->caption)), a->size_bytes});
  }
  return out;
}

bool valid_webhook_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > kMaxWebhookPath) return false;
  if (path.find("//") != std::string_view::npos || path.find("/../") != std::string_view::npos ||
      path.ends_with("/..") || path.find("/./") != std::string_view::npos || path.ends_with("/.")) {
    return false;
  }
  return std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '-' || c == '_' || c == '.' || c == '~';
  });
}

ChannelInstance* inst(sb_host_ctx* host) {
  return host == nullptr ? nullptr : host->instance;
}

// Runs body, turning any host-side exception into SB_ERR_INTERNAL.
template <class F>
int32_t guarded(F&& body) {
  try {
    return body();
  } catch (...) {
    return SB_ERR_INTERNAL;
  }
}

// --- trampolines --------------------------------------------------------------------------------

void t_log(sb_host_ctx* host, int32_t level, const char* message, size_t size) {
  try {
    if (auto* i = inst(host)) i->api_log(level, view(message, size));
  } catch (...) {
  }
}
int32_t t_submit_inbound(sb_host_ctx* host, const sb_inbound_message* const* messages,
                         uint32_t count, int32_t* statuses) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_submit_inbound(messages, count, statuses); });
}
int32_t t_report_delivery(sb_host_ctx* host, const sb_delivery_report* report) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_report_delivery(report); });
}
void t_report_state(sb_host_ctx* host, int32_t state, const char* reason, size_t size) {
  try {
    if (auto* i = inst(host)) i->api_report_state(state, view(reason, size));
  } catch (...) {
  }
}
uint64_t t_set_timer(sb_host_ctx* host, uint64_t delay_ms, sb_task_fn fn, void* user_data) {
  try {
    auto* i = inst(host);
    return i == nullptr ? 0 : i->api_set_timer(delay_ms, fn, user_data);
  } catch (...) {
    return 0;
  }
}
int32_t t_cancel_timer(sb_host_ctx* host, uint64_t timer_id) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_cancel_timer(timer_id); });
}
int32_t t_post(sb_host_ctx* host, sb_task_fn fn, void* user_data) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_post(fn, user_data); });
}
int32_t t_http_request(sb_host_ctx* host, const sb_http_request* request,
                       const sb_http_response_sink* response, const sb_error_sink* err) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_http_request(request, response, err); });
}
int32_t t_register_webhook(sb_host_ctx* host, const char* path, size_t size) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_register_webhook(view(path, size)); });
}
int32_t t_kv_get(sb_host_ctx* host, const char* key, size_t key_size, const sb_output_sink* out) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_kv_get(view(key, key_size), out); });
}
int32_t t_kv_put(sb_host_ctx* host, const char* key, size_t key_size, const char* value,
                 size_t value_size) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  if (value == nullptr && value_size != 0) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_kv_put(view(key, key_size), view(value, value_size)); });
}
int32_t t_kv_delete(sb_host_ctx* host, const char* key, size_t key_size) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_kv_delete(view(key, key_size)); });
}
int32_t t_get_secret(sb_host_ctx* host, const char* name, size_t size, const sb_output_sink* out) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] { return i->api_get_secret(view(name, size), out); });
}
int64_t t_now_ms(sb_host_ctx* host) {
  try {
    if (auto* i = inst(host)) return i->api_now_ms();
  } catch (...) {
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
const void* t_get_extension(sb_host_ctx*, const char*, size_t) {
  return nullptr;
}
int32_t t_complete_send(sb_host_ctx* host, int64_t message_id, int32_t status,
                        const char* provider_id, size_t provider_id_size,
                        const sb_error_info* err) {
  auto* i = inst(host);
  if (i == nullptr) return SB_ERR_INVALID_ARG;
  return guarded([&] {
    return i->api_complete_send(message_id, status, view(provider_id, provider_id_size), err);
  });
}

constexpr sb_host_api kHostApi = {
    sizeof(sb_host_api), SB_ABI_MAJOR,       SB_ABI_MINOR,    t_log,           t_submit_inbound,
    t_report_delivery,   t_report_state,     t_set_timer,     t_cancel_timer,  t_post,
    t_http_request,      t_register_webhook, t_kv_get,        t_kv_put,        t_kv_delete,
    t_get_secret,        t_now_ms,           t_get_extension, t_complete_send,
};

}  // namespace

const sb_host_api* host_api_table() {
  return &kHostApi;
}

// --- the host side ------------------------------------------------------------------------------

void ChannelInstance::api_log(int32_t level, std::string_view message) {
  spdlog::level::level_enum lvl = spdlog::level::info;
  switch (level) {
    case SB_LOG_TRACE:
      lvl = spdlog::level::trace;
      break;
    case SB_LOG_DEBUG:
      lvl = spdlog::level::debug;
      break;
    case SB_LOG_INFO:
      lvl = spdlog::level::info;
      break;
    case SB_LOG_WARN:
      lvl = spdlog::level::warn;
      break;
    default:
      lvl = level >= SB_LOG_ERROR ? spdlog::level::err : spdlog::level::info;
  }
  if (!logger_->should_log(lvl)) return;
  const std::string line = log::redact(message.substr(0, kMaxLogLine), secret_values_);
  logger_->log(lvl, "[{}] {}", id(), line);
}

int32_t ChannelInstance::api_submit_inbound(const sb_inbound_message* const* messages,
                                            uint32_t count, int32_t* statuses) {
  if (count == 0) return SB_OK;
  if (messages == nullptr || statuses == nullptr || count > kMaxInboundBatch) {
    return SB_ERR_INVALID_ARG;
  }
  if (stopping_) {
    std::fill_n(statuses, count, SB_ERR_STATE);
    return SB_ERR_STATE;
  }
  std::vector<store::InboundMessage> valid;
  std::vector<uint32_t> index;  // valid[k] is messages[index[k]]
  int32_t first_error = SB_OK;
  for (uint32_t i = 0; i < count; ++i) {
    auto m = convert_inbound(messages[i], id());
    if (!m) {
      statuses[i] = SB_ERR_INVALID_ARG;
      if (first_error == SB_OK) first_error = SB_ERR_INVALID_ARG;
      ++counters_.inbound_invalid;
      continue;
    }
    valid.push_back(std::move(*m));
    index.push_back(i);
  }
  if (valid.empty()) return first_error;
  auto outcomes = services_.store->insert_inbound_resolved(valid);
  if (!outcomes) {
    const int32_t rc =
        outcomes.status().code() == Code::kInvalidArgument ? SB_ERR_INVALID_ARG : SB_ERR_TRANSIENT;
    logger_->error("[{}] storing {} inbound message(s) failed: {}", id(), valid.size(),
                   outcomes.status().message());
    for (uint32_t i : index) statuses[i] = rc;
    return first_error != SB_OK ? first_error : rc;
  }
  for (size_t k = 0; k < index.size(); ++k) {
    const bool dup =
        k < outcomes->size() && (*outcomes)[k].outcome == store::InsertOutcome::kDuplicate;
    statuses[index[k]] = dup ? SB_DUPLICATE : SB_OK;
    ++(dup ? counters_.inbound_duplicate : counters_.inbound_stored);
    if (!dup && k < outcomes->size() && services_.on_inbound_stored) {
      boost::asio::post(io_, [hook = services_.on_inbound_stored, message = valid[k],
                              result = (*outcomes)[k]] { hook(message, result); });
    }
  }
  return first_error;
}

int32_t ChannelInstance::api_report_delivery(const sb_delivery_report* report) {
  auto r = copy_in(report, offsetof(sb_delivery_report, provider_message_id) + sizeof(sb_str));
  if (!r) return SB_ERR_INVALID_ARG;
  if (stopping_) return SB_ERR_STATE;
  if (r->status < SB_DELIVERY_QUEUED || r->status > SB_DELIVERY_FAILED) return SB_ERR_INVALID_ARG;
  for (sb_str s : {r->provider_message_id, r->error_code, r->error_text, r->extra_json}) {
    if (!text_ok(s)) return SB_ERR_INVALID_ARG;
  }
  if (!bytes_ok(r->raw)) return SB_ERR_INVALID_ARG;
  if (r->message_id == 0 && r->provider_message_id.size == 0) return SB_ERR_INVALID_ARG;
  store::DeliveryUpdate u;
  u.instance_id = id();
  u.message_id = r->message_id;
  u.provider_message_id = std::string(view(r->provider_message_id));
  u.status = static_cast<store::DeliveryStatus>(r->status);
  u.timestamp_ms = r->timestamp_ms != 0 ? r->timestamp_ms : api_now_ms();
  u.error_code = std::string(view(r->error_code));
  u.error_text = std::string(view(r->error_text));
  u.extra_json = std::string(view(r->extra_json));
  u.raw = std::string(view(r->raw));
  store::DeliveryApplied applied;
  if (Status s = services_.store->apply_delivery(u, &applied); !s) return store_error(s);
  // A provider failing a message it had accepted: counted when the message becomes failed, so a
  // repeated report, or one for a message the host already gave up on, is not counted again.
  if (u.status == store::DeliveryStatus::kFailed && applied.advanced) ++counters_.messages_failed;
  // Events follow the message's status: a report that moved nothing (the channel's own "sent"
  // after the outbox recorded it, a redelivered webhook, a late "delivered" after "read") is
  // accepted but publishes no second message.status.
  if (applied.advanced && services_.on_delivery_applied) services_.on_delivery_applied(u);
  ++counters_.delivery_reports;
  return SB_OK;
}

void ChannelInstance::api_report_state(int32_t state, std::string_view reason) {
  if (stopping_) return;  // the host owns the state from stop on
  InstanceState next;
  switch (state) {
    case SB_STATE_STARTING:
      next = InstanceState::kStarting;
      break;
    case SB_STATE_RUNNING:
      next = InstanceState::kRunning;
      break;
    case SB_STATE_DEGRADED:
      next = InstanceState::kDegraded;
      break;
    case SB_STATE_FAILED:
      next = InstanceState::kFailed;
      break;
    case SB_STATE_STOPPED:
      next = InstanceState::kStopped;
      break;
    default:
      logger_->warn("[{}] reported unknown state {}", id(), state);
      return;
  }
  std::string why = log::redact(reason.substr(0, 1024), secret_values_);
  if (!sb::is_valid_utf8(why)) why = "(reason not UTF-8)";
  logger_->info("[{}] state {}{}{}", id(), to_string(next), why.empty() ? "" : ": ", why);
  set_state(next, std::move(why));
}

uint64_t ChannelInstance::api_set_timer(uint64_t delay_ms, sb_task_fn fn, void* user_data) {
  if (fn == nullptr || stopping_) return 0;
  auto timer = std::make_shared<boost::asio::steady_timer>(
      io_, std::chrono::milliseconds(std::min(delay_ms, kMaxTimerDelayMs)));
  uint64_t timer_id = 0;
  {
    std::lock_guard lock(mu_);
    // Checked again under the lock: stop cancels every timer it finds here.
    if (stopping_) return 0;
    timer_id = next_timer_id_++;
    timers_.emplace(timer_id, timer);
  }
  timer->async_wait(
      boost::asio::bind_executor(strand_, [self = shared_from_this(), timer, timer_id, fn,
                                           user_data](const boost::system::error_code& ec) {
        {
          std::lock_guard lock(self->mu_);
          // Gone from the map: cancelled (or stop ran), and cancel_timer promised it won't fire.
          if (self->timers_.erase(timer_id) == 0) return;
        }
        if (ec || self->stopping_) return;
        fn(user_data);
      }));
  return timer_id;
}

int32_t ChannelInstance::api_cancel_timer(uint64_t timer_id) {
  std::lock_guard lock(mu_);
  auto it = timers_.find(timer_id);
  if (it == timers_.end()) return SB_ERR_NOT_FOUND;
  it->second->cancel();
  timers_.erase(it);
  return SB_OK;
}

int32_t ChannelInstance::api_post(sb_task_fn fn, void* user_data) {
  if (fn == nullptr) return SB_ERR_INVALID_ARG;
  if (stopping_) return SB_ERR_STATE;
  boost::asio::post(strand_, [self = shared_from_this(), fn, user_data] {
    if (self->stopping_) return;
    fn(user_data);
  });
  return SB_OK;
}

int32_t ChannelInstance::api_http_request(const sb_http_request* request,
                                          const sb_http_response_sink* response,
                                          const sb_error_sink* err) {
  auto req = copy_in(request, offsetof(sb_http_request, body) + sizeof(sb_str));
  if (!req || response == nullptr) {
    report_error(err, "http_request: request or response sink missing", false);
    return SB_ERR_INVALID_ARG;
  }
  sb_http_response_sink sink{};
  std::memcpy(&sink, response, std::min<size_t>(response->struct_size, sizeof sink));
  HttpClientLimits limits;
  limits.default_timeout_ms = services_.default_http_timeout_ms;
  limits.max_response_bytes = services_.max_http_response_bytes;
  HttpClientError error;
  const int32_t rc = perform_http_request(*req, sink, limits, error);
  if (rc != SB_OK) report_error(err, error.message, error.retryable);
  return rc;
}

int32_t ChannelInstance::api_register_webhook(std::string_view path) {
  // [instance strand] during create or start only: routes are fixed once the instance runs.
  if (!strand_.running_in_this_thread() || !in_setup_) return SB_ERR_STATE;
  if (plugin().vtable().handle_webhook == nullptr) return SB_ERR_UNSUPPORTED;
  if (!valid_webhook_path(path)) return SB_ERR_INVALID_ARG;
  std::lock_guard lock(mu_);
  webhook_paths_.emplace(path);
  return SB_OK;
}

int32_t ChannelInstance::api_kv_get(std::string_view key, const sb_output_sink* out) {
  if (key.empty() || key.size() > kMaxKvKey) return SB_ERR_INVALID_ARG;
  auto value = services_.store->kv_get(id(), key);
  if (!value) return store_error(value.status());
  if (!value->has_value()) return SB_ERR_NOT_FOUND;
  write(out, **value);
  return SB_OK;
}

int32_t ChannelInstance::api_kv_put(std::string_view key, std::string_view value) {
  if (key.empty() || key.size() > kMaxKvKey || value.size() > kMaxKvValue) {
    return SB_ERR_INVALID_ARG;
  }
  if (Status s = services_.store->kv_put(id(), key, value); !s) return store_error(s);
  return SB_OK;
}

int32_t ChannelInstance::api_kv_delete(std::string_view key) {
  if (key.empty() || key.size() > kMaxKvKey) return SB_ERR_INVALID_ARG;
  if (Status s = services_.store->kv_delete(id(), key); !s) return store_error(s);
  return SB_OK;
}

int32_t ChannelInstance::api_get_secret(std::string_view name, const sb_output_sink* out) {
  auto it = spec_.secrets.find(std::string(name));
  if (it == spec_.secrets.end()) return SB_ERR_NOT_FOUND;
  write(out, it->second);
  return SB_OK;
}

int64_t ChannelInstance::api_now_ms() {
  if (services_.now_ms) return services_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int32_t ChannelInstance::api_complete_send(int64_t message_id, int32_t status,
                                           std::string_view provider_id, const sb_error_info* err) {
  if (status == SB_PENDING || status == SB_DUPLICATE) return SB_ERR_INVALID_ARG;
  if (!sb::is_valid_utf8(provider_id) || provider_id.size() > kMaxProviderId) {
    return SB_ERR_INVALID_ARG;
  }
  AttemptHandler outbox;  // set when the send came from the outbox dispatcher
  bool in_call = false;   // the outbox's send() has not returned yet: its answer is kept for it
  {
    std::lock_guard lock(mu_);
    if (sends_in_call_.contains(message_id)) {
      if (early_completions_.contains(message_id)) return SB_ERR_STATE;  // exactly once
      in_call = true;
    } else if (pending_attempts_.erase(message_id) != 0) {
      outbox = attempt_completion_;
    } else if (pending_sends_.erase(message_id) == 0) {
      return SB_ERR_NOT_FOUND;
    }
  }
  std::string message, code;
  int64_t retry_after_ms = 0;
  bool retryable = false;
  if (auto e = copy_in(err, offsetof(sb_error_info, message) + sizeof(sb_str))) {
    message = log::redact(view(e->message).substr(0, 4096), secret_values_);
    retryable = e->retryable != 0;
    retry_after_ms = e->retry_after_ms;
    if (e->struct_size >= offsetof(sb_error_info, provider_code) + sizeof(sb_str)) {
      code = std::string(view(e->provider_code).substr(0, 256));
    }
  }
  if (outbox || in_call) {
    SendAttempt attempt;
    attempt.status = status;
    if (status >= 0) {
      ++counters_.sent;
      attempt.kind = SendAttempt::Kind::kSent;
      attempt.provider_message_id = std::string(provider_id);
    } else {
      ++counters_.send_failed;
      attempt.kind = SendAttempt::Kind::kFailed;
      attempt.error_message = std::move(message);
      attempt.provider_code = std::move(code);
      attempt.retry_after_ms = retry_after_ms;
      attempt.retryable = retryable || status == SB_ERR_TRANSIENT ||
                          status == SB_ERR_RATE_LIMITED || status == SB_ERR_TIMEOUT;
    }
    if (in_call) {
      std::lock_guard lock(mu_);
      early_completions_.emplace(message_id, std::move(attempt));
      return SB_OK;
    }
    outbox(message_id, std::move(attempt));
    return SB_OK;
  }
  record_send_result(message_id, status, provider_id, message, code, nullptr);
  return SB_OK;
}

}  // namespace sb::runtime
