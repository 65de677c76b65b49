// Account-level webhooks (docs/whatsapp-cloud-api.md §1.13) applied to the onboarding state:
// display-name reviews, quality and throughput changes, official-account alerts, security events
// and WABA-wide updates.
#include "onboarding.hpp"

#include <algorithm>

namespace wa {

int32_t Onboarding::apply_change(const AccountChange& c) {
  const json::Value& v = c.value;
  int32_t rc = SB_OK;  // the first failed write
  auto keep = [&rc](int32_t r) {
    if (r != SB_OK && rc == SB_OK) rc = r;
  };
  if (c.field == "phone_number_name_update") {
    auto pnid = pnid_by_display(str_of(v, "display_phone_number"));
    if (!pnid) return SB_OK;
    std::string decision = str_of(v, "decision");
    std::string requested = str_of(v, "requested_verified_name");
    json::Value st = state(*pnid);
    bool is_change = !str_of(st, "new_display_name").empty();
    std::string status = decision == "APPROVED"   ? "APPROVED"
                         : decision == "REJECTED" ? "DECLINED"
                                                  : "PENDING_REVIEW";
    if (is_change) {
      keep(patch(*pnid, {{"new_name_status", status}, {"new_display_name", requested}}));
    } else {
      keep(patch(*pnid, {{"name_status", status}, {"verified_name", requested}}));
    }
    std::string reason = str_of(v, "rejection_reason");
    keep(patch(*pnid,
               {{"name_rejection_reason", reason.empty() ? json::Value() : json::Value(reason)}}));
  } else if (c.field == "phone_number_quality_update") {
    auto pnid = pnid_by_display(str_of(v, "display_phone_number"));
    if (!pnid) return SB_OK;
    std::string tier = str_of(v, "max_daily_conversations_per_business");
    if (tier.empty()) tier = str_of(v, "current_limit");
    std::string event = str_of(v, "event");
    keep(patch(*pnid, {{"quality_event", event}}));
    if (!tier.empty()) keep(patch(*pnid, {{"messaging_tier", tier}}));
    if (event == "THROUGHPUT_UPGRADE") {
      keep(patch(*pnid, {{"throughput_level", "HIGH"}, {"throughput_mps", mps_for_level("HIGH")}}));
      if (on_throughput_) on_throughput_(*pnid, mps_for_level("HIGH"));
    }
    if (event == "FLAGGED") keep(patch(*pnid, {{"quality_rating", "RED"}}));
  } else if (c.field == "account_alerts") {
    const json::Value& info = obj_of(v, "alert_info");
    std::string type = str_of(info, "alert_type");
    std::string id = str_of(v, "entity_id");
    std::vector<std::string> known = known_numbers();
    bool ours = std::find(known.begin(), known.end(), id) != known.end();
    if (ours && (type == "OBA_APPROVED" || type == "OBA_REJECTED")) {
      bool approved = type == "OBA_APPROVED";
      keep(patch(id,
                 {{"oba_status", approved ? "APPROVED" : "REJECTED"}, {"is_official", approved}}));
    }
    host_.warn("whatsapp: account alert " + type + " (" + str_of(info, "alert_severity") +
               "): " + str_of(info, "alert_description"));
  } else if (c.field == "security") {
    auto pnid = pnid_by_display(str_of(v, "display_phone_number"));
    if (pnid) keep(patch(*pnid, {{"security_event", str_of(v, "event")}}));
    host_.warn("whatsapp: security event " + str_of(v, "event"));
  } else if (c.field == "account_update" || c.field == "account_review_update" ||
             c.field == "business_capability_update") {
    json::Value waba = json::Value::object();
    if (auto raw = host_.kv_get("waba/state")) {
      if (auto doc = parse_json(*raw); doc && doc->is_object()) waba = *doc;
    }
    waba.set(c.field, v);
    keep(host_.kv_put("waba/state", waba.dump()));
    host_.info("whatsapp: " + c.field + " " + str_of(v, "event") + str_of(v, "decision"));
  }
  return rc;
}

}  // namespace wa
