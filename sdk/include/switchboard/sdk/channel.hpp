// Part of switchboard/sdk.hpp: the Channel base class and the answers its virtuals give.
#pragma once

#include <switchboard/sdk/core.hpp>
#include <switchboard/sdk/host.hpp>
#include <switchboard/sdk/http.hpp>
#include <switchboard/sdk/messages.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace switchboard {

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
  // The structured content the send would carry (as OutboundMessage::payload_json; empty when the
  // message has none). nullopt when the host is older than ABI 1.1 and does not pass it: the
  // channel then cannot judge the content and should leave that to send.
  std::optional<std::string_view> payload_json() const noexcept {
    if (!has_field(&q_, &sb_can_send_query::payload_json)) return std::nullopt;
    return view(q_.payload_json);
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

}  // namespace switchboard
