#include "onboarding.hpp"

#include <algorithm>

namespace wa {

namespace {
constexpr std::string_view kAddedKey = "num/added";
const char* const kRefreshFields =
    "id,display_phone_number,verified_name,code_verification_status,name_status,"
    "new_display_name,new_name_status,quality_rating,status,messaging_limit_tier,"
    "whatsapp_business_manager_messaging_limit,throughput,is_official_business_account,"
    "official_business_account,platform_type,account_mode,is_pin_enabled";

std::string num_key(const std::string& pnid) {
  return "num/" + pnid;
}

bool six_digits(std::string_view s) {
  return s.size() == 6 && all_digits(s);
}

std::string ok_state(const json::Value& st) {
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("number", st);
  return out.dump();
}
}  // namespace

double mps_for_level(std::string_view level) {
  if (level == "HIGH") return 1000;
  if (level == "COEXISTENCE") return 20;
  return 80;
}

json::Value Onboarding::state(const std::string& pnid) const {
  std::optional<std::string> raw = host_.kv_get(num_key(pnid));
  std::optional<json::Value> doc = raw ? parse_json(*raw) : std::nullopt;
  if (doc && doc->is_object()) return *doc;
  json::Value st = json::Value::object();
  st.set("phone_number_id", pnid);
  if (const NumberConfig* n = config_.number(pnid)) {
    if (!n->display_phone_number.empty()) st.set("display_phone_number", n->display_phone_number);
    if (!n->waba_id.empty()) st.set("waba_id", n->waba_id);
    if (!n->token.empty()) st.set("token", n->token);
  }
  return st;
}

int32_t Onboarding::save(const std::string& pnid, const json::Value& st) {
  int32_t rc = host_.kv_put(num_key(pnid), st.dump());
  if (rc != SB_OK) {
    host_.error("whatsapp: state of number " + pnid +
                " not saved: " + std::string(sw::status_name(rc)));
  }
  return rc;
}

int32_t Onboarding::patch(const std::string& pnid,
                          std::initializer_list<std::pair<const char*, json::Value>> kv) {
  json::Value st = state(pnid);
  for (const auto& [k, v] : kv) st.set(k, v);
  st.set("updated_at_ms", host_.now_ms());
  return save(pnid, st);
}

std::vector<std::string> Onboarding::known_numbers() const {
  std::vector<std::string> out;
  for (const auto& n : config_.numbers) out.push_back(n.phone_number_id);
  if (std::optional<std::string> raw = host_.kv_get(kAddedKey)) {
    if (std::optional<json::Value> doc = parse_json(*raw)) {
      for (const auto& v : doc->items()) {
        if (std::find(out.begin(), out.end(), v.as_string()) == out.end()) {
          out.push_back(v.as_string());
        }
      }
    }
  }
  return out;
}

std::optional<std::string> Onboarding::pnid_by_display(std::string_view display) const {
  std::string digits = digits_only(display);
  if (digits.empty()) return std::nullopt;
  for (const auto& pnid : known_numbers()) {
    if (digits_only(str_of(state(pnid), "display_phone_number")) == digits) return pnid;
  }
  if (const NumberConfig* n = config_.number(digits)) return n->phone_number_id;
  return std::nullopt;
}

sw::Result<std::string> Onboarding::pnid_arg(const json::Value& in) const {
  std::string pnid = str_of(in, "phone_number_id");
  std::vector<std::string> known = known_numbers();
  if (pnid.empty() && known.size() == 1) return known[0];
  if (pnid.empty()) return sw::Error::invalid_arg("phone_number_id: required");
  if (std::find(known.begin(), known.end(), pnid) == known.end()) {
    return sw::Error::not_found("phone_number_id: " + pnid + " is not a number of this instance");
  }
  return pnid;
}

std::optional<sw::Result<std::string>> Onboarding::invoke(std::string_view op,
                                                          const json::Value& in) {
  if (op == "add_number") return add_number(in);
  if (op == "request_code") return request_code(in);
  if (op == "verify_code") return verify_code(in);
  if (op == "set_pin") return set_pin(in);
  if (op == "register") return register_number(in);
  if (op == "deregister") return deregister(in);
  if (op == "set_display_name") return set_display_name(in);
  if (op == "request_official_account") return request_official_account(in);
  if (op == "refresh") return refresh(in);
  if (op == "get_number") return get_number(in);
  if (op == "list_numbers") return list_numbers();
  return std::nullopt;
}

std::optional<std::string> Onboarding::resolve(std::string_view id_or_display) const {
  std::vector<std::string> known = known_numbers();
  if (std::find(known.begin(), known.end(), id_or_display) != known.end()) {
    return std::string(id_or_display);
  }
  return pnid_by_display(id_or_display);
}

void Onboarding::remember(const std::string& pnid) {
  json::Value added = json::Value::array();
  for (const auto& n : known_numbers()) {
    if (config_.number(n) == nullptr) added.push(n);
  }
  std::vector<std::string> known = known_numbers();
  if (std::find(known.begin(), known.end(), pnid) == known.end()) added.push(pnid);
  host_.kv_put(kAddedKey, added.dump());
}

// Added at run time: the stored state; configured: the config's entry; else the defaults.
std::string Onboarding::token_for(const std::string& pnid) const {
  std::string t = str_of(state(pnid), "token");
  if (const NumberConfig* n = config_.number(pnid); t.empty() && n != nullptr) t = n->token;
  return t.empty() ? std::string(kDefaultToken) : t;
}

std::string Onboarding::waba_for(const std::string& pnid) const {
  std::string w = str_of(state(pnid), "waba_id");
  if (const NumberConfig* n = config_.number(pnid); w.empty() && n != nullptr) w = n->waba_id;
  return w.empty() ? config_.waba_id : w;
}

sw::Status Onboarding::check_token(std::string_view token) const {
  std::optional<std::string> v = host_.secret(token);
  if (!v || v->empty()) {
    return sw::Error::invalid_arg("token: no secret named \"" + std::string(token) +
                                  "\" is configured for this instance (add it to the instance's "
                                  "secrets)");
  }
  return {};
}

sw::Result<GraphClient> Onboarding::graph_for_waba(const std::string& waba_id,
                                                   std::string_view token) const {
  if (waba_id.empty() || !all_digits(waba_id)) {
    return sw::Error::invalid_arg("waba_id: the numeric WABA id");
  }
  if (!token.empty()) {
    if (sw::Status st = check_token(token); !st) return st.error();
    return graph_.with_token(std::string(token));
  }
  for (const auto& pnid : known_numbers()) {
    if (waba_for(pnid) == waba_id) return graph_for(pnid);
  }
  if (waba_id == config_.waba_id) return graph_.with_token(std::string(kDefaultToken));
  return sw::Error::invalid_arg("waba_id: no number of this instance belongs to WABA " + waba_id +
                                "; give the token (a secret name) to use for it");
}

// {waba_id?, token?, phone_number_id | cc + phone_number + verified_name}. The number is checked
// with Graph using that token before it is remembered, so a wrong WABA/token pair is refused.
sw::Result<std::string> Onboarding::add_number(const json::Value& in) {
  std::string waba = str_of(in, "waba_id");
  if (waba.empty()) waba = config_.waba_id;
  if (!all_digits(waba)) return sw::Error::invalid_arg("waba_id: the numeric WABA id");
  std::string token = str_of(in, "token");
  if (token.empty()) token = std::string(kDefaultToken);
  if (sw::Status st = check_token(token); !st) return st.error();
  if (!str_of(in, "phone_number_id").empty()) return attach_number(in, waba, token);
  std::string cc = str_of(in, "cc");
  std::string phone = digits_only(str_of(in, "phone_number"));
  std::string name = str_of(in, "verified_name");
  if (!all_digits(cc) || cc.size() > 3) return sw::Error::invalid_arg("cc: country calling code");
  if (phone.empty()) return sw::Error::invalid_arg("phone_number: required");
  if (name.empty()) return sw::Error::invalid_arg("verified_name: the display name is required");
  json::Value body = json::Value::object();
  body.set("cc", cc);
  body.set("phone_number", phone);
  body.set("verified_name", name);
  auto r = graph_.with_token(token).post("/" + waba + "/phone_numbers", body);
  if (!r) return r.error();
  std::string pnid = str_of(r.value(), "id");
  if (pnid.empty()) return sw::Error::internal("Graph created a number without an id");
  remember(pnid);
  patch(pnid, {{"phone_number_id", pnid},
               {"waba_id", waba},
               {"token", token},
               {"display_phone_number", cc + phone},
               {"verified_name", name},
               {"code_verification_status", "NOT_VERIFIED"},
               {"name_status", "PENDING_REVIEW"},
               {"status", "PENDING"},
               {"registered", false}});
  host_.info("whatsapp: number " + pnid + " added to WABA " + waba + " (token " + token + ")");
  return ok_state(state(pnid));
}

// A number that already exists in the WABA (created in WhatsApp Manager, or registered before):
// Meta is asked for the WABA's numbers first (with the number's token), so a mistyped id, a number
// of another WABA or a token without access to the WABA is refused instead of remembered.
sw::Result<std::string> Onboarding::attach_number(const json::Value& in, const std::string& waba,
                                                  const std::string& token) {
  std::string pnid = str_of(in, "phone_number_id");
  if (!all_digits(pnid)) return sw::Error::invalid_arg("phone_number_id: the numeric Graph id");
  for (const char* k : {"cc", "phone_number", "verified_name"}) {
    if (!str_of(in, k).empty()) {
      return sw::Error::invalid_arg(std::string(k) +
                                    ": give either phone_number_id (an existing number) or "
                                    "cc/phone_number/verified_name (a new one)");
    }
  }
  GraphClient g = graph_.with_token(token);
  auto list = g.get("/" + waba + "/phone_numbers", {{"fields", "id"}, {"limit", "100"}});
  if (!list) return list.error();
  bool found = false;
  for (const auto& n : arr_of(list.value(), "data").items()) found |= str_of(n, "id") == pnid;
  if (!found) {
    return sw::Error::invalid_arg("phone_number_id: " + pnid + " is not a number of WABA " + waba);
  }
  auto r = g.get("/" + pnid, {{"fields", kRefreshFields}});
  if (!r) return r.error();
  remember(pnid);
  patch(pnid, {{"phone_number_id", pnid}, {"waba_id", waba}, {"token", token}});
  apply_number_fields(pnid, r.value());
  host_.info("whatsapp: existing number " + pnid + " attached to WABA " + waba + " (token " +
             token + ")");
  return ok_state(state(pnid));
}

sw::Result<std::string> Onboarding::request_code(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  std::string method = upper(str_of(in, "code_method"));
  if (method.empty()) method = "SMS";
  if (method != "SMS" && method != "VOICE") {
    return sw::Error::invalid_arg("code_method: SMS or VOICE");
  }
  std::string language = str_of(in, "language");
  if (language.empty()) language = "en";
  json::Value body = json::Value::object();
  body.set("code_method", method);
  body.set("language", language);
  auto r = graph_for(pnid.value()).post("/" + pnid.value() + "/request_code", body);
  if (!r) return r.error();
  patch(pnid.value(), {{"code_verification_status", "CODE_REQUESTED"}, {"code_method", method}});
  return ok_state(state(pnid.value()));
}

sw::Result<std::string> Onboarding::verify_code(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  std::string code = str_of(in, "code");
  if (!all_digits(code)) return sw::Error::invalid_arg("code: the digits received by SMS/voice");
  json::Value body = json::Value::object();
  body.set("code", code);
  auto r = graph_for(pnid.value()).post("/" + pnid.value() + "/verify_code", body);
  if (!r) return r.error();
  patch(pnid.value(), {{"code_verification_status", "VERIFIED"}});
  return ok_state(state(pnid.value()));
}

sw::Result<std::string> Onboarding::set_pin(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  std::string pin = str_of(in, "pin");
  if (!six_digits(pin)) return sw::Error::invalid_arg("pin: exactly 6 digits");
  json::Value body = json::Value::object();
  body.set("pin", pin);
  auto r = graph_for(pnid.value()).post("/" + pnid.value(), body);
  if (!r) return r.error();
  patch(pnid.value(), {{"is_pin_enabled", true}});
  return ok_state(state(pnid.value()));
}

sw::Result<std::string> Onboarding::register_number(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  std::string pin = str_of(in, "pin");
  if (!six_digits(pin)) return sw::Error::invalid_arg("pin: exactly 6 digits");
  json::Value body = json::Value::object();
  body.set("messaging_product", "whatsapp");
  body.set("pin", pin);
  std::string region = str_of(in, "data_localization_region");
  if (!region.empty()) body.set("data_localization_region", upper(region));
  auto r = graph_for(pnid.value()).post("/" + pnid.value() + "/register", body);
  if (!r) return r.error();
  json::Value st = state(pnid.value());
  // An approved name change takes effect on re-registration (docs/whatsapp-cloud-api.md §1.9).
  if (str_of(st, "new_name_status") == "APPROVED" && !str_of(st, "new_display_name").empty()) {
    patch(pnid.value(), {{"verified_name", str_of(st, "new_display_name")},
                         {"name_status", "APPROVED"},
                         {"new_display_name", nullptr},
                         {"new_name_status", nullptr}});
  }
  patch(pnid.value(), {{"status", "CONNECTED"},
                       {"registered", true},
                       {"is_pin_enabled", true},
                       {"platform_type", "CLOUD_API"}});
  return ok_state(state(pnid.value()));
}

sw::Result<std::string> Onboarding::deregister(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  json::Value body = json::Value::object();
  body.set("messaging_product", "whatsapp");
  auto r = graph_for(pnid.value()).post("/" + pnid.value() + "/deregister", body);
  if (!r) return r.error();
  patch(pnid.value(), {{"status", "DISCONNECTED"}, {"registered", false}});
  return ok_state(state(pnid.value()));
}

sw::Result<std::string> Onboarding::set_display_name(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  std::string name = str_of(in, "display_name");
  if (name.empty()) return sw::Error::invalid_arg("display_name: required");
  json::Value body = json::Value::object();
  body.set("new_display_name", name);
  auto r = graph_for(pnid.value()).post("/" + pnid.value(), body);
  if (!r) return r.error();
  patch(pnid.value(), {{"new_display_name", name}, {"new_name_status", "PENDING_REVIEW"}});
  return ok_state(state(pnid.value()));
}

sw::Result<std::string> Onboarding::request_official_account(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  std::string url = str_of(in, "business_website_url");
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return sw::Error::invalid_arg("business_website_url: an http(s) URL is required");
  }
  for (const char* k : {"primary_country_of_operation", "primary_language"}) {
    if (str_of(in, k).empty()) return sw::Error::invalid_arg(std::string(k) + ": required");
  }
  const json::Value& links = arr_of(in, "supporting_links");
  if (links.items().size() > 5) return sw::Error::invalid_arg("supporting_links: at most 5");
  json::Value body = json::Value::object();
  for (const char* k : {"business_website_url", "primary_country_of_operation", "primary_language",
                        "parent_business_or_brand", "additional_supporting_information"}) {
    if (!str_of(in, k).empty()) body.set(k, str_of(in, k));
  }
  if (!links.items().empty()) body.set("supporting_links", links);
  auto r = graph_for(pnid.value()).post("/" + pnid.value() + "/official_business_account", body);
  if (!r) return r.error();
  patch(pnid.value(), {{"oba_status", "PENDING"}});
  return ok_state(state(pnid.value()));
}

int32_t Onboarding::apply_number_fields(const std::string& pnid, const json::Value& f) {
  json::Value st = state(pnid);
  for (const char* k : {"display_phone_number", "verified_name", "code_verification_status",
                        "name_status", "new_display_name", "new_name_status", "quality_rating",
                        "status", "platform_type", "account_mode"}) {
    if (const json::Value* v = f.find(k)) st.set(k, *v);
  }
  if (!str_of(f, "display_phone_number").empty()) {
    st.set("display_phone_number", digits_only(str_of(f, "display_phone_number")));
  }
  std::string tier = str_of(f, "whatsapp_business_manager_messaging_limit");
  if (tier.empty()) tier = str_of(f, "messaging_limit_tier");
  if (!tier.empty()) st.set("messaging_tier", tier);
  if (const json::Value* v = f.find("is_pin_enabled")) st.set("is_pin_enabled", *v);
  if (const json::Value* v = f.find("is_official_business_account")) st.set("is_official", *v);
  std::string oba = str_of(obj_of(f, "official_business_account"), "oba_status");
  if (!oba.empty()) st.set("oba_status", oba);
  std::string level = str_of(obj_of(f, "throughput"), "level");
  if (!level.empty()) {
    st.set("throughput_level", level);
    st.set("throughput_mps", mps_for_level(level));
    if (on_throughput_) on_throughput_(pnid, mps_for_level(level));
  }
  if (!str_of(f, "status").empty()) st.set("registered", str_of(f, "status") == "CONNECTED");
  st.set("refreshed_at_ms", host_.now_ms());
  return save(pnid, st);
}

sw::Status Onboarding::load_from_graph(const std::string& pnid) {
  auto r = graph_for(pnid).get("/" + pnid, {{"fields", kRefreshFields}});
  if (!r) return r.error();
  if (int32_t rc = apply_number_fields(pnid, r.value()); rc != SB_OK) {
    return sw::Error(rc, "the state of number " + pnid + " could not be saved");
  }
  return {};
}

sw::Result<std::string> Onboarding::refresh(const json::Value& in) {
  std::vector<std::string> targets;
  if (!str_of(in, "phone_number_id").empty()) {
    auto pnid = pnid_arg(in);
    if (!pnid) return pnid.error();
    targets.push_back(pnid.value());
  } else {
    targets = known_numbers();
  }
  json::Value numbers = json::Value::array();
  for (const auto& pnid : targets) {
    if (sw::Status loaded = load_from_graph(pnid); !loaded) return loaded.error();
    numbers.push(state(pnid));
  }
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("numbers", std::move(numbers));
  return out.dump();
}

sw::Result<std::string> Onboarding::list_numbers() const {
  json::Value numbers = json::Value::array();
  for (const auto& pnid : known_numbers()) numbers.push(state(pnid));
  json::Value out = json::Value::object();
  out.set("waba_id", config_.waba_id);
  out.set("numbers", std::move(numbers));
  return out.dump();
}

sw::Result<std::string> Onboarding::get_number(const json::Value& in) {
  auto pnid = pnid_arg(in);
  if (!pnid) return pnid.error();
  return state(pnid.value()).dump();
}

}  // namespace wa
