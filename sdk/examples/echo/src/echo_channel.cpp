#include "echo_channel.hpp"

#include <switchboard/json.hpp>

#include <charconv>
#include <utility>

namespace echo {

namespace json = switchboard::json;
using sw::Error;

namespace {

// How the host should file the sender: a phone number, an e-mail address, or an echo-only id.
std::string address_kind(std::string_view address) {
  if (address.find('@') != std::string_view::npos) return "email";
  if (address.size() > 1 && address.front() == '+' &&
      address.find_first_not_of("0123456789", 1) == std::string_view::npos) {
    return "phone";
  }
  return "echo_id";
}

std::string error_json(std::string_view message) {
  return json::Value::object().set("error", json::Value(message)).dump();
}

}  // namespace

EchoChannel::EchoChannel(sw::Host host, std::string_view instance_id, std::string_view config_json)
    : sw::Channel(std::move(host)), instance_id_(instance_id), config_(parse_config(config_json)) {}

sw::Status EchoChannel::validate_config(std::string_view json) {
  sw::Result<Config> config = parse_config(json);
  if (!config) return config.error();
  return {};
}

sw::Status EchoChannel::start() {
  if (!config_) return config_.error();  // the host validates first; this is the safety net
  int32_t rc = SB_OK;
  std::optional<std::string> stored = host().kv_get(kCounterKey, &rc);
  if (stored) {
    auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), next_id_);
    if (ec != std::errc() || end != stored->data() + stored->size() || next_id_ == 0) {
      return Error::internal("stored id counter is corrupt");
    }
  } else if (rc == SB_ERR_NOT_FOUND) {
    next_id_ = 1;
  } else {
    return Error{rc, "cannot read the id counter", true};
  }
  if (int32_t reg = host().register_webhook(kInboundRoute); reg != SB_OK) {
    return Error{reg, "cannot register " + std::string(kInboundRoute)};
  }
  running_ = true;
  host().report_state(SB_STATE_RUNNING, "echoing");
  host().info("echo instance " + instance_id_ + " started at id " + std::to_string(next_id_));
  return {};
}

void EchoChannel::stop() {
  for (const auto& [number, timer] : pending_) host().cancel_timer(timer);
  pending_.clear();
  running_ = false;
  host().info("echo instance " + instance_id_ + " stopped");  // the host owns the state from here
}

sw::SendResult EchoChannel::send(const sw::OutboundMessage& message) {
  if (!running_) return Error::state("echo instance is not running");
  if (message.content_type() != "text") {
    return Error::unsupported("echo sends text only, not " + std::string(message.content_type()));
  }
  if (message.to().empty()) return Error::invalid_arg("no recipient");

  // Persist the counter before handing out the id, so a restart can never reuse it.
  uint64_t number = next_id_;
  if (int32_t rc = host().kv_put(kCounterKey, std::to_string(number + 1)); rc != SB_OK) {
    return Error::transient("cannot persist the id counter (" + std::string(sw::status_name(rc)) +
                            ")");
  }
  next_id_ = number + 1;
  ++sent_;

  Echo echo{message.message_id(),        "echo-" + std::to_string(number),
            std::string(message.to()),   std::string(message.from()),
            std::string(message.text()), std::string(message.thread_key())};
  // Report "sent" after send returns, when the host has recorded the provider id.
  host().post(
      [this, id = echo.message_id, pid = echo.provider_id] { report(SB_DELIVERY_SENT, id, pid); });
  std::string provider_id = echo.provider_id;
  sw::Host::TimerId timer = host().set_timer(
      config_->delay, [this, number, echo = std::move(echo)] { on_echo_due(number, echo); });
  if (timer != 0) {
    pending_[number] = timer;
  } else {
    host().warn("echo " + provider_id + " will not come back: the instance is stopping");
  }
  return sw::SendResult::sent(std::move(provider_id));
}

void EchoChannel::report(int32_t delivery_status, int64_t message_id,
                         const std::string& provider_id) {
  sw::DeliveryReport r;
  r.status = delivery_status;
  r.message_id = message_id;
  r.provider_message_id = provider_id;
  r.timestamp_ms = host().now_ms();
  if (int32_t rc = host().report_delivery(r); rc != SB_OK) {
    host().warn("delivery report for " + provider_id +
                " refused: " + std::string(sw::status_name(rc)));
  }
}

void EchoChannel::on_echo_due(uint64_t number, const Echo& echo) {
  pending_.erase(number);
  report(SB_DELIVERY_DELIVERED, echo.message_id, echo.provider_id);

  sw::InboundMessage reply;
  reply.provider_message_id(echo.provider_id + "-reply")
      .from(echo.to, address_kind(echo.to))
      .to(echo.from.empty() ? instance_id_ : echo.from)
      .content_type("text")
      .text(config_->prefix + echo.text)
      .reply_to_provider_id(echo.provider_id)
      .thread_key(echo.thread_key)
      .sent_at(host().now());
  int32_t rc = host().submit_inbound(reply);
  if (rc < 0) {
    host().warn("echo reply " + echo.provider_id +
                " not stored: " + std::string(sw::status_name(rc)));
    return;
  }
  ++echoed_;
}

sw::Status EchoChannel::handle_webhook(const sw::WebhookRequest& request,
                                       sw::WebhookResponse& response) {
  auto answer = [&](int32_t http, const std::string& body) {
    response.set_status(http);
    response.add_header("Content-Type", "application/json");
    response.write(body);
  };
  if (request.path() != kInboundRoute) {
    answer(404, error_json("no such route"));
    return Error::not_found("no route " + std::string(request.path()));
  }
  if (request.method() != "POST") {
    response.add_header("Allow", "POST");
    answer(405, error_json("use POST"));
    return {};
  }
  if (request.body().size() > kMaxWebhookBody) {
    answer(413, error_json("body larger than " + std::to_string(kMaxWebhookBody) + " bytes"));
    return {};
  }
  std::string parse_error;
  std::optional<json::Value> doc = json::parse(request.body(), &parse_error);
  if (!doc || !doc->is_object()) {
    answer(400, error_json(doc ? "body must be a JSON object" : "bad JSON: " + parse_error));
    return {};
  }
  const json::Value* from = doc->find("from");
  const json::Value* text = doc->find("text");
  const json::Value* id = doc->find("id");
  std::string problems;
  auto need = [&](const json::Value* v, const char* name) {
    if (v == nullptr || !v->is_string() || v->as_string().empty()) {
      problems += (problems.empty() ? "" : "; ") + std::string(name) + ": a non-empty string";
    }
  };
  need(from, "from");
  need(id, "id");
  if (text == nullptr || !text->is_string()) {
    problems += (problems.empty() ? "" : "; ") + std::string("text: a string");
  }
  if (!problems.empty()) {
    answer(400, error_json(problems));
    return {};
  }

  sw::InboundMessage message;
  message.provider_message_id(id->as_string())
      .from(from->as_string(), address_kind(from->as_string()))
      .to(instance_id_)
      .content_type("text")
      .text(text->as_string())
      .raw(std::string(request.body()))
      .sent_at(host().now());
  int32_t rc = host().submit_inbound(message);
  if (rc < 0) {
    // Not stored: a provider would redeliver on 5xx, so say so.
    answer(rc == SB_ERR_INVALID_ARG ? 400 : 503,
           error_json("not stored: " + std::string(sw::status_name(rc))));
    return {};
  }
  answer(200, json::Value::object()
                  .set("status", json::Value(rc == SB_DUPLICATE ? "duplicate" : "stored"))
                  .dump());
  return {};
}

sw::CanSendAnswer EchoChannel::can_send(const sw::CanSendQuery& query) {
  if (query.to().empty()) return {false, SB_SEND_MODE_BLOCKED, 0, "no recipient"};
  if (query.content_type() != "text") {
    return {false, SB_SEND_MODE_BLOCKED, 0, "echo sends text only"};
  }
  return {true, SB_SEND_MODE_FREE_TEXT, 0, {}};
}

sw::Result<std::string> EchoChannel::invoke(std::string_view op, std::string_view json_in) {
  if (op == "stats") return stats_json();
  if (op == "set_prefix") {
    std::optional<json::Value> in = json::parse(json_in);
    const json::Value* prefix = in ? in->find("prefix") : nullptr;
    if (prefix == nullptr || !prefix->is_string() || prefix->as_string().size() > kMaxPrefixBytes) {
      return Error::invalid_arg("prefix: must be a string of at most " +
                                std::to_string(kMaxPrefixBytes) + " bytes");
    }
    if (!config_) return Error::state("instance has no valid configuration");
    config_->prefix = prefix->as_string();
    return json::Value::object().set("prefix", json::Value(config_->prefix)).dump();
  }
  return Error::unsupported("unknown operation: " + std::string(op));
}

std::string EchoChannel::stats_json() const {
  return json::Value::object()
      .set("next_id", json::Value(next_id_))
      .set("sent", json::Value(sent_))
      .set("echoed", json::Value(echoed_))
      .set("pending", json::Value(pending_.size()))
      .dump();
}

sw::Health EchoChannel::health() {
  if (!config_) return {SB_STATE_FAILED, error_json(config_.error().message)};
  return {running_ ? SB_STATE_RUNNING : SB_STATE_STOPPED, stats_json()};
}

}  // namespace echo
