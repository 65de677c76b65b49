#include "whatsapp_channel.hpp"

#include "media.hpp"
#include "send.hpp"
#include "templates.hpp"

#include <algorithm>

namespace wa {

namespace {

Config config_or_default(std::string_view json, sw::Status* status) {
  sw::Result<Config> c = parse_config(json);
  if (c) return c.value();
  *status = c.error();
  return Config{};
}

}  // namespace

WhatsAppChannel::WhatsAppChannel(sw::Host host, std::string_view instance_id,
                                 std::string_view config_json)
    : sw::Channel(std::move(host)),
      instance_id_(instance_id),
      config_(config_or_default(config_json, &config_status_)),
      graph_(this->host(), config_),
      templates_(this->host(), config_.waba_id),
      windows_(this->host()),
      throughput_(config_.throughput_mps),
      onboarding_(this->host(), config_, graph_, [this](const std::string& pnid, double mps) {
        throughput_.set_rate(pnid, std::min(mps, kMaxThroughputMps));
      }) {
  // Each token (secret name) is judged on its own: a success with one token does not clear the
  // rejection of another WABA's.
  graph_.on_token_error([this](const GraphError& e, const std::string& token_name) {
    if (std::find(rejected_tokens_.begin(), rejected_tokens_.end(), token_name) ==
        rejected_tokens_.end()) {
      rejected_tokens_.push_back(token_name);
    }
    degrade("access token rejected by Meta (Graph error " + std::to_string(e.code) +
            "): replace the " + join(rejected_tokens_, ", ") + " secret");
  });
  graph_.on_success([this](const std::string& token_name) {
    auto it = std::find(rejected_tokens_.begin(), rejected_tokens_.end(), token_name);
    if (it == rejected_tokens_.end()) return;
    rejected_tokens_.erase(it);
    if (rejected_tokens_.empty()) {
      recover();
    } else {
      degrade("access token rejected by Meta: replace the " + join(rejected_tokens_, ", ") +
              " secret");
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
  std::vector<std::string> names = {"access_token", "app_secret", "verify_token"};
  // The token references of configured numbers must resolve too.
  for (const auto& n : config_.numbers) {
    if (!n.token.empty() && std::find(names.begin(), names.end(), n.token) == names.end()) {
      names.push_back(n.token);
    }
  }
  for (const auto& s : names) {
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
  templates_.migrate();
  std::vector<std::string> missing = missing_secrets();
  if (!missing.empty()) degrade("secret(s) not configured: " + join(missing, ", "));
  if (config_.template_sync_interval.count() > 0) arm_template_sync(std::chrono::seconds(5));
  start_number_load();
  host().info("whatsapp: instance " + instance_id_ + " started for WABA " + config_.waba_id +
              " with " + std::to_string(config_.numbers.size()) + " number(s)");
  return {};
}

void WhatsAppChannel::stop() {
  running_ = false;
  if (sync_timer_ != 0) host().cancel_timer(sync_timer_);
  sync_timer_ = 0;
  if (load_timer_ != 0) host().cancel_timer(load_timer_);
  load_timer_ = 0;
}

sw::Result<std::string> WhatsAppChannel::number_for(std::string_view from) const {
  if (from.empty() && !config_.numbers.empty()) return config_.numbers.front().phone_number_id;
  if (from.empty()) {
    // No configured number: a single onboarded one is the obvious sender.
    std::vector<std::string> known = onboarding_.known_numbers();
    if (known.size() == 1) return known.front();
    return sw::Error::invalid_arg(known.empty() ? "from: this instance has no number yet; add one"
                                                : "from: required (several numbers)");
  }
  if (const NumberConfig* n = config_.number(from)) return n->phone_number_id;
  if (std::optional<std::string> added = onboarding_.resolve(from)) return *added;
  return sw::Error::invalid_arg("from: " + std::string(from) +
                                " is not a business number of this instance");
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
    sw::Error blocked = check_template(pnid.value(), in.payload, TemplateCheck::kSend);
    if (blocked.status != SB_OK) return blocked;
  }
  sw::Result<json::Value> body = build_send_body(in);
  if (!body) return body.error();
  // Both limits are checked before either is spent, so a message refused by one does not use up
  // the other's budget.
  TokenBucket& bucket = throughput_.for_number(pnid.value());
  if (std::chrono::milliseconds wait = bucket.wait_ms(now); wait.count() > 0) {
    return sw::Error::rate_limited("throughput of number " + pnid.value() + " (" +
                                       std::to_string(static_cast<int>(bucket.rate())) +
                                       " mps) used up",
                                   wait);
  }
  const std::string customer = digits_only(in.to);
  const bool paired = in.content_type != "read";  // read receipts are not messages to the user
  if (paired) {
    if (std::chrono::milliseconds wait = pairs_.wait_ms(pnid.value(), customer, now);
        wait.count() > 0) {
      return sw::Error::rate_limited(
          "more than WhatsApp's pair rate (about 1 message per 6 s, "
          "bursts of 45) to this customer",
          wait);
    }
    pairs_.try_take(pnid.value(), customer, now);
  }
  bucket.try_take(now);
  sw::Result<json::Value> resp =
      onboarding_.graph_for(pnid.value()).post("/" + pnid.value() + "/messages", body.value());
  if (!resp) {
    const std::string& code = resp.error().provider_code;
    if (code == "131047") windows_.close(pnid.value(), in.to);
    // Meta's own counters win over our estimate: back off the number (130429) or the pair
    // (131056), each only for as long as Meta asks.
    if (code == "130429") bucket.hold(now, resp.error().retry_after);
    if (code == "131056") pairs_.hold(pnid.value(), customer, now, resp.error().retry_after);
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
  } else {
    a.mode = SB_SEND_MODE_TEMPLATE_ONLY;
    a.allowed = !needs_window(lower(q.content_type()));
    a.expires_at_ms = 0;
    a.reason =
        "outside the 24-hour customer service window: only approved templates may be sent until "
        "the customer writes again";
  }
  // A template is judged by its payload (a host of ABI 1.1 or later passes it; an older one does
  // not, and send() and Meta decide).
  std::optional<std::string_view> payload = q.payload_json();
  if (a.allowed && lower(q.content_type()) == "template" && payload && !payload->empty()) {
    std::optional<json::Value> p = parse_json(*payload);
    sw::Error refused = p && p->is_object()
                            ? check_template(pnid.value(), *p, TemplateCheck::kBeforeQueueing)
                            : sw::Error::invalid_arg("payload_json: must be a JSON object");
    if (refused.status != SB_OK) {
      a.allowed = false;
      a.reason = refused.message;
    }
  }
  return a;
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
  if (op == "media_upload") return media_upload(in);
  if (op == "media_download") return media_download(in);
  if (op == "mark_read") return mark_read(in);
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

// Inbound media are fetched in two steps (docs/whatsapp-cloud-api.md §3.5): this resolves a media
// id to its short-lived URL, which must then be downloaded with the same Bearer token within 5
// minutes.
sw::Result<std::string> WhatsAppChannel::media_url(const json::Value& in) {
  std::string id = str_of(in, "media_id");
  if (!all_digits(id)) return sw::Error::invalid_arg("media_id: the numeric media id");
  Query q;
  if (std::string pnid = str_of(in, "phone_number_id"); !pnid.empty()) {
    q.emplace_back("phone_number_id", pnid);
  }
  sw::Result<MediaInfo> r = media_lookup(str_of(in, "phone_number_id"), id, q);
  if (!r) return r.error();
  json::Value out = json::Value::object();
  for (const char* k : {"id", "url", "mime_type", "sha256", "file_size"}) {
    if (const json::Value* v = r.value().info.find(k)) out.set(k, *v);
  }
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::media_upload(const json::Value& in) {
  sw::Result<std::string> pnid = number_for(str_of(in, "phone_number_id"));
  if (!pnid) return pnid.error();
  std::string mime = lower(str_of(in, "mime_type"));
  std::optional<std::size_t> limit = media_limit(mime);
  if (!limit)
    return sw::Error::invalid_arg("mime_type: \"" + mime + "\" is not accepted by WhatsApp");
  std::optional<std::string> data = base64_decode(str_of(in, "data_base64"));
  if (!data || data->empty())
    return sw::Error::invalid_arg("data_base64: the file, base64-encoded");
  if (data->size() > *limit) {
    return sw::Error::invalid_arg("data_base64: " + std::to_string(data->size()) +
                                  " bytes is above WhatsApp's limit of " + std::to_string(*limit) +
                                  " for " + mime);
  }
  Multipart body = media_upload_body(mime, str_of(in, "filename"), *data,
                                     static_cast<uint64_t>(host().now_ms()) ^ ++uploads_);
  sw::Result<json::Value> r =
      onboarding_.graph_for(pnid.value())
          .post_raw("/" + pnid.value() + "/media", std::move(body.body), body.content_type);
  if (!r) return r.error();
  std::string id = str_of(r.value(), "id");
  if (id.empty()) return sw::Error::internal("Meta stored the media but returned no id");
  json::Value out = json::Value::object();
  out.set("media_id", id);
  out.set("bytes", static_cast<int64_t>(data->size()));
  return out.dump();
}

// The host's read receipt when an agent reads a conversation (§3.9): {"message_id": the inbound
// wamid, "from": our number (id or display number; empty = the first), "typing_indicator"?}.
// Meta marks every earlier message of that customer read too. Not a message: no window, no pair
// rate and no callback data, but it does count against the number's throughput.
sw::Result<std::string> WhatsAppChannel::mark_read(const json::Value& in) {
  if (!running_) return sw::Error::state("the instance is not running");
  sw::Result<std::string> pnid = number_for(str_of(in, "from"));
  if (!pnid) return pnid.error();
  SendInput s;
  s.content_type = "read";
  s.reply_to = str_of(in, "message_id");
  if (s.reply_to.empty())
    return sw::Error::invalid_arg("message_id: the inbound wamid to mark read");
  s.payload = json::Value::object();
  if (const json::Value* t = in.find("typing_indicator"); t != nullptr && t->as_bool()) {
    s.payload.set("typing_indicator", true);
  }
  sw::Result<json::Value> body = build_send_body(s);
  if (!body) return body.error();
  int64_t now = host().now_ms();
  TokenBucket& bucket = throughput_.for_number(pnid.value());
  if (!bucket.try_take(now)) {
    return sw::Error::rate_limited("throughput of number " + pnid.value() + " used up",
                                   bucket.wait_ms(now));
  }
  sw::Result<json::Value> resp =
      onboarding_.graph_for(pnid.value()).post("/" + pnid.value() + "/messages", body.value());
  if (!resp) {
    if (resp.error().provider_code == "130429") bucket.hold(now, resp.error().retry_after);
    return resp.error();
  }
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("message_id", s.reply_to);
  out.set("phone_number_id", pnid.value());
  return out.dump();
}

// Media belong to a number: with `phone_number_id` its token is used. Without it (the host's own
// fetch of an inbound file passes only the media id) the default token is tried first, then the
// token of each other WABA served, as long as Meta answers that the token may not see the media.
sw::Result<WhatsAppChannel::MediaInfo> WhatsAppChannel::media_lookup(std::string_view pnid_arg,
                                                                     const std::string& media_id,
                                                                     const Query& q) const {
  std::vector<GraphClient> candidates;
  if (std::optional<std::string> pnid = onboarding_.resolve(pnid_arg); pnid && !pnid_arg.empty()) {
    candidates.push_back(onboarding_.graph_for(*pnid));
  } else {
    candidates.push_back(graph_);
    std::vector<std::string> tried = {graph_.token_name()};
    for (const auto& n : onboarding_.known_numbers()) {
      std::string t = onboarding_.token_for(n);
      if (std::find(tried.begin(), tried.end(), t) != tried.end()) continue;
      tried.push_back(t);
      candidates.push_back(onboarding_.graph_for(n));
    }
  }
  sw::Error last = sw::Error::internal("no token to look the media up with");
  for (const auto& g : candidates) {
    sw::Result<json::Value> r = g.get("/" + media_id, q);
    if (r) return MediaInfo{std::move(r).value(), g};
    last = r.error();
    if (last.status != SB_ERR_AUTH && last.status != SB_ERR_NOT_FOUND) break;
  }
  return last;
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
