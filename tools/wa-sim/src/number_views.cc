// WABA and phone-number reads and side settings: GET with fields=..., subscribed_apps overrides,
// official business account, identity-key settings, business profile.
#include "params.h"
#include "sim.h"

namespace wasim {

Response Sim::getWaba(Request& req, Waba& waba) {
  auto fields = splitFields(getStr(req.params, "fields").value_or("id,name"));
  auto o = newObj();
  for (const auto& f : fields) {
    if (f == "id") continue;
    if (f == "name")
      o->set("name", waba.name);
    else if (f == "status")
      o->set("status", "ACTIVE");
    else if (f == "currency")
      o->set("currency", "USD");
    else if (f == "country")
      o->set("country", "US");
    else if (f == "business_verification_status")
      o->set(f, waba.business_verified ? "verified" : "not_verified");
    else if (f == "timezone_id")
      o->set(f, "1");
    else if (f == "message_template_namespace")
      o->set(f, "sim_" + waba.id);
    else
      throw err(100, "Tried accessing nonexisting field (" + f + ")");
  }
  o->set("id", waba.id);
  return respond(o);
}

Response Sim::subscribeApps(Request& req, Waba& waba) {
  if (req.method == "GET") {
    auto app = newObj();
    auto api = newObj();
    api->set("name", "wa-sim app");
    api->set("id", "1");
    app->set("whatsapp_business_api_data", api);
    if (!waba.override_uri.empty()) app->set("override_callback_uri", waba.override_uri);
    auto data = newArr();
    data->add(app);
    auto o = newObj();
    o->set("data", data);
    return respond(o);
  }
  if (req.method == "DELETE") {
    waba.override_uri.clear();
    return success();
  }
  if (req.method != "POST") throw err(100, "Unsupported method on subscribed_apps");
  auto uri = getStr(req.params, "override_callback_uri");
  if (!uri || uri->empty()) {
    waba.override_uri.clear();
    return success();
  }
  if (uri->size() > 200) throw err(100, "override_callback_uri must be at most 200 characters");
  if (!isLoopbackUrl(*uri))
    throw err(100, "override_callback_uri must be http://127.0.0.1:PORT/...");
  auto token = mustStr(req.params, "verify_token");
  if (!verifyCallback(*uri, token, ids_.digits(10), dispatcher_.config().timeout_ms))
    throw err(100, "Callback verification failed: the URL did not return the hub.challenge");
  waba.override_uri = *uri;
  return success();
}

Response Sim::requestOba(Request& req, PhoneNumber& pn) {
  auto url = mustStr(req.params, "business_website_url");
  if (!isHttpUrl(url)) throw err(100, "Param business_website_url must be an http(s) URL");
  mustStr(req.params, "primary_country_of_operation");
  mustStr(req.params, "primary_language");
  if (req.params->has("supporting_links")) {
    auto links = getArr(req.params, "supporting_links");
    if (!links) throw err(100, "Param supporting_links must be an array of URLs");
    if (links->size() > 5) throw err(100, "At most 5 supporting_links are allowed");
    for (size_t i = 0; i < links->size(); ++i) {
      const auto& v = links->get(static_cast<unsigned>(i));
      if (!v.isString() || !isHttpUrl(v.extract<std::string>()))
        throw err(100, "supporting_links[" + std::to_string(i) + "] is not an http(s) URL");
    }
  }
  if (pn.oba_status == "PENDING" || pn.oba_status == "UNDER_REVIEW")
    throw err(100, "An official business account request is already under review");
  pn.oba_status = "PENDING";
  return success();
}

Response Sim::getOba(Request& req, PhoneNumber& pn) {
  (void)req;
  auto o = newObj();
  o->set("oba_status", pn.oba_status);
  o->set("status_message", pn.is_official ? "Approved" : "");
  o->set("id", pn.id);
  return respond(o);
}

Response Sim::updateSettings(Request& req, PhoneNumber& pn) {
  auto change = getObj(req.params, "user_identity_change");
  auto enable = change ? getBool(change, "enable_identity_key_check") : std::nullopt;
  if (!enable) throw err(100, "Expected user_identity_change.enable_identity_key_check");
  pn.identity_key_check = *enable;
  return success();
}

// GET/POST /{PNID}/whatsapp_business_profile (docs/whatsapp-cloud-api.md §1.12), with Meta's
// published field limits.
Response Sim::businessProfile(Request& req, PhoneNumber& pn) {
  static const std::vector<std::pair<std::string, size_t>> kText = {{"about", 139},
                                                                    {"address", 256},
                                                                    {"description", 512},
                                                                    {"email", 128},
                                                                    {"profile_picture_url", 2048},
                                                                    {"vertical", 64}};
  if (!pn.business_profile) pn.business_profile = newObj();
  if (req.method == "POST") {
    if (getStr(req.params, "messaging_product") != "whatsapp")
      throw err(100, "The parameter messaging_product is required and must be whatsapp");
    for (const auto& [key, limit] : kText) {
      auto v = getStr(req.params, key);
      if (!v) continue;
      if (v->size() > limit)
        throw err(100, key + " must be at most " + std::to_string(limit) + " characters");
      pn.business_profile->set(key, *v);
    }
    if (req.params->has("websites")) {
      auto sites = getArr(req.params, "websites");
      if (!sites || sites->size() > 2)
        throw err(100, "websites must be an array of at most 2 URLs");
      for (size_t i = 0; i < sites->size(); ++i) {
        const auto& v = sites->get(static_cast<unsigned>(i));
        if (!v.isString() || !isHttpUrl(v.extract<std::string>()) ||
            v.extract<std::string>().size() > 256)
          throw err(100, "websites[" + std::to_string(i) + "] is not an http(s) URL");
      }
      pn.business_profile->set("websites", deepCopyArr(sites));
    }
    return success();
  }
  if (req.method != "GET") throw err(100, "Unsupported method on whatsapp_business_profile");
  auto profile = deepCopy(pn.business_profile);
  profile->set("messaging_product", "whatsapp");
  auto data = newArr();
  data->add(profile);
  auto o = newObj();
  o->set("data", data);
  return respond(o);
}

Obj Sim::numberJson(const PhoneNumber& pn, const std::string& fields_param) {
  auto fields = splitFields(fields_param.empty()
                                ? "code_verification_status,display_phone_number,quality_rating,"
                                  "verified_name"
                                : fields_param);
  auto o = newObj();
  for (const auto& f : fields) {
    if (f == "id") continue;
    if (f == "display_phone_number")
      o->set(f, displayNumber(pn));
    else if (f == "verified_name")
      o->set(f, pn.verified_name);
    else if (f == "code_verification_status")
      o->set(f, pn.code_verification_status);
    else if (f == "quality_rating")
      o->set(f, pn.quality_rating);
    else if (f == "name_status")
      o->set(f, pn.name_status);
    else if (f == "new_display_name")
      o->set(f, pn.new_display_name.value_or(""));
    else if (f == "new_name_status")
      o->set(f, pn.new_name_status.value_or("NONE"));
    else if (f == "status")
      o->set(f, pn.status);
    else if (f == "platform_type")
      o->set(f, pn.platform_type);
    else if (f == "account_mode")
      o->set(f, pn.account_mode);
    else if (f == "is_pin_enabled")
      o->set(f, pn.pin.has_value());
    else if (f == "is_official_business_account")
      o->set(f, pn.is_official);
    else if (f == "messaging_limit_tier")
      o->set(f, pn.messaging_limit_tier);
    else if (f == "whatsapp_business_manager_messaging_limit") {
      const Waba* w = wabas_.count(pn.waba_id) ? &wabas_.at(pn.waba_id) : nullptr;
      o->set(f, w ? w->messaging_limit : "TIER_250");
    } else if (f == "throughput") {
      auto t = newObj();
      t->set("level", pn.throughput_level);
      o->set(f, t);
    } else if (f == "official_business_account") {
      auto t = newObj();
      t->set("oba_status", pn.oba_status);
      o->set(f, t);
    } else if (f == "webhook_configuration") {
      auto t = newObj();
      if (!pn.override_uri.empty()) t->set("phone_number", pn.override_uri);
      const Waba* w = wabas_.count(pn.waba_id) ? &wabas_.at(pn.waba_id) : nullptr;
      if (w && !w->override_uri.empty()) t->set("whatsapp_business_account", w->override_uri);
      if (!settings_.app_callback.empty()) t->set("application", settings_.app_callback);
      o->set(f, t);
    } else if (f == "data_localization_region") {
      if (!pn.data_localization_region.empty()) o->set(f, pn.data_localization_region);
    } else {
      throw err(100, "Tried accessing nonexisting field (" + f + ")");
    }
  }
  o->set("id", pn.id);
  return o;
}

Response Sim::getNumber(Request& req, PhoneNumber& pn) {
  return respond(numberJson(pn, getStr(req.params, "fields").value_or("")));
}

}  // namespace wasim