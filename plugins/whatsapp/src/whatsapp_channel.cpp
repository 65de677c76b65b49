#include "whatsapp_channel.hpp"

#include "send.hpp"
#include "signature.hpp"
#include "templates.hpp"

#include <algorithm>
#include <map>

namespace wa {

namespace {

Config config_or_default(std::string_view json, sw::Status* status) {
  sw::Result<Config> c = parse_config(json);
  if (c) return c.value();
  *status = c.error();
  return Config{};
}

void answer_json(sw::WebhookResponse& response, int32_t status, const json::Value& body) {
  response.set_status(status);
  response.add_header("Content-Type", "application/json");
  response.write(body.dump());
}

void answer_error(sw::WebhookResponse& response, int32_t status, std::string_view message) {
  json::Value e = json::Value::object();
  e.set("error", std::string(message));
  answer_json(response, status, e);
}

}  // namespace

WhatsAppChannel::WhatsAppChannel(sw::Host host, std::string_view instance_id,
                                 std::string_view config_json)
    : sw::Channel(std::move(host)),
      instance_id_(instance_id),
      config_(config_or_default(config_json, &config_status_)),
      graph_(this->host(), config_),
      templates_(this->host()),
      windows_(this->host()),
      throughput_(config_.throughput_mps),
      onboarding_(this->host(), config_, graph_, [this](const std::string& pnid, double mps) {
        throughput_.set_rate(pnid, std::min(mps, kMaxThroughputMps));
      }) {
  graph_.on_token_error([this](const GraphError& e) {
    token_degraded_ = true;
    degrade("access token rejected by Meta (Graph error " + std::to_string(e.code) +
            "): replace the access_token secret");
  });
  graph_.on_success([this] {
    if (token_degraded_) {
      token_degraded_ = false;
      recover();
    }
  });
}

sw::Status WhatsAppChannel::validate_config(std::string_view json) {
  sw::Result<Config> c = parse_config(json);
  if (!c) return c.error();
  return {};
}

void WhatsAppChannel::degrade(std::string reason) {
  if (degraded_reason_ == reason) return;
  degraded_reason_ = std::move(reason);
  host().warn("whatsapp: " + degraded_reason_);
  host().report_state(SB_STATE_DEGRADED, degraded_reason_);
}

std::vector<std::string> WhatsAppChannel::missing_secrets() const {
  std::vector<std::string> missing;
  for (const char* s : {"access_token", "app_secret", "verify_token"}) {
    std::optional<std::string> v = host().secret(s);
    if (!v || v->empty()) missing.push_back(s);
  }
  return missing;
}

void WhatsAppChannel::recover() {
  if (degraded_reason_.empty()) return;
  if (std::vector<std::string> missing = missing_secrets(); !missing.empty()) {
    degrade("secret(s) not configured: " + join(missing, ", "));
    return;
  }
  degraded_reason_.clear();
  host().report_state(SB_STATE_RUNNING, "WhatsApp Graph API reachable again");
}

sw::Status WhatsAppChannel::start() {
  if (!config_status_) return config_status_;
  if (int32_t rc = host().register_webhook("/"); rc != SB_OK) {
    return sw::Error(rc, "cannot register the webhook route");
  }
  running_ = true;
  std::vector<std::string> missing = missing_secrets();
  if (!missing.empty()) degrade("secret(s) not configured: " + join(missing, ", "));
  if (config_.template_sync_interval.count() > 0) arm_template_sync(std::chrono::seconds(5));
  host().info("whatsapp: instance " + instance_id_ + " started for WABA " + config_.waba_id +
              " with " + std::to_string(config_.numbers.size()) + " number(s)");
  return {};
}

void WhatsAppChannel::stop() {
  running_ = false;
  if (sync_timer_ != 0) host().cancel_timer(sync_timer_);
  sync_timer_ = 0;
}

sw::Result<std::string> WhatsAppChannel::number_for(std::string_view from) const {
  if (from.empty()) return config_.numbers.front().phone_number_id;
  if (const NumberConfig* n = config_.number(from)) return n->phone_number_id;
  return sw::Error::invalid_arg("from: " + std::string(from) +
                                " is not a business number of this instance");
}

sw::Error WhatsAppChannel::check_template(const std::string& pnid, const json::Value& payload) {
  (void)pnid;
  std::string name = str_of(payload, "name");
  const json::Value* l = payload.find("language");
  std::string lang = l == nullptr ? "" : l->is_string() ? l->as_string() : str_of(*l, "code");
  std::optional<TemplateRecord> rec = templates_.get(name, normalize_language(lang));
  if (!rec) return sw::Error(SB_OK, "");
  if (template_blocked(rec->status)) {
    return sw::Error::rejected("template " + name + " (" + lang + ") is " + rec->status +
                                   (rec->reason.empty() ? "" : " (" + rec->reason + ")") +
                                   ": WhatsApp would refuse it; use another approved template",
                               rec->status == "PAUSED"     ? "132015"
                               : rec->status == "DISABLED" ? "132016"
                                                           : "132001");
  }
  if (rec->status == "APPROVED" && !rec->components.items().empty()) {
    std::vector<FieldError> errs =
        check_send_components(rec->components, arr_of(payload, "components"));
    if (!errs.empty()) {
      return sw::Error(SB_ERR_INVALID_ARG, "template " + name + ": " + errors_text(errs), false, {},
                       "132000");
    }
  }
  return sw::Error(SB_OK, "");
}

sw::SendResult WhatsAppChannel::send(const sw::OutboundMessage& m) {
  if (!running_) return sw::Error::state("the instance is not running");
  sw::Result<std::string> pnid = number_for(m.from());
  if (!pnid) return pnid.error();
  SendInput in;
  in.content_type = lower(m.content_type());
  in.to = normalize_recipient(m.to(), config_.default_country);
  in.text = std::string(m.text());
  in.reply_to = std::string(m.reply_to_provider_id());
  in.callback_data = callback_data_for(instance_id_, m.message_id());
  for (const auto& a : m.attachments()) {
    in.attachments.push_back({std::string(a.kind()), std::string(a.mime_type()),
                              std::string(a.filename()), std::string(a.url()),
                              std::string(a.provider_media_id()), std::string(a.caption()),
                              a.size_bytes().value_or(-1)});
  }
  if (!m.payload_json().empty()) {
    std::optional<json::Value> p = parse_json(m.payload_json());
    if (!p || !p->is_object()) return sw::Error::invalid_arg("payload_json: must be a JSON object");
    in.payload = std::move(*p);
  }
  int64_t now = host().now_ms();
  if (needs_window(in.content_type) && !windows_.is_open(pnid.value(), in.to, now)) {
    return sw::Error::rejected(
        "outside the 24-hour customer service window: WhatsApp accepts only approved templates "
        "until the customer writes again (send content_type \"template\")",
        "131047");
  }
  if (in.content_type == "template") {
    sw::Error blocked = check_template(pnid.value(), in.payload);
    if (blocked.status != SB_OK) return blocked;
  }
  sw::Result<json::Value> body = build_send_body(in);
  if (!body) return body.error();
  TokenBucket& bucket = throughput_.for_number(pnid.value());
  if (!bucket.try_take(now)) {
    return sw::Error::rate_limited("throughput of number " + pnid.value() + " (" +
                                       std::to_string(static_cast<int>(bucket.rate())) +
                                       " mps) used up",
                                   bucket.wait_ms(now));
  }
  sw::Result<json::Value> resp = graph_.post("/" + pnid.value() + "/messages", body.value());
  if (!resp) {
    if (resp.error().provider_code == "131047") windows_.close(pnid.value(), in.to);
    if (resp.error().provider_code == "130429") bucket.hold(now, resp.error().retry_after);
    return resp.error();
  }
  if (in.content_type == "read") return sw::SendResult::sent(str_of(body.value(), "message_id"));
  const auto& msgs = arr_of(resp.value(), "messages").items();
  std::string id = msgs.empty() ? "" : str_of(msgs[0], "id");
  if (id.empty()) return sw::Error::internal("Meta accepted the message but returned no id");
  return sw::SendResult::sent(id);
}

sw::CanSendAnswer WhatsAppChannel::can_send(const sw::CanSendQuery& q) {
  sw::CanSendAnswer a;
  sw::Result<std::string> pnid = number_for(q.from());
  if (!pnid) {
    a.allowed = false;
    a.mode = SB_SEND_MODE_BLOCKED;
    a.reason = pnid.error().message;
    return a;
  }
  std::string to = normalize_recipient(q.to(), config_.default_country);
  int64_t hint = q.last_inbound_at() ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                           q.last_inbound_at()->time_since_epoch())
                                           .count()
                                     : 0;
  int64_t now = host().now_ms();
  int64_t expires = windows_.expires_at_ms(pnid.value(), to, hint);
  if (now < expires) {
    a.allowed = true;
    a.mode = SB_SEND_MODE_FREE_TEXT;
    a.expires_at_ms = expires;
    a.reason = "inside the 24-hour customer service window";
    return a;
  }
  a.mode = SB_SEND_MODE_TEMPLATE_ONLY;
  a.allowed = !needs_window(lower(q.content_type()));
  a.expires_at_ms = 0;
  a.reason =
      "outside the 24-hour customer service window: only approved templates may be sent until "
      "the customer writes again";
  return a;
}

sw::Status WhatsAppChannel::handle_webhook(const sw::WebhookRequest& request,
                                           sw::WebhookResponse& response) {
  if (request.method() == "GET") return handshake(request, response);
  if (request.method() == "POST") return receive(request, response);
  answer_error(response, 405, "method not allowed");
  return {};
}

sw::Status WhatsAppChannel::handshake(const sw::WebhookRequest& request,
                                      sw::WebhookResponse& response) {
  std::optional<std::string> token = host().secret("verify_token");
  std::string mode = request.query_param("hub.mode").value_or("");
  std::string given = request.query_param("hub.verify_token").value_or("");
  std::optional<std::string> challenge = request.query_param("hub.challenge");
  if (!token || token->empty() || mode != "subscribe" || !challenge ||
      !secret_equals(given, *token)) {
    host().warn("whatsapp: webhook verification refused (mode or verify token mismatch)");
    response.set_status(403);
    response.add_header("Content-Type", "text/plain");
    response.write("forbidden");
    return {};
  }
  response.set_status(200);
  response.add_header("Content-Type", "text/plain");
  response.write(*challenge);
  return {};
}

sw::Status WhatsAppChannel::receive(const sw::WebhookRequest& request,
                                    sw::WebhookResponse& response) {
  if (request.body().size() > kMaxWebhookBody) {
    answer_error(response, 413, "body larger than 3 MB");
    return {};
  }
  std::optional<std::string> secret = host().secret("app_secret");
  if (!secret || secret->empty()) {
    degrade("secret not configured: app_secret (webhook deliveries are refused)");
    answer_error(response, 503, "webhook signature cannot be checked");
    return {};
  }
  std::string_view sig = request.header("X-Hub-Signature-256").value_or("");
  if (!signature_valid(*secret, request.body(), sig)) {
    host().warn(std::string("whatsapp: webhook refused: ") +
                (sig.empty() ? "no X-Hub-Signature-256" : "signature mismatch"));
    answer_error(response, 401, "invalid signature");
    return {};
  }
  std::string why;
  std::optional<ParsedDelivery> d = parse_delivery(request.body(), &why);
  if (!d) {
    answer_error(response, 400, why);
    return {};
  }
  std::vector<std::string> ours = onboarding_.known_numbers();
  bool retry = false;
  std::size_t stored = store_inbound(*d, ours, &retry);
  std::size_t reported = report_statuses(*d, ours, &retry);
  for (const auto& e : d->errors) {
    host().warn("whatsapp: error for number " + e.phone_number_id + ": " +
                to_error(e.error).message);
  }
  for (const auto& c : d->changes) apply_change(c);
  if (retry) {
    answer_error(response, 503, "could not store everything; deliver again");
    return {};
  }
  json::Value ok = json::Value::object();
  ok.set("stored", static_cast<int64_t>(stored));
  ok.set("statuses", static_cast<int64_t>(reported));
  answer_json(response, 200, ok);
  return {};
}

namespace {
bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

std::size_t WhatsAppChannel::store_inbound(const ParsedDelivery& d,
                                           const std::vector<std::string>& ours, bool* retry) {
  std::vector<const ParsedInbound*> accepted;
  std::vector<sw::InboundMessage> batch;
  for (const auto& in : d.inbound) {
    if (!contains(ours, in.phone_number_id)) {
      host().warn("whatsapp: inbound for unknown number " + in.phone_number_id + " ignored");
      continue;
    }
    accepted.push_back(&in);
    batch.push_back(in.message);
  }
  if (batch.empty()) return 0;
  sw::Host::SubmitResult r = host().submit_inbound(batch);
  std::size_t stored = 0;
  // The latest message per (number, customer) opens or extends the window: one kv write each.
  std::map<std::pair<std::string, std::string>, int64_t> latest;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    const ParsedInbound& in = *accepted[i];
    int32_t s = r.statuses[i];
    if (s == SB_OK || s == SB_DUPLICATE) {
      stored += s == SB_OK ? 1 : 0;
      int64_t at = in.sent_at_ms > 0 ? in.sent_at_ms : host().now_ms();
      int64_t& slot = latest[{in.phone_number_id, in.sender}];
      if (in.opens_window) slot = std::max(slot, at);
    } else if (s == SB_ERR_INVALID_ARG) {
      host().warn("whatsapp: inbound " + std::string(in.message.provider_message_id()) +
                  " refused by the host as invalid");
    } else {
      *retry = true;
    }
  }
  for (const auto& [key, at] : latest) {
    if (at > 0) windows_.on_inbound(key.first, key.second, at);
  }
  return stored;
}

std::size_t WhatsAppChannel::report_statuses(const ParsedDelivery& d,
                                             const std::vector<std::string>& ours, bool* retry) {
  std::size_t reported = 0;
  for (const auto& st : d.statuses) {
    if (!contains(ours, st.phone_number_id) || st.report.status == 0) continue;
    if (st.error && st.error->code == kCodeWindowClosed) {
      windows_.close(st.phone_number_id, st.recipient);
    }
    sw::DeliveryReport report = st.report;
    report.message_id = message_id_from_callback(instance_id_, st.callback_data);
    int32_t rc = host().report_delivery(report);
    if (rc == SB_OK) {
      ++reported;
    } else if (rc != SB_ERR_NOT_FOUND && rc != SB_ERR_INVALID_ARG) {
      *retry = true;  // the store failed: Meta must deliver again
    }
  }
  return reported;
}

void WhatsAppChannel::apply_change(const AccountChange& c) {
  const json::Value& v = c.value;
  std::string name = str_of(v, "message_template_name");
  std::string lang = normalize_language(str_of(v, "message_template_language"));
  std::string id =
      v.find("message_template_id") != nullptr
          ? (v.find("message_template_id")->is_string() ? v.find("message_template_id")->as_string()
                                                        : v.find("message_template_id")->dump())
          : "";
  if (c.field == "message_template_status_update") {
    std::string reason = str_of(v, "reason");
    if (reason.empty()) reason = str_of(obj_of(v, "rejection_info"), "reason");
    templates_.set_status(name, lang, str_of(v, "event"), reason, id);
    host().info("whatsapp: template " + name + " (" + lang + ") is now " + str_of(v, "event"));
  } else if (c.field == "message_template_quality_update") {
    if (auto r = templates_.get(name, lang)) {
      r->quality = str_of(v, "new_quality_score");
      templates_.put(*r);
    }
  } else if (c.field == "template_category_update") {
    if (auto r = templates_.get(name, lang)) {
      r->category = upper(str_of(v, "new_category"));
      templates_.put(*r);
    }
  } else {
    onboarding_.apply_change(c);
  }
}

sw::Result<std::string> WhatsAppChannel::invoke(std::string_view op, std::string_view json_in) {
  json::Value in = json::Value::object();
  if (json_in.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    std::optional<json::Value> p = parse_json(json_in);
    if (!p || !p->is_object()) return sw::Error::invalid_arg("input: must be a JSON object");
    in = std::move(*p);
  }
  if (!config_status_) return config_status_.error();
  if (auto r = onboarding_.invoke(op, in)) return std::move(*r);
  if (auto r = invoke_template(op, in)) return std::move(*r);
  if (op == "media_url") return media_url(in);
  if (op == "window") {
    sw::Result<std::string> pnid = number_for(str_of(in, "from"));
    if (!pnid) return pnid.error();
    std::string to = normalize_recipient(str_of(in, "to"), config_.default_country);
    int64_t expires = windows_.expires_at_ms(pnid.value(), to);
    json::Value out = json::Value::object();
    out.set("open", host().now_ms() < expires);
    out.set("expires_at_ms", expires);
    return out.dump();
  }
  return sw::Error::unsupported("unknown operation: " + std::string(op));
}

// Inbound media are fetched in two steps (§3.5): this resolves a media id to its short-lived URL,
// which must then be downloaded with the same Bearer token within 5 minutes.
sw::Result<std::string> WhatsAppChannel::media_url(const json::Value& in) {
  std::string id = str_of(in, "media_id");
  if (!all_digits(id)) return sw::Error::invalid_arg("media_id: the numeric media id");
  Query q;
  if (std::string pnid = str_of(in, "phone_number_id"); !pnid.empty()) {
    q.emplace_back("phone_number_id", pnid);
  }
  sw::Result<json::Value> r = graph_.get("/" + id, q);
  if (!r) return r.error();
  json::Value out = json::Value::object();
  for (const char* k : {"id", "url", "mime_type", "sha256", "file_size"}) {
    if (const json::Value* v = r.value().find(k)) out.set(k, *v);
  }
  return out.dump();
}

sw::Health WhatsAppChannel::health() {
  sw::Health h;
  h.state = degraded_reason_.empty() ? SB_STATE_RUNNING : SB_STATE_DEGRADED;
  json::Value d = json::Value::object();
  d.set("waba_id", config_.waba_id);
  if (!degraded_reason_.empty()) d.set("reason", degraded_reason_);
  json::Value numbers = json::Value::array();
  for (const auto& pnid : onboarding_.known_numbers()) {
    json::Value st = onboarding_.state(pnid);
    st.set("throughput_limit_mps", throughput_.for_number(pnid).rate());
    numbers.push(std::move(st));
  }
  d.set("numbers", std::move(numbers));
  d.set("templates", static_cast<int64_t>(templates_.count()));
  h.details_json = d.dump();
  return h;
}

}  // namespace wa
