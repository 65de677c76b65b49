// POST /{phone-number-id}/messages (docs/whatsapp-cloud-api.md §3, §5): validation, the customer
// service window, throughput and pair rate limits, the §3.2 response and scheduled status webhooks
// (§4.5).
#include <Poco/String.h>

#include <algorithm>
#include <set>

#include "message_rules.h"
#include "sim.h"
#include "template_rules.h"

namespace wasim {

namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

const std::set<std::string> kTypes = {"text",        "image",    "audio",    "video",
                                      "document",    "sticker",  "location", "contacts",
                                      "interactive", "template", "reaction"};

bool onlyDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

namespace {

int64_t tierLimit(const std::string& tier) {
  if (tier == "TIER_50") return 50;
  if (tier == "TIER_250") return 250;
  if (tier == "TIER_1K") return 1000;
  if (tier == "TIER_2K") return 2000;
  if (tier == "TIER_10K") return 10000;
  if (tier == "TIER_100K") return 100000;
  return -1;  // TIER_UNLIMITED and unknown values
}

}  // namespace

// Messaging limits count unique users reached outside a window, per portfolio (here: WABA),
// over a moving 24 hours (§5.4). Users already reached in that span do not count again.
bool Sim::reachOutsideWindow(const PhoneNumber& pn, const std::string& wa_id) {
  Waba* waba = findWaba(pn.waba_id);
  if (!waba) return true;
  const int64_t now = clock_.nowMs();
  auto& reached = waba->reached_outside_window_ms;
  std::erase_if(reached, [&](const auto& kv) { return now - kv.second >= kDayMs; });
  const int64_t limit = tierLimit(waba->messaging_limit);
  if (!reached.count(wa_id) && limit >= 0 && static_cast<int64_t>(reached.size()) >= limit)
    return false;
  reached[wa_id] = now;
  return true;
}

bool Sim::windowOpen(const std::string& pnid, const std::string& wa_id) const {
  auto it = last_user_message_ms_.find({pnid, wa_id});
  return it != last_user_message_ms_.end() && clock_.nowMs() - it->second < kDayMs;
}

void Sim::emitValueError(const PhoneNumber& pn, int code, const std::string& details) {
  auto errors = newArr();
  errors->add(webhookError(code, details));
  auto value = newObj();
  value->set("messaging_product", "whatsapp");
  value->set("metadata", metadata(pn));
  value->set("errors", errors);
  dispatcher_.enqueue(Update{callbackFor(pn), pn.waba_id, "messages", value, false},
                      clock_.nowMs());
}

void Sim::checkThroughput(PhoneNumber& pn) {
  if (pn.throughput.take(clock_.nowMs(), pn.mps, pn.mps)) return;
  if (settings_.mirror_throughput_errors)
    emitValueError(pn, 130429, "Message failed to send because there were too many messages");
  throw err(130429,
            "Message failed to send because there were too many messages sent from "
            "this phone number in a short period of time (" +
                std::to_string(static_cast<int>(pn.mps)) + " mps)");
}

Response Sim::sendMessage(Request& req, PhoneNumber& pn) {
  const Obj& p = req.params;
  if (getStr(p, "messaging_product") != "whatsapp")
    throw err(100, "The parameter messaging_product is required and must be whatsapp");
  const auto recipient_type = getStr(p, "recipient_type").value_or("individual");
  if (recipient_type != "individual")
    throw err(100, "recipient_type '" + recipient_type + "' is not supported by the simulator");
  if (pn.status != "CONNECTED")
    throw err(133010, "Phone number " + pn.id + " is not registered for Cloud API");
  if (clock_.nowMs() < pn.maintenance_until_ms)
    throw err(131057, "The phone number is upgrading its throughput; retry shortly");
  auto to = getStr(p, "to");
  if (!to || to->empty()) throw err(131008, "The parameter to is required");
  const std::string type = getStr(p, "type").value_or("text");
  if (!kTypes.count(type)) throw err(131009, "Unsupported message type '" + type + "'");

  // Normalise `to`: drop formatting; without '+', a number not already starting with the
  // business's country code gets it prepended (Meta's documented mis-delivery quirk).
  std::string wa_id;
  for (char c : *to)
    if (c != '+' && c != '-' && c != '(' && c != ')' && c != ' ') wa_id.push_back(c);
  if (!onlyDigits(wa_id)) throw err(131009, "The parameter to is not a valid phone number");
  if (!to->starts_with("+") && !wa_id.starts_with(pn.cc)) wa_id = pn.cc + wa_id;
  if (wa_id.size() < 8 || wa_id.size() > 15)
    throw err(131009, "The parameter to is not a valid phone number");
  if (wa_id == pn.digits()) throw err(131021, "Sender and recipient phone numbers are the same");

  if (type == "contacts") {
    auto list = getArr(p, "contacts");
    if (!list || list->size() == 0) throw err(131008, "contacts must be a non-empty array");
  } else if (!getObj(p, type)) {
    throw err(131008, "The parameter " + type + " is required for type " + type);
  }
  if (type == "reaction" && p->has("context"))
    throw err(131009, "Reactions cannot be sent as replies");
  const Obj body = type == "contacts" ? nullptr : getObj(p, type);
  validateContent(type, body, [&](const std::string& id) {
    auto it = media_.find(id);
    return it != media_.end() && it->second.phone_number_id == pn.id;
  });
  if (auto opaque = getStr(p, "biz_opaque_callback_data"); opaque && opaque->size() > 512)
    throw err(131009, "biz_opaque_callback_data must be at most 512 characters");

  std::string category = "service";
  bool marketing = false;
  if (type == "template") {
    const auto name = getStr(body, "name").value_or("");
    auto lang = getObj(body, "language");
    const auto code = lang ? getStr(lang, "code").value_or("") : "";
    if (name.empty() || code.empty())
      throw err(131008, "template.name and template.language.code are required");
    if (lang->has("policy") && getStr(lang, "policy") != "deterministic")
      throw err(131009, "template.language.policy must be deterministic");
    Template* t = nullptr;
    for (auto& [id, cand] : templates_)
      if (cand.waba_id == pn.waba_id && cand.name == name && cand.language == code) t = &cand;
    if (!t || (t->status != "APPROVED" && t->status != "FLAGGED" && t->status != "REINSTATED" &&
               t->status != "PAUSED" && t->status != "DISABLED"))
      throw err(132001,
                "template name (" + name + ") does not exist in " + code + " or is not approved");
    if (t->status == "PAUSED") throw err(132015, "Template " + name + " is paused");
    if (t->status == "DISABLED") throw err(132016, "Template " + name + " is disabled");
    checkTemplateSend(t->components, t->parameter_format, getArr(body, "components"));
    category = Poco::toLower(t->category);
    marketing = t->category == "MARKETING";
  }
  if (type == "reaction") {
    const auto target = getStr(body, "message_id").value_or("");
    const int64_t* at = nullptr;
    if (auto it = inbound_.find(target);
        it != inbound_.end() && it->second.phone_number_id == pn.id)
      at = &it->second.at_ms;
    if (auto it = sent_.find(target); it != sent_.end() && it->second.phone_number_id == pn.id) {
      if (it->second.type == "reaction") throw err(131009, "Cannot react to a reaction");
      at = &it->second.at_ms;
    }
    if (!at) throw err(131009, "reaction.message_id is not a message of this conversation");
    if (clock_.nowMs() - *at > 30 * kDayMs)
      throw err(131009, "Cannot react to a message older than 30 days");
    if (!body->has("emoji")) throw err(131008, "reaction.emoji is required (empty removes)");
  }

  checkThroughput(pn);
  auto& bucket = pair_buckets_[{pn.id, wa_id}];
  if (!bucket.take(clock_.nowMs(), settings_.pair_rate_per_s, settings_.pair_burst))
    throw err(131056,
              "Message failed to send because there were too many messages sent from "
              "this phone number to the same phone number in a short period of time.");

  const bool in_window = windowOpen(pn.id, wa_id);
  std::optional<int> fail;
  std::string fail_details;
  if (type != "template" && !in_window) {
    const std::string details =
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number.";
    if (settings_.csw_sync_error) throw err(131047, details);
    fail = 131047;
    fail_details = details;
  }
  const User user = users_.count(wa_id) ? users_.at(wa_id) : User{};
  if (!fail && user.state == "not_whatsapp") {
    fail = 131026;
    fail_details = "Message undeliverable: the recipient is not a WhatsApp user";
  }
  if (!fail && !in_window && settings_.enforce_messaging_limit && !reachOutsideWindow(pn, wa_id)) {
    fail = settings_.messaging_limit_error;
    fail_details = "The business has reached its messaging limit of unique users in 24 hours";
  }
  if (auto hash = getStr(p, "recipient_identity_key_hash");
      !fail && hash && pn.identity_key_check && !user.identity_key_hash.empty() &&
      *hash != user.identity_key_hash) {
    fail = 137000;
    fail_details = "The recipient's identity key hash does not match; verify the user again";
  }
  if (!fail && marketing && pn.spam_limited) {
    fail = 131048;
    fail_details =
        "Message failed to send because there are restrictions on how many messages "
        "can be sent from this phone number (quality)";
  }
  if (!fail && marketing && user.marketing_opt_out) {
    fail = 131050;
    fail_details = "The user has stopped marketing messages from this business";
  }
  if (!fail && marketing && user.marketing_capped) {
    fail = 131049;
    fail_details = "This message was not delivered to maintain healthy ecosystem engagement.";
  }

  SentMessage m;
  m.wamid = ids_.wamid();
  m.phone_number_id = pn.id;
  m.input = *to;
  m.wa_id = wa_id;
  m.type = type;
  m.category = category;
  m.pricing_type = category == "service" || (category == "utility" && in_window)
                       ? "free_customer_service"
                       : "regular";
  m.conversation_id = ids_.hex(32);
  m.biz_opaque = getStr(p, "biz_opaque_callback_data");
  m.request = deepCopy(p);
  m.at_ms = clock_.nowMs();
  sent_[m.wamid] = m;
  sent_order_.push_back(m.wamid);
  scheduleStatuses(m, in_window, fail, fail_details);

  auto contact = newObj();
  contact->set("input", *to);
  contact->set("wa_id", wa_id);
  auto contacts = newArr();
  contacts->add(contact);
  auto msg = newObj();
  msg->set("id", m.wamid);
  if (type == "template")
    msg->set("message_status",
             settings_.held_for_quality ? "held_for_quality_assessment" : "accepted");
  auto messages = newArr();
  messages->add(msg);
  auto out = newObj();
  out->set("messaging_product", "whatsapp");
  out->set("contacts", contacts);
  out->set("messages", messages);
  return respond(out);
}

void Sim::scheduleStatuses(const SentMessage& m, bool in_window, std::optional<int> fail_code,
                           const std::string& fail_details) {
  (void)in_window;
  const int64_t now = clock_.nowMs();
  const std::string id = m.wamid;
  auto at = [&](int64_t delay, std::string status, bool pricing, std::optional<int> code) {
    scheduler_.at(now + std::max<int64_t>(0, delay),
                  [this, id, status, pricing, code, fail_details] {
                    std::lock_guard lock(mu_);
                    if (sent_.count(id)) emitStatus(id, status, pricing, code, fail_details);
                  });
  };
  if (fail_code) {
    at(settings_.sent_delay_ms, "failed", false, fail_code);
    return;
  }
  at(settings_.sent_delay_ms, "sent", true, std::nullopt);
  const User user = users_.count(m.wa_id) ? users_.at(m.wa_id) : User{};
  if (user.state == "blocked") return;  // a blocked recipient stays at "sent" forever
  if (!settings_.skip_delivered && settings_.delivered_delay_ms >= 0)
    at(settings_.delivered_delay_ms, "delivered", true, std::nullopt);
  if (settings_.read_delay_ms >= 0 && user.read_receipts)
    at(settings_.read_delay_ms, "read", settings_.skip_delivered, std::nullopt);
}

void Sim::emitStatus(const std::string& wamid, const std::string& status, bool with_pricing,
                     std::optional<int> fail_code, const std::string& fail_details) {
  SentMessage& m = sent_.at(wamid);
  PhoneNumber* pn = findNumber(m.phone_number_id);
  if (!pn) return;
  m.statuses.push_back(status);
  auto s = newObj();
  s->set("id", m.wamid);
  s->set("status", status);
  s->set("timestamp", std::to_string(clock_.nowSec()));
  s->set("recipient_id", m.wa_id);
  if (m.biz_opaque) s->set("biz_opaque_callback_data", *m.biz_opaque);
  if (with_pricing && !fail_code) {
    // From webhook v24.0 `conversation` is omitted unless it is a free-entry-point one.
    if (settings_.webhook_major < 24) {
      auto conv = newObj();
      conv->set("id", m.conversation_id);
      if (status == "sent")
        conv->set("expiration_timestamp", std::to_string(m.at_ms / 1000 + 24 * 3600));
      auto origin = newObj();
      origin->set("type", m.category);
      conv->set("origin", origin);
      s->set("conversation", conv);
    }
    auto pricing = newObj();
    pricing->set("billable", m.pricing_type == "regular");
    pricing->set("pricing_model", "PMP");
    pricing->set("type", m.pricing_type);
    pricing->set("category", m.category);
    s->set("pricing", pricing);
  }
  if (fail_code) {
    auto errors = newArr();
    errors->add(webhookError(*fail_code, fail_details));
    s->set("errors", errors);
  }
  auto statuses = newArr();
  statuses->add(s);
  auto value = newObj();
  value->set("messaging_product", "whatsapp");
  value->set("metadata", metadata(*pn));
  value->set("statuses", statuses);
  dispatcher_.enqueue(Update{callbackFor(*pn), pn->waba_id, "messages", value, false},
                      clock_.nowMs());
}

Response Sim::markRead(Request& req, PhoneNumber& pn) {
  if (getStr(req.params, "messaging_product") != "whatsapp")
    throw err(100, "The parameter messaging_product is required and must be whatsapp");
  auto id = getStr(req.params, "message_id");
  if (!id || id->empty()) throw err(131008, "The parameter message_id is required");
  auto it = inbound_.find(*id);
  if (it == inbound_.end() || it->second.phone_number_id != pn.id)
    throw err(100, "Invalid parameter: message_id " + *id + " is not a received message");
  if (auto typing = getObj(req.params, "typing_indicator");
      typing && getStr(typing, "type") != "text")
    throw err(131009, "typing_indicator.type must be text");
  ++it->second.read_requests;
  // Reading one message reads every earlier message of that user.
  const int64_t now = clock_.nowMs();
  for (auto& [wamid, in] : inbound_)
    if (in.phone_number_id == pn.id && in.from == it->second.from && in.at_ms <= it->second.at_ms &&
        !in.read) {
      in.read = true;
      in.read_at_ms = now;
    }
  return success();
}

}  // namespace wasim
