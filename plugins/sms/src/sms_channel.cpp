#include "sms_channel.hpp"

#include "address.hpp"

#include <switchboard/json.hpp>

#include <cmath>
#include <cstdio>

namespace sms {
namespace {

namespace json = switchboard::json;

constexpr int64_t kKeepReceiptsMs = 72LL * 3600 * 1000;

Config parsed(std::string_view text, sw::Status* status) {
  auto c = parse_config(text);
  if (!c) {
    *status = c.error();
    return Config{};
  }
  return std::move(c).value();
}

std::string money(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  std::string s = buf;
  while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

}  // namespace

SmsChannel::SmsChannel(sw::Host host, std::string_view instance_id, std::string_view config_json)
    : sw::Channel(std::move(host)),
      instance_id_(instance_id),
      config_(parsed(config_json, &config_status_)),
      receipts_(config_.receipt_wait_ms, kKeepReceiptsMs),
      reassembler_(config_.mo_reassembly_timeout_ms) {}

SmsChannel::~SmsChannel() {
  stop();
}

sw::Status SmsChannel::validate_config(std::string_view json) {
  auto c = parse_config(json);
  if (!c) return c.error();
  return {};
}

sw::Status SmsChannel::start() {
  if (!config_status_) return config_status_;
  auto password = host().secret(config_.password_secret);
  if (!password) {
    degraded_ = "the secret \"" + config_.password_secret +
                "\" (the bind password) is not configured for this instance";
    host().warn("sms: " + degraded_);
    host().report_state(SB_STATE_DEGRADED, degraded_);
    return {};
  }
  if (password->size() > 8) {
    host().warn(
        "sms: the bind password is longer than the 8 characters SMPP 3.4 allows; "
        "sending it as configured");
  }
  SessionConfig sc = config_.session;
  sc.password = std::move(*password);
  restore_parts();
  session_ = std::make_unique<Session>(std::move(sc), *this);
  session_->start();
  return {};
}

void SmsChannel::stop() {
  if (session_) session_->stop();
}

std::string SmsChannel::sender_for(std::string_view from) const {
  return from.empty() ? config_.sender : std::string(from);
}

sw::SendResult SmsChannel::send(const sw::OutboundMessage& m) {
  if (!m.content_type().empty() && m.content_type() != "text") {
    return sw::Error::unsupported("SMS sends text only, not " + std::string(m.content_type()));
  }
  if (m.attachment_count() > 0) return sw::Error::unsupported("SMS cannot carry attachments");
  if (!session_) {
    return sw::Error::transient(degraded_.empty() ? "the SMS instance is not started" : degraded_);
  }
  std::string err;
  auto dest = destination_of(m.to(), config_.default_country, &err);
  if (!dest) return sw::Error::invalid_arg(err);
  auto src = sender_of(sender_for(m.from()), &err);
  if (!src) return sw::Error::invalid_arg(err);
  SplitOptions so{config_.allow_latin1, config_.concat, config_.max_parts};
  PlanError pe;
  auto plan = plan_text(m.text(), so, &pe);
  if (!plan) return sw::Error::invalid_arg(pe.message);

  ShortMessage base;
  base.service_type = config_.service_type;
  base.source_ton = src->ton;
  base.source_npi = src->npi;
  base.source_addr = src->addr;
  base.dest_ton = dest->ton;
  base.dest_npi = dest->npi;
  base.dest_addr = dest->addr;
  base.registered_delivery = config_.registered_delivery ? 1 : 0;
  base.data_coding = plan->data_coding;
  ConcatInfo ci;
  if (plan->parts.size() > 1) {
    uint16_t& next = concat_refs_[src->addr + ">" + dest->addr];
    ci.ref16 = config_.concat != Concat::kUdh8;
    ci.ref = ci.ref16 ? next : static_cast<uint16_t>(next & 0xFF);
    ++next;
    ci.total = static_cast<uint8_t>(plan->parts.size());
  }
  SubmitJob job;
  job.message_id = m.message_id();
  for (std::size_t i = 0; i < plan->parts.size(); ++i) {
    ShortMessage sm = base;
    const std::string& part = plan->parts[i];
    if (plan->parts.size() == 1) {
      if (part.size() > 254) {
        sm.tlvs.push_back({tag::kMessagePayload, part});
      } else {
        sm.short_message = part;
      }
    } else if (config_.concat == Concat::kSar) {
      sm.short_message = part;
      sm.tlvs.push_back({tag::kSarMsgRefNum, std::string{static_cast<char>(ci.ref >> 8),
                                                         static_cast<char>(ci.ref & 0xFF)}});
      sm.tlvs.push_back({tag::kSarTotalSegments, std::string(1, static_cast<char>(ci.total))});
      sm.tlvs.push_back({tag::kSarSegmentSeqnum, std::string(1, static_cast<char>(i + 1))});
    } else {
      ci.seq = static_cast<uint8_t>(i + 1);
      sm.esm_class = 0x40;
      sm.short_message = make_udh(ci) + part;
    }
    auto body = encode_short_message(sm);
    if (!body) return sw::Error::invalid_arg("a field of the submit_sm is too long");
    job.bodies.push_back(std::move(*body));
  }
  if (!session_->submit(std::move(job))) {
    const SessionStats st = session_->stats();
    return sw::Error::transient("no SMPP bind is up" +
                                (st.last_error.empty() ? "" : " (" + st.last_error + ")"));
  }
  return sw::SendResult::pending();
}

void SmsChannel::on_outcome(int64_t message_id, const SubmitOutcome& o) {
  if (o.kind == SubmitOutcome::Kind::kAccepted) {
    for (const ReceiptUpdate& u : receipts_.record(message_id, o.part_ids, host().now_ms())) {
      report(u);
    }
  }
  // complete_send goes through the strand: the host learns that a send is pending only when send()
  // returns there, and an outcome from this thread may be faster than that. While the instance
  // stops no post is taken, and no send() can be running: complete directly.
  if (host().post([this, message_id, o] { complete(message_id, o); }) != SB_OK) {
    complete(message_id, o);
  }
}

void SmsChannel::complete(int64_t message_id, const SubmitOutcome& o) {
  using K = SubmitOutcome::Kind;
  int32_t rc = SB_OK;
  if (o.kind == K::kAccepted) {
    rc = host().complete_send(message_id, o.part_ids.empty() ? "" : o.part_ids.front());
  } else {
    const std::string code = o.smpp_status != 0 ? status_name(o.smpp_status) : "";
    sw::Error e;
    switch (o.kind) {
      case K::kRateLimited:
        e = sw::Error::rate_limited(o.detail, std::chrono::milliseconds(o.retry_after_ms));
        e.provider_code = code;
        break;
      case K::kTransient:
        e = sw::Error::transient(o.detail);
        e.provider_code = code;
        break;
      case K::kUnknown:
        // Never resent: the SMSC may have it. A 1.1 host puts it in the outbox's reconcile state;
        // a 1.0 host records it failed (not retryable), which also never resends it.
        e = sw::Error::rejected(o.detail, "SMPP_UNKNOWN_OUTCOME");
        if (host().abi_minor() >= 1) e.status = SB_ERR_UNKNOWN_OUTCOME;
        break;
      default:
        e = sw::Error::rejected(o.detail, code);
        break;
    }
    rc = host().complete_send(message_id, e);
  }
  if (rc != SB_OK) {
    host().warn("sms: complete_send for message " + std::to_string(message_id) +
                " refused with status " + std::to_string(rc));
  }
}

sw::CanSendAnswer SmsChannel::can_send(const sw::CanSendQuery& q) {
  sw::CanSendAnswer a;
  std::string err;
  auto dest = destination_of(q.to(), config_.default_country, &err);
  if (!dest) {
    a.allowed = false;
    a.mode = SB_SEND_MODE_BLOCKED;
    a.reason = err;
    return a;
  }
  if (!q.content_type().empty() && q.content_type() != "text") {
    a.allowed = false;
    a.mode = SB_SEND_MODE_BLOCKED;
    a.reason = "SMS sends text only";
    return a;
  }
  a.reason = "SMS segment price to " + std::string(q.to()) + ": " +
             money(config_.rate_card.price(dest->addr)) + " " + config_.rate_card.currency +
             " (160 GSM-7 or 70 UCS-2 characters in one segment; 153 / 67 per part when longer)";
  if (!session_ || !session_->can_transmit()) {
    a.reason += "; no bind is up now, messages wait in the outbox";
  }
  return a;
}

sw::Result<std::string> SmsChannel::preview(std::string_view json_in) {
  auto in = json::parse(json_in);
  if (!in || !in->is_object()) return sw::Error::invalid_arg("preview: expects a JSON object");
  const json::Value* text = in->find("text");
  if (text == nullptr || !text->is_string()) {
    return sw::Error::invalid_arg("preview: \"text\" (string) is required");
  }
  SplitOptions so{config_.allow_latin1, config_.concat, config_.max_parts};
  PlanError pe;
  auto plan = plan_text(text->as_string(), so, &pe);
  if (!plan) return sw::Error::invalid_arg("preview: " + pe.message);
  double per = config_.rate_card.per_segment;
  const json::Value* to = in->find("to");
  if (to != nullptr && to->is_string() && !to->as_string().empty()) {
    std::string err;
    auto dest = destination_of(to->as_string(), config_.default_country, &err);
    if (!dest) return sw::Error::invalid_arg("preview: " + err);
    per = config_.rate_card.price(dest->addr);
  }
  json::Value out = json::Value::object();
  out.set("encoding", std::string(to_string(plan->encoding)));
  out.set("data_coding", static_cast<int64_t>(plan->data_coding));
  out.set("segments", static_cast<int64_t>(plan->parts.size()));
  out.set("characters", static_cast<int64_t>(plan->characters));
  out.set("units", static_cast<int64_t>(plan->units));
  out.set("units_per_segment", static_cast<int64_t>(plan->units_per_part));
  out.set("characters_left", static_cast<int64_t>(plan->units_left));
  out.set("concatenation", std::string(to_string(config_.concat)));
  json::Value price = json::Value::object();
  price.set("currency", config_.rate_card.currency);
  price.set("per_segment", per);
  // Rounded to a millionth so 3 x 0.07 reads 0.21, not 0.21000000000000002.
  price.set("total", std::round(per * static_cast<double>(plan->parts.size()) * 1e6) / 1e6);
  out.set("price", std::move(price));
  return out.dump();
}

sw::Result<std::string> SmsChannel::invoke(std::string_view op, std::string_view json_in) {
  if (op == "preview") return preview(json_in);
  return sw::Error::unsupported("unknown sms operation: " + std::string(op) +
                                " (supported: preview)");
}

sw::Health SmsChannel::health() {
  sw::Health h;
  json::Value d = json::Value::object();
  d.set("host", config_.session.host);
  d.set("port", static_cast<int64_t>(config_.session.port));
  d.set("system_id", config_.session.system_id);
  d.set("bind_mode", config_.session.transceiver ? "transceiver" : "transmitter_receiver");
  if (session_) {
    const SessionStats s = session_->stats();
    d.set("links", s.links);
    d.set("bound", s.bound);
    d.set("outstanding", s.outstanding);
    d.set("queued", s.queued);
    d.set("submitted", static_cast<int64_t>(s.submitted));
    d.set("accepted", static_cast<int64_t>(s.accepted));
    d.set("throttled", static_cast<int64_t>(s.throttled));
    d.set("rejected", static_cast<int64_t>(s.rejected));
    d.set("unknown_outcome", static_cast<int64_t>(s.unknown));
    d.set("reconnects", static_cast<int64_t>(s.reconnects));
    d.set("generic_nacks", static_cast<int64_t>(s.generic_nacks));
    d.set("last_error", s.last_error);
  }
  std::lock_guard lock(mu_);
  d.set("mo_stored", static_cast<int64_t>(mo_stored_));
  d.set("mo_duplicates", static_cast<int64_t>(mo_duplicates_));
  d.set("receipts_matched", static_cast<int64_t>(receipts_matched_));
  d.set("receipts_unmatched", static_cast<int64_t>(receipts_unmatched_));
  d.set("receipts_unparsable", static_cast<int64_t>(receipts_bad_));
  if (!config_status_) {
    h.state = SB_STATE_FAILED;
    d.set("reason", config_status_.error().message);
  } else if (!degraded_.empty()) {
    h.state = SB_STATE_DEGRADED;
    d.set("reason", degraded_);
  } else {
    h.state = state_;
    d.set("reason", state_reason_);
  }
  h.details_json = d.dump();
  return h;
}

void SmsChannel::on_state(int32_t state, const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    state_ = state;
    state_reason_ = reason;
  }
  host().report_state(state, reason);
}

void SmsChannel::on_log(int32_t level, const std::string& message) {
  host().log(level, "sms: " + message);
}

}  // namespace sms
