#include "runtime/channel_instance.h"

#include <strings.h>

#include <future>

#include <boost/asio/post.hpp>

#include "log/log.h"
#include "runtime/sinks.h"

namespace sb::runtime {

struct ChannelInstance::Key {};

namespace {

constexpr size_t kMaxWebhookReplyBody = size_t{4} << 20;
constexpr size_t kMaxWebhookReplyHeaders = 64;

int http_status_for(int32_t plugin_status) {
  switch (plugin_status) {
    case SB_ERR_INVALID_ARG:
      return 400;
    case SB_ERR_AUTH:
      return 401;
    case SB_ERR_REJECTED:
      return 403;
    case SB_ERR_NOT_FOUND:
      return 404;
    case SB_ERR_RATE_LIMITED:
      return 429;
    case SB_ERR_UNSUPPORTED:
      return 501;
    case SB_ERR_TRANSIENT:
    case SB_ERR_STATE:
      return 503;
    case SB_ERR_TIMEOUT:
      return 504;
    default:
      return 500;
  }
}

std::string json_error_body(std::string_view code, std::string_view message) {
  return "{\"error\":{\"code\":\"" + log::json_escape(code) + "\",\"message\":\"" +
         log::json_escape(message) + "\"}}";
}

WebhookReply error_reply(int status, std::string_view code, std::string_view message) {
  WebhookReply r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json_error_body(code, message);
  return r;
}

// The text of an outbound message (store::OutboundMessage or store::MessageRecord) as the ABI
// promises it: UTF-8.
template <class Message>
Status check_message_utf8(std::string_view what, const Message& m) {
  return check_utf8(what, {{"idempotency_key", m.idempotency_key},
                           {"to", m.to},
                           {"from", m.from},
                           {"content_type", m.content_type},
                           {"text", m.text},
                           {"payload_json", m.payload_json},
                           {"reply_to_provider_id", m.reply_to_provider_id}});
}

bool retryable_status(int32_t status) {
  return status == SB_ERR_TRANSIENT || status == SB_ERR_RATE_LIMITED || status == SB_ERR_TIMEOUT;
}

// The plugin's answer to a webhook, built through sb_webhook_response.
struct ReplyBuilder {
  WebhookReply reply;
  bool status_set = false;
  sb_webhook_response response{
      sizeof(sb_webhook_response), this,
      [](void* ctx, int32_t status) {
        auto* self = static_cast<ReplyBuilder*>(ctx);
        if (status < 100 || status > 599) return;
        self->reply.status = status;
        self->status_set = true;
      },
      [](void* ctx, const char* name, size_t name_size, const char* value, size_t value_size) {
        auto* self = static_cast<ReplyBuilder*>(ctx);
        const std::string_view n = view(name, name_size), v = view(value, value_size);
        // No header injection: names are tokens, values carry no line breaks.
        if (n.empty() || n.find_first_of(":\r\n \t") != std::string_view::npos ||
            v.find_first_of("\r\n") != std::string_view::npos ||
            self->reply.headers.size() >= kMaxWebhookReplyHeaders) {
          return;
        }
        if (n.size() == 12 && strncasecmp(n.data(), "Content-Type", 12) == 0) {
          self->reply.content_type = std::string(v);
        } else {
          self->reply.headers.emplace_back(n, v);
        }
      },
      [](void* ctx, const char* data, size_t size) {
        auto* self = static_cast<ReplyBuilder*>(ctx);
        const size_t room =
            kMaxWebhookReplyBody - std::min(kMaxWebhookReplyBody, self->reply.body.size());
        self->reply.body.append(view(data, size).substr(0, room));
      }};
};

}  // namespace

std::string_view to_string(InstanceState state) {
  switch (state) {
    case InstanceState::kCreated:
      return "created";
    case InstanceState::kStarting:
      return "starting";
    case InstanceState::kRunning:
      return "running";
    case InstanceState::kDegraded:
      return "degraded";
    case InstanceState::kFailed:
      return "failed";
    case InstanceState::kStopped:
      return "stopped";
  }
  return "unknown";
}

ChannelInstance::ChannelInstance(const Key&, boost::asio::io_context& io,
                                 const HostServices& services, InstanceSpec spec,
                                 const sb_host_api* api)
    : io_(io),
      services_(services),
      spec_(std::move(spec)),
      api_(api),
      strand_(boost::asio::make_strand(io)),
      logger_(log::logger(spec_.plugin->id())) {
  for (const auto& [name, value] : spec_.secrets) secret_values_.push_back(value);
}

ChannelInstance::~ChannelInstance() = default;

std::shared_ptr<ChannelInstance> ChannelInstance::make(boost::asio::io_context& io,
                                                       const HostServices& services,
                                                       InstanceSpec spec, const sb_host_api* api) {
  return std::make_shared<ChannelInstance>(Key{}, io, services, std::move(spec), api);
}

template <class F>
auto ChannelInstance::on_strand(F&& f) -> decltype(f()) {
  using R = decltype(f());
  if (strand_.running_in_this_thread()) return f();
  auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(f));
  auto result = task->get_future();
  // packaged_task keeps any exception for get(): nothing escapes the Asio handler.
  boost::asio::post(strand_, [task] { (*task)(); });
  return result.get();
}

std::string ChannelInstance::state_reason() const {
  std::lock_guard lock(mu_);
  return state_reason_;
}

void ChannelInstance::set_state(InstanceState state, std::string reason) {
  {
    std::lock_guard lock(mu_);
    state_reason_ = std::move(reason);
  }
  state_.store(state);
}

InstanceStats ChannelInstance::stats() const {
  InstanceStats s;
  s.inbound_stored = counters_.inbound_stored.load();
  s.inbound_duplicate = counters_.inbound_duplicate.load();
  s.inbound_invalid = counters_.inbound_invalid.load();
  s.sent = counters_.sent.load();
  s.send_pending = counters_.send_pending.load();
  s.send_failed = counters_.send_failed.load();
  s.messages_rejected = counters_.messages_rejected.load();
  s.messages_failed = counters_.messages_failed.load();
  s.delivery_reports = counters_.delivery_reports.load();
  s.webhooks = counters_.webhooks.load();
  s.webhook_errors = counters_.webhook_errors.load();
  return s;
}

Status ChannelInstance::create() {
  return on_strand([this]() -> Status {
    if (channel_ != nullptr || destroyed_ || stopping_) {
      return failed_precondition("instance \"" + id() + "\": create called twice or after stop");
    }
    const auto& vt = plugin().vtable();
    if (vt.validate_config != nullptr) {
      ErrorCapture err;
      const int32_t rc =
          vt.validate_config(spec_.config_json.data(), spec_.config_json.size(), err.sink());
      if (rc < 0) {
        Status s = status_from_plugin(
            rc, "instance \"" + id() + "\": plugin \"" + plugin().id() + "\" rejected its config",
            log::redact(err.message(), secret_values_));
        set_state(InstanceState::kFailed, s.message());
        return s;
      }
    }
    const sb_create_params params{sizeof(sb_create_params), 0, api_, &ctx_, to_sb(spec_.id),
                                  to_sb(spec_.config_json)};
    ErrorCapture err;
    sb_channel* out = nullptr;
    in_setup_ = true;
    const int32_t rc = plugin().entry().create(&params, &out, err.sink());
    in_setup_ = false;
    if (rc < 0 || out == nullptr) {
      Status s = status_from_plugin(
          rc < 0 ? rc : SB_ERR_INTERNAL,
          "instance \"" + id() + "\": plugin \"" + plugin().id() + "\" create failed",
          rc < 0 ? log::redact(err.message(), secret_values_) : "create returned no channel");
      set_state(InstanceState::kFailed, s.message());
      return s;
    }
    channel_ = out;
    set_state(InstanceState::kCreated, "");
    return Status::ok();
  });
}

Status ChannelInstance::start() {
  return on_strand([this]() -> Status {
    if (channel_ == nullptr || stopping_) {
      return failed_precondition("instance \"" + id() +
                                 "\": start needs a created, unstopped instance");
    }
    set_state(InstanceState::kStarting, "");
    ErrorCapture err;
    in_setup_ = true;
    const int32_t rc = plugin().vtable().start(channel_, err.sink());
    in_setup_ = false;
    if (rc < 0) {
      Status s = status_from_plugin(rc, "instance \"" + id() + "\": start failed",
                                    log::redact(err.message(), secret_values_));
      set_state(InstanceState::kFailed, s.message());
      return s;
    }
    // The plugin may already have reported degraded (or failed) during start; keep that.
    if (state_.load() == InstanceState::kStarting) set_state(InstanceState::kRunning, "");
    return Status::ok();
  });
}

void ChannelInstance::stop() {
  on_strand([this] {
    if (stop_done_) return;
    // From here on every queued timer or post of this instance finds stopping_ set and returns
    // without calling the plugin: they run on this strand, after this job.
    stopping_ = true;
    if (channel_ != nullptr) plugin().vtable().stop(channel_);
    cancel_all_timers();
    stop_done_ = true;
    size_t pending = 0;
    {
      std::lock_guard lock(mu_);
      pending = pending_sends_.size();
    }
    if (pending > 0) {
      logger_->warn("[{}] stopped with {} send(s) still pending; they stay queued", id(), pending);
    }
    set_state(InstanceState::kStopped, "stopped");
  });
}

void ChannelInstance::destroy() {
  stop();
  on_strand([this] {
    if (destroyed_) return;
    destroyed_ = true;
    if (channel_ != nullptr) plugin().vtable().destroy(channel_);
    channel_ = nullptr;
  });
}

void ChannelInstance::cancel_all_timers() {
  std::lock_guard lock(mu_);
  for (auto& [timer_id, timer] : timers_) timer->cancel();
  timers_.clear();
}

std::vector<std::string> ChannelInstance::webhook_paths() const {
  std::lock_guard lock(mu_);
  return {webhook_paths_.begin(), webhook_paths_.end()};
}

void ChannelInstance::record_send_result(int64_t message_id, int32_t status,
                                         std::string_view provider_id,
                                         std::string_view error_message,
                                         std::string_view provider_code, SendOutcome* outcome) {
  store::Store& store = *services_.store;
  if (status >= 0) {
    if (!provider_id.empty()) {
      if (Status s = store.set_provider_id(message_id, provider_id); !s) {
        logger_->error("[{}] message {}: cannot record provider id: {}", id(), message_id,
                       s.message());
      }
    }
    ++counters_.sent;
    if (outcome != nullptr) {
      outcome->kind = SendOutcome::Kind::kSent;
      outcome->provider_message_id = std::string(provider_id);
    }
    return;
  }
  ++counters_.send_failed;
  const bool retryable = retryable_status(status);
  // A retryable failure leaves the message queued so a retry (same idempotency key) may still
  // send it; only a final refusal marks it failed, which the store keeps terminal.
  if (!retryable) {
    store::DeliveryUpdate update;
    update.instance_id = id();
    update.message_id = message_id;
    update.status = store::DeliveryStatus::kFailed;
    update.error_code = provider_code.empty() ? status_name(status) : std::string(provider_code);
    update.error_text = std::string(error_message);
    ++counters_.messages_rejected;
    if (Status s = store.apply_delivery(update); !s) {
      logger_->error("[{}] message {}: cannot record failure: {}", id(), message_id, s.message());
    } else if (services_.on_delivery_applied) {
      services_.on_delivery_applied(update);
    }
  }
  if (outcome != nullptr) {
    outcome->kind = SendOutcome::Kind::kFailed;
    outcome->retryable = retryable;
    outcome->error =
        status_from_plugin(status, "instance \"" + id() + "\": send failed", error_message);
  }
}

Result<SendOutcome> ChannelInstance::send(const store::OutboundMessage& message) {
  // Errors on the data path are values: nothing thrown below reaches the caller.
  try {
    return send_unguarded(message);
  } catch (const std::exception& e) {
    return internal_error("instance \"" + id() + "\": send failed: " + e.what());
  }
}

Result<SendOutcome> ChannelInstance::send_unguarded(const store::OutboundMessage& message) {
  const InstanceState st = state_.load();
  if (stopping_ || (st != InstanceState::kRunning && st != InstanceState::kDegraded)) {
    return failed_precondition("instance \"" + id() + "\" is " + std::string(to_string(st)) +
                               ", not running");
  }
  if (Status s = check_message_utf8("send", message); !s) return s;
  store::OutboundMessage row = message;
  row.instance_id = id();
  auto inserted = services_.store->insert_outbound(row);
  if (!inserted) return inserted.status();
  const int64_t message_id = *inserted;

  return on_strand([&]() -> Result<SendOutcome> {
    SendOutcome outcome;
    outcome.message_id = message_id;
    if (stopping_ || channel_ == nullptr) {
      return failed_precondition("instance \"" + id() + "\" stopped before the send");
    }
    // The same idempotency key maps to the same row: never send a message twice.
    {
      std::lock_guard lock(mu_);
      if (pending_sends_.contains(message_id)) {
        outcome.kind = SendOutcome::Kind::kPending;
        outcome.duplicate = true;
        return outcome;
      }
    }
    auto existing = services_.store->get_message(message_id);
    if (!existing) return existing.status();
    if (existing->has_value()) {
      const store::MessageRecord& rec = **existing;
      if (!rec.provider_message_id.empty() || rec.status == store::DeliveryStatus::kFailed) {
        outcome.duplicate = true;
        outcome.provider_message_id = rec.provider_message_id;
        outcome.kind = rec.status == store::DeliveryStatus::kFailed ? SendOutcome::Kind::kFailed
                                                                    : SendOutcome::Kind::kSent;
        if (outcome.kind == SendOutcome::Kind::kFailed) {
          outcome.error =
              failed_precondition("message " + std::to_string(message_id) + " failed earlier");
        }
        return outcome;
      }
    }

    sb_outbound_message m{};
    m.struct_size = sizeof m;
    m.message_id = message_id;
    m.idempotency_key = to_sb(row.idempotency_key);
    m.to = to_sb(row.to);
    m.from = to_sb(row.from);
    m.content_type = to_sb(row.content_type);
    m.text = to_sb(row.text);
    m.payload_json = to_sb(row.payload_json);
    m.reply_to_provider_id = to_sb(row.reply_to_provider_id);
    StringSink provider_id(1024);
    ErrorCapture err;
    const int32_t rc = plugin().vtable().send(channel_, &m, provider_id.sink(), err.sink());
    if (rc == SB_PENDING) {
      std::lock_guard lock(mu_);
      pending_sends_.insert(message_id);
      ++counters_.send_pending;
      outcome.kind = SendOutcome::Kind::kPending;
      return outcome;
    }
    record_send_result(message_id, rc, provider_id.str(),
                       log::redact(err.message(), secret_values_), err.provider_code(), &outcome);
    if (rc < 0 && err.retryable()) outcome.retryable = true;
    return outcome;
  });
}

void ChannelInstance::set_attempt_completion(AttemptHandler handler) {
  std::lock_guard lock(mu_);
  attempt_completion_ = std::move(handler);
}

void ChannelInstance::post_attempt(store::MessageRecord message, AttemptHandler done) {
  boost::asio::post(
      strand_, [self = shared_from_this(), message = std::move(message), done = std::move(done)] {
        SendAttempt attempt;
        try {
          attempt = self->attempt_on_strand(message);
        } catch (const std::exception& e) {
          // The plugin was called through noexcept trampolines: only the host side can throw here.
          attempt.kind = SendAttempt::Kind::kFailed;
          attempt.status = SB_ERR_INTERNAL;
          attempt.error_message = std::string("host error during send: ") + e.what();
        }
        try {
          done(message.id, std::move(attempt));
        } catch (...) {
          self->logger_->error("[{}] message {}: outbox handler failed", self->id(), message.id);
        }
      });
}

SendAttempt ChannelInstance::attempt_on_strand(const store::MessageRecord& row) {
  SendAttempt attempt;
  const InstanceState st = state_.load();
  // Checked on the strand, so once stop() has run no attempt reaches the plugin.
  if (stopping_ || channel_ == nullptr ||
      (st != InstanceState::kRunning && st != InstanceState::kDegraded)) {
    return attempt;
  }
  if (Status s = check_message_utf8("message " + std::to_string(row.id), row); !s) {
    attempt.kind = SendAttempt::Kind::kFailed;
    attempt.status = SB_ERR_INVALID_ARG;  // never retried: the text will not change
    attempt.error_message = s.message();
    return attempt;
  }
  sb_outbound_message m{};
  m.struct_size = sizeof m;
  m.message_id = row.id;
  m.idempotency_key = to_sb(row.idempotency_key);
  m.to = to_sb(row.to);
  m.from = to_sb(row.from);
  m.content_type = to_sb(row.content_type);
  m.text = to_sb(row.text);
  m.payload_json = to_sb(row.payload_json);
  m.reply_to_provider_id = to_sb(row.reply_to_provider_id);
  StringSink provider_id(1024);
  ErrorCapture err;
  {
    // complete_send may come from a plugin thread before send() returns: it finds the id here.
    std::lock_guard lock(mu_);
    sends_in_call_.insert(row.id);
  }
  attempt.status = plugin().vtable().send(channel_, &m, provider_id.sink(), err.sink());
  std::optional<SendAttempt> early;
  {
    std::lock_guard lock(mu_);
    sends_in_call_.erase(row.id);
    if (auto it = early_completions_.find(row.id); it != early_completions_.end()) {
      early = std::move(it->second);
      early_completions_.erase(it);
    }
    if (attempt.status == SB_PENDING && !early) {
      pending_attempts_.insert(row.id);
      ++counters_.send_pending;
      attempt.kind = SendAttempt::Kind::kPending;
      return attempt;
    }
  }
  if (early) {
    if (attempt.status == SB_PENDING) {
      ++counters_.send_pending;
      return std::move(*early);  // answered before send() returned: the send's own result
    }
    logger_->warn(
        "[{}] message {}: complete_send for a send that did not return SB_PENDING "
        "ignored",
        id(), row.id);
  }
  if (attempt.status >= 0) {
    ++counters_.sent;
    attempt.kind = SendAttempt::Kind::kSent;
    attempt.provider_message_id = provider_id.str();
    return attempt;
  }
  ++counters_.send_failed;
  attempt.kind = SendAttempt::Kind::kFailed;
  attempt.error_message = log::redact(err.message(), secret_values_);
  attempt.provider_code = err.provider_code();
  attempt.retry_after_ms = err.retry_after_ms();
  attempt.retryable = retryable_status(attempt.status) || err.retryable();
  return attempt;
}

std::optional<WebhookReply> ChannelInstance::handle_webhook(WebhookCall call) {
  {
    std::lock_guard lock(mu_);
    if (!webhook_paths_.contains(call.path)) return std::nullopt;
  }
  ++counters_.webhooks;
  if (stopping_) {
    ++counters_.webhook_errors;
    return error_reply(503, "instance_stopped", "instance \"" + id() + "\" is stopped");
  }
  // The body is bytes (signatures are computed over them); everything else is UTF-8 text for
  // the plugin, so a request line or header that is not is refused here.
  if (Status s = check_utf8("webhook", {{"method", call.method},
                                        {"path", call.path},
                                        {"query", call.query},
                                        {"headers", call.headers},
                                        {"remote_addr", call.remote_addr}});
      !s) {
    ++counters_.webhook_errors;
    return error_reply(400, "invalid_request", s.message());
  }
  struct Job {
    WebhookCall call;
    WebhookReply reply;
    std::promise<void> done;
  };
  auto job = std::make_shared<Job>();
  job->call = std::move(call);
  auto done = job->done.get_future();
  boost::asio::post(strand_, [self = shared_from_this(), job] {
    try {
      if (self->stopping_ || self->channel_ == nullptr) {
        job->reply = error_reply(503, "instance_stopped", "instance is stopped");
      } else if (self->plugin().vtable().handle_webhook == nullptr) {
        job->reply = error_reply(501, "unsupported", "the channel takes no webhooks");
      } else {
        const WebhookCall& c = job->call;
        const sb_webhook_request req{sizeof(sb_webhook_request),
                                     0,
                                     to_sb(c.method),
                                     to_sb(c.path),
                                     to_sb(c.query),
                                     to_sb(c.headers),
                                     to_sb(c.body),
                                     to_sb(c.remote_addr)};
        ReplyBuilder builder;
        const int32_t rc =
            self->plugin().vtable().handle_webhook(self->channel_, &req, &builder.response);
        if (rc < 0) ++self->counters_.webhook_errors;
        if (builder.status_set) {
          job->reply = std::move(builder.reply);
        } else if (rc >= 0) {
          builder.reply.status = 200;
          job->reply = std::move(builder.reply);
        } else {
          job->reply =
              error_reply(http_status_for(rc), "webhook_failed",
                          "the channel could not handle this request (" + status_name(rc) + ")");
        }
      }
    } catch (...) {
      job->reply = error_reply(500, "internal", "webhook handling failed");
    }
    job->done.set_value();
  });
  if (done.wait_for(services_.webhook_timeout) != std::future_status::ready) {
    ++counters_.webhook_errors;
    logger_->error("[{}] webhook {} not answered within {} ms", id(), job->call.path,
                   services_.webhook_timeout.count());
    return error_reply(504, "webhook_timeout", "the channel did not answer in time");
  }
  return std::move(job->reply);
}

}  // namespace sb::runtime

namespace sb::runtime {
namespace {

constexpr size_t kMaxControlAnswer = size_t{4} << 20;
constexpr size_t kMaxReason = 4096;

}  // namespace

Result<CanSendAnswer> ChannelInstance::can_send(std::string_view to, std::string_view from,
                                                std::string_view content_type,
                                                int64_t last_inbound_at_ms,
                                                std::string_view payload_json) {
  if (plugin().vtable().can_send == nullptr) {
    return failed_precondition("channel \"" + id() + "\" has no can_send");
  }
  if (Status s = check_utf8(
          "can_send",
          {{"to", to}, {"from", from}, {"content_type", content_type}, {"payload", payload_json}});
      !s) {
    return s;
  }
  return on_strand([&]() -> Result<CanSendAnswer> {
    if (stopping_ || channel_ == nullptr) {
      return failed_precondition("instance \"" + id() + "\" is not running");
    }
    sb_can_send_query q{};
    q.struct_size = sizeof q;
    q.to = to_sb(to);
    q.from = to_sb(from);
    q.content_type = to_sb(content_type);
    q.last_inbound_at_ms = last_inbound_at_ms;
    q.payload_json = to_sb(payload_json);
    sb_can_send_result r{};
    r.struct_size = sizeof r;
    StringSink reason(kMaxReason);
    const int32_t rc = plugin().vtable().can_send(channel_, &q, &r, reason.sink());
    if (rc < 0) return status_from_plugin(rc, "can_send", reason.str());
    return CanSendAnswer{r.allowed != 0, r.mode, r.expires_at_ms,
                         log::redact(reason.str(), secret_values_)};
  });
}

Result<std::string> ChannelInstance::invoke(std::string_view op, std::string_view json_in) {
  if (plugin().vtable().invoke == nullptr) {
    return failed_precondition("channel \"" + id() + "\" has no control operations");
  }
  if (Status s = check_utf8("invoke", {{"op", op}, {"input", json_in}}); !s) return s;
  const std::string op_name(op), input(json_in);
  return on_strand([&]() -> Result<std::string> {
    if (stopping_ || channel_ == nullptr) {
      return failed_precondition("instance \"" + id() + "\" is not running");
    }
    StringSink out(kMaxControlAnswer);
    ErrorCapture err;
    const int32_t rc = plugin().vtable().invoke(channel_, op_name.data(), op_name.size(),
                                                input.data(), input.size(), out.sink(), err.sink());
    if (rc < 0) {
      return status_from_plugin(rc, "invoke " + op_name,
                                log::redact(err.message(), secret_values_));
    }
    if (out.overflowed()) return internal_error("invoke " + op_name + ": answer too large");
    return out.str().empty() ? std::string("{}") : log::redact(out.str(), secret_values_);
  });
}

Result<ChannelInstance::RawAnswer> ChannelInstance::invoke_raw(std::string_view op,
                                                               std::string_view json_in,
                                                               size_t max_answer) {
  if (plugin().vtable().invoke == nullptr) {
    return failed_precondition("channel \"" + id() + "\" has no control operations");
  }
  if (Status s = check_utf8("invoke", {{"op", op}, {"input", json_in}}); !s) return s;
  const std::string op_name(op), input(json_in);
  return on_strand([&]() -> Result<RawAnswer> {
    if (stopping_ || channel_ == nullptr) {
      return failed_precondition("instance \"" + id() + "\" is not running");
    }
    StringSink out(max_answer);
    ErrorCapture err;
    RawAnswer answer;
    answer.status = plugin().vtable().invoke(channel_, op_name.data(), op_name.size(), input.data(),
                                             input.size(), out.sink(), err.sink());
    if (answer.status < 0) {
      answer.error = log::redact(err.message(), secret_values_);
      return answer;
    }
    if (out.overflowed()) {
      return Status(Code::kResourceExhausted, "invoke " + op_name + ": answer larger than " +
                                                  std::to_string(max_answer) + " bytes");
    }
    // Bytes are not redacted: a file is not a log line, and rewriting it would corrupt it.
    answer.out = out.str();
    return answer;
  });
}

Result<HealthReport> ChannelInstance::health() {
  if (plugin().vtable().health == nullptr) {
    return failed_precondition("channel \"" + id() + "\" has no health call");
  }
  return on_strand([&]() -> Result<HealthReport> {
    if (stopping_ || channel_ == nullptr) {
      return failed_precondition("instance \"" + id() + "\" is not running");
    }
    StringSink details(kMaxControlAnswer);
    HealthReport report;
    report.state = plugin().vtable().health(channel_, details.sink());
    if (!details.str().empty() && !details.overflowed()) {
      report.details_json = log::redact(details.str(), secret_values_);
    }
    return report;
  });
}

}  // namespace sb::runtime
