// Template operations of the channel (invoke): validate, create, list, sync, delete, preview.
#include "templates.hpp"
#include "whatsapp_channel.hpp"

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
  if (op == "template_sync") return template_sync();
  if (op == "template_delete") return template_delete(in);
  if (op == "template_preview") return template_preview(in);
  if (op == "template_get") {
    std::optional<TemplateRecord> r =
        templates_.get(str_of(in, "name"), normalize_language(str_of(in, "language")));
    if (!r) return sw::Result<std::string>(sw::Error::not_found("no such template"));
    return sw::Result<std::string>(r->to_json().dump());
  }
  return std::nullopt;
}

sw::Result<std::string> WhatsAppChannel::template_create(const json::Value& in) {
  json::Value normalized;
  std::vector<FieldError> errs = validate_template(template_arg(in), &normalized);
  if (!errs.empty()) return sw::Error::invalid_arg("template: " + errors_text(errs));
  sw::Result<json::Value> r = graph_.post("/" + config_.waba_id + "/message_templates", normalized);
  if (!r) return r.error();
  TemplateRecord rec;
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
  json::Value arr = json::Value::array();
  for (const auto& r : templates_.all()) {
    if (!status.empty() && r.status != status) continue;
    if (!name.empty() && r.name != name) continue;
    arr.push(r.to_json());
  }
  json::Value out = json::Value::object();
  out.set("templates", std::move(arr));
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::template_sync() {
  std::vector<TemplateRecord> fresh;
  std::string after;
  for (int page = 0; page < kMaxSyncPages; ++page) {
    Query q = {{"fields", kListFields}, {"limit", "100"}};
    if (!after.empty()) q.emplace_back("after", after);
    sw::Result<json::Value> r = graph_.get("/" + config_.waba_id + "/message_templates", q);
    if (!r) return r.error();
    for (const auto& t : arr_of(r.value(), "data").items()) {
      TemplateRecord rec = TemplateRecord::from_json(t);
      rec.language = normalize_language(rec.language);
      fresh.push_back(std::move(rec));
    }
    const json::Value& paging = obj_of(r.value(), "paging");
    after = str_of(obj_of(paging, "cursors"), "after");
    if (str_of(paging, "next").empty() || after.empty()) break;
  }
  templates_.replace_all(fresh);
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("templates", static_cast<int64_t>(fresh.size()));
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::template_delete(const json::Value& in) {
  std::string name = str_of(in, "name");
  if (!valid_template_name(name)) return sw::Error::invalid_arg("name: a template name");
  std::string lang = normalize_language(str_of(in, "language"));
  Query q = {{"name", name}};
  if (!lang.empty()) {
    std::optional<TemplateRecord> r = templates_.get(name, lang);
    if (!r || r->id.empty()) {
      return sw::Error::not_found("template " + name + " (" + lang + ") is not known; sync first");
    }
    q.emplace_back("hsm_id", r->id);
  }
  sw::Result<json::Value> r = graph_.del("/" + config_.waba_id + "/message_templates", q);
  if (!r) return r.error();
  json::Value out = json::Value::object();
  out.set("ok", true);
  out.set("removed", static_cast<int64_t>(templates_.remove(name, lang)));
  return out.dump();
}

sw::Result<std::string> WhatsAppChannel::template_preview(const json::Value& in) {
  std::string name = str_of(in, "name");
  std::string lang = normalize_language(str_of(in, "language"));
  std::optional<TemplateRecord> r = templates_.get(name, lang);
  if (!r) return sw::Error::not_found("template " + name + " (" + lang + ") is not known");
  const json::Value& comps = arr_of(in, "components");
  json::Value out = json::Value::object();
  out.set("status", r->status);
  out.set("text", render_preview(r->components, comps));
  out.set("problems", *parse_json(errors_json(check_send_components(r->components, comps))));
  out.set("sendable", !template_blocked(r->status) && r->status != "PENDING");
  return out.dump();
}

void WhatsAppChannel::arm_template_sync(std::chrono::milliseconds delay) {
  sync_timer_ = host().set_timer(delay, [this] {
    sync_timer_ = 0;
    if (!running_) return;
    sw::Result<std::string> r = template_sync();
    if (!r) host().warn("whatsapp: template sync failed: " + r.error().message);
    arm_template_sync(config_.template_sync_interval);
  });
}

}  // namespace wa
