// The test-facing side of the loopback channel: webhook routes and invoke operations, which share
// one implementation per request (on_*), so tests may drive it over HTTP or through the host's
// control API alike.
#include "inbound.hpp"
#include "loopback_channel.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace loopback {

using sw::Error;

namespace {

constexpr std::array<std::string_view, 5> kDeliveryStatuses{"queued", "sent", "delivered", "read",
                                                            "failed"};

std::string_view error_code(int32_t http) {
  switch (http) {
    case 400:
      return "invalid_argument";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}

// {"code": ..., "field"?: ..., "message": ...}, the host's error shape plus the field.
json::Value error_object(int32_t http, const std::string& field, const std::string& message) {
  json::Value e = json::Value::object().set("code", json::Value(error_code(http)));
  if (!field.empty()) e.set("field", json::Value(field));
  e.set("message", json::Value(message));
  return e;
}

Reply failure(int32_t http, const std::string& field, const std::string& message) {
  std::string text = field.empty() ? message : field + ": " + message;
  json::Value body = json::Value::object().set("error", error_object(http, field, message));
  return {http, body.dump(), std::move(text)};
}

Reply bad_input(const InputError& err) {
  return failure(400, err.field, err.problem);
}

Reply ok(const json::Value& body) {
  return {200, body.dump(), {}};
}

std::optional<uint64_t> parse_since(std::string_view text) {
  uint64_t v = 0;
  if (text.empty()) return 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

Reply LoopbackChannel::on_inbound(const json::Value& doc) {
  InputError err;
  InboundDefaults defaults{config_->address_kind, instance_id_, host().now_ms()};
  std::optional<std::vector<sw::InboundMessage>> messages = parse_inbound(doc, defaults, err);
  if (!messages) return bad_input(err);
  // Returns once the host has committed: only then may the caller see "stored".
  sw::Host::SubmitResult submitted = host().submit_inbound(std::span(*messages));

  json::Value results = json::Value::array();
  bool invalid = false;
  bool failed = false;
  for (std::size_t i = 0; i < messages->size(); ++i) {
    int32_t s = submitted.statuses[i];
    json::Value r =
        json::Value::object().set("id", json::Value((*messages)[i].provider_message_id()));
    if (s == SB_OK || s == SB_DUPLICATE) {
      r.set("status", json::Value(s == SB_OK ? "stored" : "duplicate"));
      ++(s == SB_OK ? counters_.inbound_stored : counters_.inbound_duplicate);
    } else {
      r.set("status", json::Value(s == SB_ERR_INVALID_ARG ? "invalid" : "failed"));
      r.set("error", json::Value(sw::status_name(s)));
      ++counters_.inbound_refused;
      (s == SB_ERR_INVALID_ARG ? invalid : failed) = true;
    }
    results.push(std::move(r));
  }
  json::Value body = json::Value::object().set("results", results);
  if (!invalid && !failed) return ok(body);
  // A provider redelivers on 5xx: a storage failure is worth retrying, an invalid message is not.
  int32_t http = failed ? 503 : 400;
  std::string message = failed ? "not every message was stored" : "the host refused a message";
  body.set("error", error_object(http, "", message));
  return {http, body.dump(), message};
}

Reply LoopbackChannel::on_sent(uint64_t since) const {
  return ok(sent_.since(since));
}

Reply LoopbackChannel::on_faults(const json::Value& doc) {
  InputError err;
  std::optional<std::vector<Fault>> faults = parse_faults(doc, err);
  if (!faults) return bad_input(err);
  if (!faults_.push(std::move(*faults))) {
    return failure(400, "next", "at most " + std::to_string(kMaxQueuedFaults) + " queued faults");
  }
  return ok(json::Value::object().set("queued", json::Value(faults_.size())));
}

Reply LoopbackChannel::on_list_faults() const {
  return ok(faults_.to_json());
}

Reply LoopbackChannel::on_clear_faults() {
  faults_.clear();
  return ok(json::Value::object().set("queued", json::Value(0)));
}

Reply LoopbackChannel::on_status(const json::Value& doc) {
  InputError err;
  ObjectReader r(doc, "", err);
  r.only(
      {"provider_id", "message_id", "status", "error_code", "error_text", "timestamp_ms", "extra"});
  sw::DeliveryReport report;
  std::optional<std::string> status = r.str("status", true, false);
  if (r.ok()) {
    auto it = std::find(kDeliveryStatuses.begin(), kDeliveryStatuses.end(), *status);
    if (it == kDeliveryStatuses.end()) {
      r.fail("status", "must be queued, sent, delivered, read or failed");
    } else {
      report.status = SB_DELIVERY_QUEUED + static_cast<int32_t>(it - kDeliveryStatuses.begin());
    }
  }
  report.provider_message_id = r.str("provider_id", false, false).value_or("");
  report.message_id = r.integer("message_id", 0, 1, std::numeric_limits<int64_t>::max());
  report.error_code = r.str("error_code", false).value_or("");
  report.error_text = r.str("error_text", false).value_or("");
  report.timestamp_ms =
      r.integer("timestamp_ms", host().now_ms(), 0, std::numeric_limits<int64_t>::max());
  if (const json::Value* extra = r.find("extra"); extra != nullptr && r.ok()) {
    if (!extra->is_object()) r.fail("extra", "must be a JSON object");
    report.extra_json = extra->dump();
  }
  if (r.ok() && report.message_id == 0 && report.provider_message_id.empty()) {
    r.fail("provider_id", "provider_id or message_id is required");
  }
  if (!r.ok()) return bad_input(err);
  report.raw = doc.dump();

  int32_t rc = host().report_delivery(report);
  if (rc != SB_OK) ++counters_.reports_refused;
  switch (rc) {
    case SB_OK:
      ++counters_.reports;
      return ok(json::Value::object().set("result", json::Value("recorded")));
    case SB_ERR_NOT_FOUND:
      return failure(404, "", "the host knows no such message");
    case SB_ERR_INVALID_ARG:
      return failure(400, "", "the host refused the report");
    default:
      return failure(503, "", "not recorded: " + std::string(sw::status_name(rc)));
  }
}

Reply LoopbackChannel::on_window(const json::Value& doc) {
  InputError err;
  std::string to;
  std::optional<WindowRule> rule = parse_window(doc, &to, err);
  if (!rule) return bad_input(err);
  if (!windows_.set(to, std::move(*rule))) {
    return failure(400, "to", "at most " + std::to_string(kMaxWindowOverrides) + " recipients");
  }
  sw::CanSendAnswer now = windows_.evaluate(to, "text", host().now_ms());
  return ok(json::Value::object()
                .set("to", json::Value(to))
                .set("mode", json::Value(mode_key(now.mode)))
                .set("expires_at_ms", json::Value(now.expires_at_ms))
                .set("reason", json::Value(now.reason)));
}

Reply LoopbackChannel::on_clear_window() {
  windows_.clear();
  return ok(json::Value::object().set("mode", json::Value("free_text")));
}

Reply LoopbackChannel::on_reset() {
  // The counter stays: provider ids must never repeat. Pending sends and delivery timers go on,
  // because the host is waiting for them.
  sent_.clear();
  faults_.clear();
  windows_.clear();
  uint64_t pending = counters_.pending;
  counters_ = Counters{};
  counters_.pending = pending;
  return ok(stats());
}

sw::Status LoopbackChannel::handle_webhook(const sw::WebhookRequest& request,
                                           sw::WebhookResponse& response) {
  auto answer = [&](const Reply& reply) {
    response.set_status(reply.http);
    response.add_header("Content-Type", "application/json");
    response.write(reply.body);
  };
  const std::string_view route = request.path();
  const std::string_view method = request.method();
  if (request.body().size() > kMaxRequestBody) {
    answer(failure(413, "", "body larger than " + std::to_string(kMaxRequestBody) + " bytes"));
    return {};
  }
  auto body = [&]() -> std::optional<json::Value> {
    InputError err;
    std::optional<json::Value> doc = parse_object(request.body(), err);
    if (!doc) answer(bad_input(err));
    return doc;
  };
  auto wrong_method = [&](std::string_view allow) {
    response.add_header("Allow", allow);
    answer(failure(405, "", "use " + std::string(allow)));
    return sw::Status{};
  };

  if (route == "/inbound") {
    if (method != "POST") return wrong_method("POST");
    if (auto doc = body()) answer(on_inbound(*doc));
  } else if (route == "/sent") {
    if (method != "GET") return wrong_method("GET");
    std::optional<uint64_t> since = parse_since(request.query_param("since").value_or(""));
    answer(since ? on_sent(*since) : failure(400, "since", "must be a non-negative integer"));
  } else if (route == "/faults") {
    if (method == "POST") {
      if (auto doc = body()) answer(on_faults(*doc));
    } else if (method == "DELETE") {
      answer(on_clear_faults());
    } else if (method == "GET") {
      answer(on_list_faults());
    } else {
      return wrong_method("GET, POST, DELETE");
    }
  } else if (route == "/status") {
    if (method != "POST") return wrong_method("POST");
    if (auto doc = body()) answer(on_status(*doc));
  } else if (route == "/window") {
    if (method == "POST") {
      if (auto doc = body()) answer(on_window(*doc));
    } else if (method == "DELETE") {
      answer(on_clear_window());
    } else {
      return wrong_method("POST, DELETE");
    }
  } else {
    answer(failure(404, "", "no such route"));
    return Error::not_found("no route " + std::string(route));
  }
  return {};
}

sw::Result<std::string> LoopbackChannel::invoke(std::string_view op, std::string_view json_in) {
  if (!config_) return Error::state("instance has no valid configuration");
  if (json_in.size() > kMaxRequestBody) return Error::invalid_arg("input too large");
  // Every op takes an object; an empty input means {}.
  InputError err;
  std::optional<json::Value> doc = json_in.find_first_not_of(" \t\r\n") == std::string_view::npos
                                       ? std::optional<json::Value>(json::Value::object())
                                       : parse_object(json_in, err);
  if (!doc) return Error::invalid_arg(err.text());

  Reply reply;
  if (op == "sent") {
    ObjectReader r(*doc, "", err);
    r.only({"since"});
    int64_t since = r.integer("since", 0, 0, std::numeric_limits<int64_t>::max());
    if (!r.ok()) return Error::invalid_arg(err.text());
    reply = on_sent(static_cast<uint64_t>(since));
  } else if (op == "faults") {
    reply = on_faults(*doc);
  } else if (op == "list_faults") {
    reply = on_list_faults();
  } else if (op == "clear_faults") {
    reply = on_clear_faults();
  } else if (op == "inbound") {
    reply = on_inbound(*doc);
  } else if (op == "status") {
    reply = on_status(*doc);
  } else if (op == "window") {
    reply = on_window(*doc);
  } else if (op == "clear_window") {
    reply = on_clear_window();
  } else if (op == "reset") {
    reply = on_reset();
  } else if (op == "stats") {
    reply = ok(stats());
  } else if (op == "mark_read") {
    // The host's read receipt (SB_CAP_READ_RECEIPTS): a loopback customer has no phone to show
    // blue ticks on, so the receipt is only checked and acknowledged.
    ObjectReader r(*doc, "", err);
    r.only({"message_id", "from", "typing_indicator"});
    std::optional<std::string> id = r.str("message_id", true, false);
    r.str("from", false);
    r.boolean("typing_indicator", false);
    if (!r.ok() || !id) return Error::invalid_arg(err.text());
    json::Value out = json::Value::object();
    out.set("ok", true);
    out.set("message_id", *id);
    reply = ok(out);
  } else {
    return Error::unsupported("unknown operation: " + std::string(op));
  }
  switch (reply.http) {
    case 200:
      return std::move(reply.body);
    case 400:
      return Error::invalid_arg(std::move(reply.error));
    case 404:
      return Error::not_found(std::move(reply.error));
    case 503:
      return Error::transient(std::move(reply.error));
    default:
      return Error::internal(std::move(reply.error));
  }
}

}  // namespace loopback
