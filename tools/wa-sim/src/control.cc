// Test-control API under /_sim/ (no auth; the server only listens on 127.0.0.1): reset, clock,
// settings, fixtures, review decisions, fault injection, inspection of sends and deliveries.
#include <Poco/String.h>

#include <algorithm>
#include <set>
#include <vector>

#include "control_util.h"
#include "sim.h"

namespace wasim {

void Sim::reset() {
  scheduler_.clear();
  dispatcher_.clear();
  clock_.reset();
  settings_ = opts_.settings;
  dispatcher_.configure(opts_.webhooks);
  tokens_ = opts_.tokens;
  wabas_.clear();
  numbers_.clear();
  templates_.clear();
  users_.clear();
  sent_.clear();
  sent_order_.clear();
  inbound_.clear();
  media_.clear();
  last_user_message_ms_.clear();
  pair_buckets_.clear();
  faults_.clear();
  loadFixtures();
}

Response Sim::createWaba(const Obj& in) {
  if (!in) throw err(100, "expected a JSON object");
  Waba w;
  w.id = getStr(in, "id").value_or(ids_.node());
  if (wabas_.count(w.id) || numbers_.count(w.id)) throw err(100, "id " + w.id + " already in use");
  w.name = getStr(in, "name").value_or("Sim Business");
  w.business_verified = getBool(in, "business_verified").value_or(false);
  w.max_phone_numbers =
      static_cast<int>(getInt(in, "max_phone_numbers").value_or(w.business_verified ? 20 : 2));
  if (auto uri = getStr(in, "override_callback_uri")) {
    if (!isLoopbackUrl(*uri)) throw err(100, "override_callback_uri must be http://127.0.0.1");
    w.override_uri = *uri;
  }
  wabas_[w.id] = w;
  auto numbers = newArr();
  if (auto list = getArr(in, "numbers")) {
    for (size_t i = 0; i < list->size(); ++i) {
      auto r = createFixtureNumber(list->getObject(static_cast<unsigned>(i)), w.id);
      numbers->add(parseObject(r.body).value_or(newObj())->get("id"));
    }
  }
  auto o = newObj();
  o->set("id", w.id);
  o->set("numbers", numbers);
  return respond(o);
}

// A number created directly in a chosen state (default: verified and CONNECTED), so message
// tests need not walk the onboarding flow.
Response Sim::createFixtureNumber(const Obj& in, const std::string& waba_id) {
  if (!in) throw err(100, "expected a JSON object");
  if (!findWaba(waba_id)) throw notFound("WABA " + waba_id);
  PhoneNumber pn;
  pn.id = getStr(in, "id").value_or(ids_.node());
  if (numbers_.count(pn.id) || wabas_.count(pn.id)) throw err(100, "id " + pn.id + " in use");
  pn.waba_id = waba_id;
  pn.cc = getStr(in, "cc").value_or("1");
  pn.number = getStr(in, "phone_number").value_or("555" + ids_.digits(7));
  pn.verified_name = getStr(in, "verified_name").value_or("Sim Support");
  pn.mps = getDouble(in, "mps").value_or(settings_.default_mps);
  if (getBool(in, "connected").value_or(true)) {
    pn.code_verification_status = "VERIFIED";
    pn.name_status = "APPROVED";
    pn.status = "CONNECTED";
    pn.platform_type = "CLOUD_API";
    pn.quality_rating = "GREEN";
    pn.pin = getStr(in, "pin").value_or("123456");
  }
  if (auto uri = getStr(in, "override_callback_uri")) {
    if (!isLoopbackUrl(*uri)) throw err(100, "override_callback_uri must be http://127.0.0.1");
    pn.override_uri = *uri;
  }
  numbers_[pn.id] = pn;
  auto o = newObj();
  o->set("id", pn.id);
  return respond(o);
}

Response Sim::control(Request& req) {
  const auto& seg = req.segments;  // "_sim", area, ...
  const std::string area = seg.size() > 1 ? seg[1] : "";
  const std::string& m = req.method;
  const Obj& in = req.params;

  if (area == "reset" && m == "POST") {
    reset();
    return success();
  }
  if (area == "clock") {
    const std::string op = seg.size() > 2 ? seg[2] : "";
    if (op == "advance" && m == "POST") {
      clock_.advanceMs(getInt(in, "ms").value_or(0) + getInt(in, "seconds").value_or(0) * 1000);
    } else if (op == "set" && m == "POST") {
      if (auto ms = getInt(in, "epoch_ms"))
        clock_.setMs(*ms);
      else
        clock_.setMs(getInt(in, "epoch_s").value_or(clock_.nowSec()) * 1000);
    } else if (!(op.empty() && m == "GET")) {
      throw notFound("clock operation");
    }
    scheduler_.poke();
    dispatcher_.poke();
    auto o = newObj();
    o->set("now_ms", clock_.nowMs());
    o->set("now", clock_.nowSec());
    return respond(o);
  }
  if (area == "config") {
    if (m == "POST") {
      WebhookConfig w = dispatcher_.config();
      Settings s = settings_;
      if (auto problem = applySettings(in, s, w); !problem.empty()) throw err(100, problem);
      if (getStr(in, "webhook_url") || getStr(in, "verify_token")) {
        // Configuring the app callback runs Meta's GET handshake (docs/whatsapp-cloud-api.md §4.1):
        // verified only when the receiver answers 200 with the challenge. Deliveries are not held
        // back either way.
        s.app_callback_verified =
            !s.app_callback.empty() &&
            verifyCallback(s.app_callback, s.verify_token, ids_.digits(10), w.timeout_ms);
      }
      settings_ = s;
      dispatcher_.configure(w);
    }
    return respond(settingsToJson(settings_, dispatcher_.config()));
  }
  if (area == "tokens" && m == "POST") {
    tokens_[need(in, "token")] = tokenFromJson(in);
    return success();
  }
  if (area == "tokens" && m == "DELETE" && seg.size() > 2) {
    tokens_.erase(seg[2]);
    return success();
  }
  if (area == "wabas" && seg.size() == 2 && m == "POST") return createWaba(in);
  if (area == "wabas" && seg.size() == 4 && m == "POST") {
    Waba* w = findWaba(seg[2]);
    if (!w) throw notFound("WABA " + seg[2]);
    if (seg[3] == "capability") {
      if (auto v = getInt(in, "max_phone_numbers")) w->max_phone_numbers = static_cast<int>(*v);
      if (auto v = getStr(in, "messaging_limit")) w->messaging_limit = *v;
      if (auto v = getBool(in, "business_verified")) w->business_verified = *v;
      auto value = newObj();
      value->set("max_daily_conversations_per_business", w->messaging_limit);
      value->set("max_phone_numbers_per_business", w->max_phone_numbers);
      emitAccount(callbackForWaba(*w), w->id, "business_capability_update", value);
      return success();
    }
    if (seg[3] == "webhook") {  // any account-level field: account_update, account_review_update
      auto value = getObj(in, "value");
      if (!value) throw err(100, "value object is required");
      emitAccount(callbackForWaba(*w), w->id, need(in, "field"), deepCopy(value));
      return success();
    }
  }
  if (area == "numbers" && seg.size() == 2 && m == "POST")
    return createFixtureNumber(in, need(in, "waba_id"));
  if (area == "numbers" && seg.size() == 4) {
    PhoneNumber* pn = findNumber(seg[2]);
    if (!pn) throw notFound("number " + seg[2]);
    return controlNumber(req, *pn, seg[3]);
  }
  if (area == "templates" && seg.size() == 4 && m == "POST") {
    Template* t = findTemplate(seg[2]);
    if (!t) throw notFound("template " + seg[2]);
    return controlTemplate(req, *t, seg[3]);
  }
  if (area == "users" && m == "POST") {
    User& u = users_[need(in, "wa_id")];
    if (auto v = getStr(in, "state")) {
      if (*v != "ok" && *v != "not_whatsapp" && *v != "blocked")
        throw err(100, "state must be ok, not_whatsapp or blocked");
      u.state = *v;
    }
    if (auto v = getBool(in, "read_receipts")) u.read_receipts = *v;
    if (auto v = getStr(in, "name")) u.name = *v;
    if (auto v = getBool(in, "marketing_opt_out")) u.marketing_opt_out = *v;
    if (auto v = getBool(in, "marketing_capped")) u.marketing_capped = *v;
    if (auto v = getStr(in, "identity_key_hash")) u.identity_key_hash = *v;
    return success();
  }
  if (area == "inbound" && m == "POST") return injectInbound(req);
  if (area == "inbound" && m == "GET") {  // what customers sent, and whether we marked it read
    std::vector<const InboundMessage*> list;
    const auto filter = getStr(in, "phone_number_id");
    for (const auto& [wamid, msg] : inbound_)
      if (!filter || *filter == msg.phone_number_id) list.push_back(&msg);
    std::stable_sort(list.begin(), list.end(),
                     [](const auto* a, const auto* b) { return a->at_ms < b->at_ms; });
    auto data = newArr();
    for (const InboundMessage* msg : list) {
      auto o = newObj();
      o->set("id", msg->wamid);
      o->set("phone_number_id", msg->phone_number_id);
      o->set("from", msg->from);
      o->set("type", msg->type);
      o->set("at_ms", msg->at_ms);
      o->set("read", msg->read);
      o->set("read_at_ms", msg->read_at_ms);
      o->set("read_requests", msg->read_requests);
      data->add(o);
    }
    auto o = newObj();
    o->set("data", data);
    return respond(o);
  }
  if (area == "faults") {
    if (m == "DELETE") {
      faults_.clear();
      return success();
    }
    if (m == "POST") {
      Fault f;
      f.pattern = need(in, "path");
      f.method = getStr(in, "method").value_or("");
      f.remaining = static_cast<int>(getInt(in, "count").value_or(1));
      f.http_status = static_cast<int>(getInt(in, "status").value_or(0));
      f.code = static_cast<int>(getInt(in, "code").value_or(0));
      f.delay_ms = getInt(in, "delay_ms").value_or(0);
      if (f.remaining < 1 || (f.http_status == 0 && f.delay_ms <= 0) ||
          (f.http_status != 0 && (f.http_status < 400 || f.http_status > 599)))
        throw err(100, "a fault needs count >= 1 and a status 400-599 and/or delay_ms > 0");
      faults_.push_back(f);
      return success();
    }
  }
  // The wamid travels in the body: base64 ids may contain '/'.
  if (area == "messages" && seg.size() == 3 && seg[2] == "status" && m == "POST")
    return controlMessage(req, need(in, "id"));
  if (area == "messages" && m == "GET") {
    auto data = newArr();
    const auto filter = getStr(in, "phone_number_id");
    for (const auto& id : sent_order_) {
      const SentMessage& s = sent_.at(id);
      if (filter && *filter != s.phone_number_id) continue;
      auto o = newObj();
      o->set("id", s.wamid);
      o->set("phone_number_id", s.phone_number_id);
      o->set("to", s.input);
      o->set("wa_id", s.wa_id);
      o->set("type", s.type);
      o->set("category", s.category);
      o->set("pricing_type", s.pricing_type);
      auto statuses = newArr();
      for (const auto& st : s.statuses) statuses->add(st);
      o->set("statuses", statuses);
      o->set("at_ms", s.at_ms);
      o->set("request", s.request);
      data->add(o);
    }
    auto o = newObj();
    o->set("data", data);
    return respond(o);
  }
  if (area == "webhooks" && seg.size() == 3 && seg[2] == "verify" && m == "POST") {
    // Runs the §4.1 GET handshake against a callback (default: the app URL) and reports it.
    const auto url = getStr(in, "url").value_or(settings_.app_callback);
    if (!isLoopbackUrl(url)) throw err(100, "url must be http://127.0.0.1:PORT/...");
    const auto challenge = ids_.digits(10);
    auto o = newObj();
    o->set("url", url);
    o->set("challenge", challenge);
    const bool verified =
        verifyCallback(url, getStr(in, "verify_token").value_or(settings_.verify_token), challenge,
                       dispatcher_.config().timeout_ms);
    if (url == settings_.app_callback) settings_.app_callback_verified = verified;
    o->set("verified", verified);
    return respond(o);
  }
  if (area == "webhooks" && m == "GET") {
    auto o = newObj();
    o->set("data", dispatcher_.log());
    return respond(o);
  }
  throw notFound("control endpoint " + req.method + " " + req.path);
}

}  // namespace wasim
