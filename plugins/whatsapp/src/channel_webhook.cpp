// The webhook route "/" of the WhatsApp channel: Meta's GET handshake, and signed POST deliveries
// whose messages are stored (Host::submit_inbound splits them into the host's batch size),
// statuses reported, and account changes applied before the 200 answer. Any message or status the
// host did not store turns the answer into a 503 so Meta delivers again.
#include "send.hpp"
#include "signature.hpp"
#include "templates.hpp"
#include "whatsapp_channel.hpp"

#include <algorithm>
#include <map>

namespace wa {

namespace {

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
                to_error(e.error, onboarding_.token_for(e.phone_number_id)).message);
  }
  for (const auto& c : d->changes) {
    if (apply_change(c) != SB_OK) retry = true;
  }
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
    } else {
      // Not stored, whatever the reason (even a message the host judged invalid): Meta must
      // deliver again, never an acknowledgement of a message we lost. Dedupe makes that safe.
      host().error("whatsapp: inbound " + std::string(in.message.provider_message_id()) +
                   " not stored: " + std::string(sw::status_name(s)));
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

int32_t WhatsAppChannel::apply_change(const AccountChange& c) {
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
    templates_.set_status(c.waba_id, name, lang, str_of(v, "event"), reason, id);
    host().info("whatsapp: template " + name + " (" + lang + ") is now " + str_of(v, "event"));
  } else if (c.field == "message_template_quality_update") {
    if (auto r = templates_.get(c.waba_id, name, lang)) {
      r->quality = str_of(v, "new_quality_score");
      templates_.put(*r);
    }
  } else if (c.field == "template_category_update") {
    if (auto r = templates_.get(c.waba_id, name, lang)) {
      r->category = upper(str_of(v, "new_category"));
      templates_.put(*r);
    }
  } else {
    return onboarding_.apply_change(c);
  }
  return SB_OK;
}

}  // namespace wa
