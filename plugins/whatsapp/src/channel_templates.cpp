// Template operations of the channel (invoke): validate, create, list, sync, delete, preview.
#include "templates.hpp"
#include "whatsapp_channel.hpp"

#include <algorithm>

namespace wa {

namespace {
constexpr int kMaxSyncPages = 100;
const char* const kListFields = "id,name,status,category,language,components,quality_score";

// The template to validate/create: {"template": {...}} or the object itself.
const json::Value& template_arg(const json::Value& in) {
  const json::Value* t = in.find("template");
  return t != nullptr && t->is_object() ? *t : in;
}
}  // namespace

sw::Result<std::string> WhatsAppChannel::waba_arg(const json::Value& in) const {
  std::string waba = str_of(in, "waba_id");
  if (!waba.empty()) {
    if (!all_digits(waba)) return sw::Error::invalid_arg("waba_id: the numeric WABA id");
    return waba;
  }
  std::string from = str_of(in, "from");
  if (from.empty()) from = str_of(in, "phone_number_id");
  if (from.empty()) return config_.waba_id;
  sw::Result<std::string> pnid = number_for(from);
  if (!pnid) return pnid.error();
  return onboarding_.waba_for(pnid.value());
}

std::optional<sw::Result<std::string>> WhatsAppChannel::invoke_template(std::string_view op,
                                                                        const json::Value& in) {
  if (op == "template_validate") {
    json::Value normalized;
    std::vector<FieldError> errs = validate_template(template_arg(in), &normalized);
    json::Value out = json::Value::object();
    out.set("ok", errs.empty());
    if (errs.empty()) {
      out.set("template", std::move(normalized));
    } else {
      out.set("errors", *parse_json(errors_json(errs)));
    }
    return sw::Result<std::string>(out.dump());
  }
  if (op == "template_create") return template_create(in);
  if (op == "template_list") return template_list(in);
  if (op == "template_sync") return template_sync(in);
  if (op == "template_delete") return template_delete(in);
  if (op == "template_preview") return template_preview(in);
  if (op == "template_get") {
    sw::Result<std::string> waba = waba_arg(in);
    if (!waba) return sw::Result<std::string>(waba.error());
    std::optional<TemplateRecord> r = templates_.get(waba.value(), str_of(in, "name"),
                                                     normalize_language(str_of(in, "language")));
    if (!r) return sw::Result<std::string>(sw::Error::not_found("no such template"));
    return sw::Result<std::string>(r->to_json().dump());
  }
  return std::nullopt;
}

sw::Result<std::string> WhatsAppChannel::template_create(const json::Value& in) {
  json::Value normalized;
  std::vector<FieldError> errs = validate_template(template_arg(in), &normalized);
  // "name: ...; components[1].text: ...": the first field leads, for the API's error `field`.
  if (!errs.empty()) return sw::Error::invalid_arg(errors_text(errs));
  sw::Result<std::string> w = waba_arg(in);
  if (!w) return w.error();
  const std::string& waba = w.value();
  sw::Result<GraphClient> graph = onboarding_.graph_for_waba(waba, str_of(in, "token"));
  if (!graph) return graph.error();
  sw::Result<json::Value> r = graph.value().post("/" + waba + "/message_templates", normalized);
  if (!r) return r.error();
  TemplateRecord rec;
  if (waba != config_.waba_id) rec.waba_id = waba;
  rec.id = str_of(r.value(), "id");
  rec.name = str_of(normalized, "name");
  rec.language = str_of(normalized, "language");
  rec.status = upper(str_of(r.value(), "status"));
  if (rec.status.empty()) rec.status = "PENDING";
  rec.category = upper(str_of(r.value(), "category"));
  if (rec.category.empty()) rec.category = str_of(normalized, "category");
  rec.components = arr_of(normalized, "components");
  templates_.put(rec);
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("template", rec.to_json());
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::template_list(const json::Value& in) {
  std::string status = upper(str_of(in, "status"));
  std::string name = str_of(in, "name");
  // Every WABA's templates, or one WABA's (given, or the WABA of "from"/"phone_number_id").
  std::string waba;
  if (in.find("waba_id") != nullptr || in.find("from") != nullptr ||
      in.find("phone_number_id") != nullptr) {
    sw::Result<std::string> w = waba_arg(in);
    if (!w) return w.error();
    waba = w.value();
  }
  json::Value arr = json::Value::array();
  for (const auto& r : templates_.all()) {
    if (!status.empty() && r.status != status) continue;
    if (!waba.empty() && templates_.owner(r) != waba) continue;
    if (!name.empty() && r.name != name) continue;
    arr.push(r.to_json());
  }
  json::Value out = json::Value::object();
  out.set("templates", std::move(arr));
  return out.dump();
}

// {"waba_id"?, "token"?}: one WABA, or every WABA the instance serves (its own and those of its
// numbers), each with its token.
sw::Result<std::string> WhatsAppChannel::template_sync(const json::Value& in) {
  std::vector<std::string> wabas;
  if (!str_of(in, "waba_id").empty() || !str_of(in, "token").empty() ||
      !str_of(in, "from").empty() || !str_of(in, "phone_number_id").empty()) {
    sw::Result<std::string> w = waba_arg(in);
    if (!w) return w.error();
    wabas.push_back(w.value());
  } else {
    wabas.push_back(config_.waba_id);
    for (const auto& pnid : onboarding_.known_numbers()) {
      std::string w = onboarding_.waba_for(pnid);
      if (std::find(wabas.begin(), wabas.end(), w) == wabas.end()) wabas.push_back(w);
    }
  }
  int64_t total = 0;
  for (const auto& waba : wabas) {
    sw::Result<GraphClient> graph = onboarding_.graph_for_waba(waba, str_of(in, "token"));
    if (!graph) return graph.error();
    std::vector<TemplateRecord> fresh;
    std::string after;
    for (int page = 0; page < kMaxSyncPages; ++page) {
      Query q = {{"fields", kListFields}, {"limit", "100"}};
      if (!after.empty()) q.emplace_back("after", after);
      sw::Result<json::Value> r = graph.value().get("/" + waba + "/message_templates", q);
      if (!r) return r.error();
      for (const auto& t : arr_of(r.value(), "data").items()) {
        TemplateRecord rec = TemplateRecord::from_json(t);
        rec.language = normalize_language(rec.language);
        if (waba != config_.waba_id) rec.waba_id = waba;
        fresh.push_back(std::move(rec));
      }
      const json::Value& paging = obj_of(r.value(), "paging");
      after = str_of(obj_of(paging, "cursors"), "after");
      if (str_of(paging, "next").empty() || after.empty()) break;
    }
    templates_.replace_waba(fresh, waba);
    total += static_cast<int64_t>(fresh.size());
  }
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("templates", total);
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::template_delete(const json::Value& in) {
  std::string name = str_of(in, "name");
  if (!valid_template_name(name)) return sw::Error::invalid_arg("name: a template name");
  std::string lang = normalize_language(str_of(in, "language"));
  sw::Result<std::string> w = waba_arg(in);
  if (!w) return w.error();
  const std::string& waba = w.value();
  Query q = {{"name", name}};
  if (!lang.empty()) {
    std::optional<TemplateRecord> r = templates_.get(waba, name, lang);
    if (!r || r->id.empty()) {
      return sw::Error::not_found("template " + name + " (" + lang + ") is not known; sync first");
    }
    q.emplace_back("hsm_id", r->id);
  }
  sw::Result<GraphClient> graph = onboarding_.graph_for_waba(waba, str_of(in, "token"));
  if (!graph) return graph.error();
  sw::Result<json::Value> r = graph.value().del("/" + waba + "/message_templates", q);
  if (!r) return r.error();
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("removed", static_cast<int64_t>(templates_.remove(waba, name, lang)));
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::template_preview(const json::Value& in) {
  std::string name = str_of(in, "name");
  std::string lang = normalize_language(str_of(in, "language"));
  sw::Result<std::string> waba = waba_arg(in);
  if (!waba) return waba.error();
  std::optional<TemplateRecord> r = templates_.get(waba.value(), name, lang);
  if (!r) {
    return sw::Error::not_found("template " + name + " (" + lang + ") is not known in WABA " +
                                waba.value());
  }
  const json::Value& comps = arr_of(in, "components");
  json::Value out = json::Value::object();
  out.set("status", r->status);
  out.set("text", render_preview(r->components, comps));
  out.set("problems", *parse_json(errors_json(check_send_components(r->components, comps))));
  out.set("sendable", !template_blocked(r->status) && r->status != "PENDING");
  return out.dump();
}

sw::Error WhatsAppChannel::check_template(const std::string& pnid, const json::Value& payload,
                                          TemplateCheck how) {
  const bool gate = how == TemplateCheck::kBeforeQueueing;
  std::string name = str_of(payload, "name");
  const json::Value* l = payload.find("language");
  std::string lang = l == nullptr ? "" : l->is_string() ? l->as_string() : str_of(*l, "code");
  if (gate && name.empty()) return sw::Error::invalid_arg("template: payload.name is required");
  const std::string waba = onboarding_.waba_for(pnid);
  const std::string named = "template " + name + " (" + lang + ") in WABA " + waba;
  std::optional<TemplateRecord> rec = templates_.get(waba, name, normalize_language(lang));
  if (!rec) {
    if (!gate || !templates_.synced_at(waba)) return sw::Error(SB_OK, "");
    return sw::Error::rejected(
        named +
            " is unknown: the last sync of the WABA's templates did not list it, so WhatsApp "
            "would refuse it (132001); check the name and language, or run a template sync if it "
            "was created since",
        "132001");
  }
  if (template_blocked(rec->status)) {
    return sw::Error::rejected(named + " is " + rec->status +
                                   (rec->reason.empty() ? "" : " (" + rec->reason + ")") +
                                   ": WhatsApp would refuse it; use another approved template",
                               rec->status == "PAUSED"     ? "132015"
                               : rec->status == "DISABLED" ? "132016"
                                                           : "132001");
  }
  if (gate && !rec->status.empty() && rec->status != "APPROVED") {
    return sw::Error::rejected(
        named + " is " + rec->status + ": only APPROVED templates can be sent", "132001");
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

void WhatsAppChannel::arm_template_sync(std::chrono::milliseconds delay) {
  sync_timer_ = host().set_timer(delay, [this] {
    sync_timer_ = 0;
    if (!running_) return;
    sw::Result<std::string> r = template_sync(json::Value::object());
    if (!r) host().warn("whatsapp: template sync failed: " + r.error().message);
    arm_template_sync(config_.template_sync_interval);
  });
}

}  // namespace wa
