// Test-control actions on one number, template or sent message: review decisions, quality and
// security events, manual statuses. Each emits the webhook Meta would send for it.
#include <Poco/String.h>

#include <set>

#include "control_util.h"
#include "sim.h"

namespace wasim {

Response Sim::controlNumber(Request& req, PhoneNumber& pn, const std::string& action) {
  const Obj& in = req.params;
  if (action == "code" && req.method == "GET") {
    if (!pn.code) throw notFound("verification code");
    auto o = newObj();
    o->set("code", *pn.code);
    o->set("sent_at", pn.code_sent_ms / 1000);
    return respond(o);
  }
  if (req.method != "POST") throw err(100, "use POST");
  if (action == "expire_code") {
    pn.code_expired = true;
    return success();
  }
  if (action == "name_review") {
    const auto decision = Poco::toUpper(need(in, "decision"));
    if (decision != "APPROVED" && decision != "REJECTED" && decision != "DEFERRED" &&
        decision != "PENDING")
      throw err(100, "decision must be APPROVED, REJECTED, DEFERRED or PENDING");
    const bool change = pn.new_display_name.has_value();
    const std::string requested = change ? *pn.new_display_name : pn.verified_name;
    const std::string status = decision == "APPROVED"   ? "APPROVED"
                               : decision == "REJECTED" ? "DECLINED"
                                                        : "PENDING_REVIEW";
    if (change) {
      pn.new_name_status = status;
      if (decision == "APPROVED") pn.name_approved_ms = clock_.nowMs();
    } else {
      pn.name_status = status;
    }
    auto v = newObj();
    v->set("display_phone_number", pn.digits());
    v->set("decision", decision);
    v->set("requested_verified_name", requested);
    if (decision == "REJECTED")
      v->set("rejection_reason",
             getStr(in, "rejection_reason").value_or("NAME_FORMAT_UNACCEPTABLE"));
    else
      v->set("rejection_reason", Poco::Dynamic::Var());
    emitAccount(callbackFor(pn), pn.waba_id, "phone_number_name_update", v);
    return success();
  }
  if (action == "oba_review") {
    const auto decision = Poco::toUpper(need(in, "decision"));
    if (decision != "APPROVED" && decision != "REJECTED")
      throw err(100, "decision must be APPROVED or REJECTED");
    pn.oba_status = decision;
    pn.is_official = decision == "APPROVED";
    auto info = newObj();
    info->set("alert_severity", "INFORMATIONAL");
    info->set("alert_status", "ACTIVE");
    info->set("alert_type", decision == "APPROVED" ? "OBA_APPROVED" : "OBA_REJECTED");
    info->set("alert_description",
              decision == "APPROVED"
                  ? "Your request for an official business account was approved."
                  : "Your request for an official business account was rejected.");
    auto v = newObj();
    v->set("entity_type", "PHONE_NUMBER");
    v->set("entity_id", pn.id);
    v->set("alert_info", info);
    emitAccount(callbackFor(pn), pn.waba_id, "account_alerts", v);
    return success();
  }
  if (action == "quality") {
    auto v = newObj();
    v->set("display_phone_number", pn.digits());
    std::string event = getStr(in, "event").value_or("");
    if (auto q = getStr(in, "quality_rating")) {
      if (event.empty())
        event = *q == "RED" ? "FLAGGED" : pn.quality_rating == "RED" ? "UNFLAGGED" : "";
      pn.quality_rating = *q;
    }
    if (auto tier = getStr(in, "messaging_limit_tier")) {
      if (event.empty()) event = "UPGRADE";
      v->set("old_limit", pn.messaging_limit_tier);
      v->set("current_limit", *tier);
      v->set("max_daily_conversations_per_business", *tier);
      pn.messaging_limit_tier = *tier;
    }
    if (auto level = getStr(in, "throughput")) {
      if (*level != "STANDARD" && *level != "HIGH") throw err(100, "throughput: STANDARD|HIGH");
      if (*level == "HIGH" && pn.throughput_level != "HIGH") {
        event = "THROUGHPUT_UPGRADE";
        // During the upgrade (up to a minute) sends fail with 131057.
        pn.maintenance_until_ms = clock_.nowMs() + getInt(in, "upgrade_ms").value_or(0);
      }
      pn.throughput_level = *level;
      pn.mps = *level == "HIGH" ? 1000 : settings_.default_mps;
    }
    if (auto mps = getDouble(in, "mps")) pn.mps = *mps;
    if (auto spam = getBool(in, "spam_limited")) pn.spam_limited = *spam;
    if (!event.empty()) {
      v->set("event", event);
      emitAccount(callbackFor(pn), pn.waba_id, "phone_number_quality_update", v);
    }
    return success();
  }
  if (action == "errors") {  // a system/app/account-level value.errors[] webhook
    emitValueError(pn, static_cast<int>(getInt(in, "code").value_or(131000)),
                   getStr(in, "details").value_or("Injected error"));
    return success();
  }
  if (action == "security") {
    auto v = newObj();
    v->set("display_phone_number", pn.digits());
    v->set("event", need(in, "event"));
    if (auto r = getStr(in, "requester")) v->set("requester", *r);
    emitAccount(callbackFor(pn), pn.waba_id, "security", v);
    return success();
  }
  throw notFound("number action " + action);
}

Response Sim::controlTemplate(Request& req, Template& t, const std::string& action) {
  const Obj& in = req.params;
  if (action == "status") {
    const auto status = Poco::toUpper(need(in, "status"));
    static const std::set<std::string> kStatuses = {
        "APPROVED",  "REJECTED",         "PAUSED",   "DISABLED",       "FLAGGED", "REINSTATED",
        "IN_APPEAL", "PENDING_DELETION", "ARCHIVED", "LIMIT_EXCEEDED", "LOCKED",  "PENDING"};
    if (!kStatuses.count(status)) throw err(100, "unknown template status " + status);
    ++t.review_generation;  // a manual decision wins over a scheduled review
    setTemplateStatus(t, status, getStr(in, "reason").value_or("NONE"));
    return success();
  }
  if (action == "quality") {
    const auto score = Poco::toUpper(need(in, "score"));
    auto v = newObj();
    v->set("previous_quality_score", t.quality);
    v->set("new_quality_score", score);
    v->set("message_template_id", static_cast<int64_t>(std::stoll(t.id)));
    v->set("message_template_name", t.name);
    v->set("message_template_language", t.language);
    t.quality = score;
    emitTemplateEvent(t, "message_template_quality_update", v);
    return success();
  }
  if (action == "category") {
    const auto category = Poco::toUpper(need(in, "category"));
    auto v = newObj();
    v->set("message_template_id", static_cast<int64_t>(std::stoll(t.id)));
    v->set("message_template_name", t.name);
    v->set("message_template_language", t.language);
    v->set("previous_category", t.category);
    v->set("new_category", category);
    t.category = category;
    emitTemplateEvent(t, "template_category_update", v);
    return success();
  }
  throw notFound("template action " + action);
}

// Emits a status for a sent message now, in any order the test wants (e.g. read before
// delivered, delivered after failed), with pricing on sent/delivered/read unless told otherwise.
Response Sim::controlMessage(Request& req, const std::string& wamid) {
  if (!sent_.count(wamid)) throw notFound("message " + wamid);
  const auto status = need(req.params, "status");
  static const std::set<std::string> kStatuses = {"sent", "delivered", "read", "failed", "played"};
  if (!kStatuses.count(status))
    throw err(100, "status must be sent, delivered, read, failed or played");
  std::optional<int> code;
  if (status == "failed") code = static_cast<int>(getInt(req.params, "code").value_or(131000));
  const bool pricing =
      getBool(req.params, "pricing").value_or(status == "sent" || status == "delivered");
  emitStatus(wamid, status, pricing, code,
             getStr(req.params, "details").value_or(code ? errorTitle(*code) : ""));
  return success();
}

}  // namespace wasim
