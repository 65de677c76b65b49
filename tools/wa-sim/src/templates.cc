// Message templates (docs/whatsapp-cloud-api.md §2): create with validation, review on the
// simulated clock, list with cursor paging, get, edit, delete, and status webhooks.
#include <Poco/String.h>
#include <Poco/URI.h>

#include <regex>

#include "sim.h"
#include "template_rules.h"

namespace wasim {

namespace {

constexpr int64_t kHourMs = 3600LL * 1000;

GraphError templateError(const std::string& msg, std::optional<int> subcode = std::nullopt) {
  GraphError e = err(100, msg);
  e.subcode = subcode;
  e.user_msg = msg;
  return e;
}

std::vector<std::string> fieldList(const std::string& fields) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : fields + ",") {
    if (c == ',') {
      if (!Poco::trim(cur).empty()) out.push_back(Poco::trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

}  // namespace

Obj Sim::templateJson(const Template& t, const std::string& fields) {
  auto o = newObj();
  for (const auto& f : fieldList(fields)) {
    if (f == "id") continue;
    if (f == "name")
      o->set(f, t.name);
    else if (f == "language")
      o->set(f, t.language);
    else if (f == "status")
      o->set(f, t.status);
    else if (f == "category")
      o->set(f, t.category);
    else if (f == "components")
      o->set(f, t.components);
    else if (f == "parameter_format")
      o->set(f, t.parameter_format);
    else if (f == "rejected_reason")
      o->set(f, t.reason);
    else if (f == "quality_score") {
      auto q = newObj();
      q->set("score", t.quality);
      o->set(f, q);
    } else {
      throw err(100, "Tried accessing nonexisting field (" + f + ")");
    }
  }
  o->set("id", t.id);
  return o;
}

Response Sim::createTemplate(Request& req, Waba& waba) {
  static const std::regex kName("^[a-z0-9_]{1,512}$");
  static const std::regex kLanguage("^[a-z]{2,3}(_[A-Z]{2,3})?$");
  auto name = getStr(req.params, "name").value_or("");
  if (!std::regex_match(name, kName))
    throw templateError("name must be 1-512 characters of lowercase letters, digits, underscore");
  auto language = getStr(req.params, "language").value_or("");
  if (!std::regex_match(language, kLanguage))
    throw templateError("language must be a locale code such as en or en_US");
  TemplateShape shape = validateTemplate(req.params);

  const int64_t now = clock_.nowMs();
  for (const auto& [id, t] : templates_)
    if (t.waba_id == waba.id && t.name == name && t.language == language)
      throw templateError("Content in this language already exists for template " + name, 2388024);
  if (auto it = waba.deleted_names_ms.find(name);
      it != waba.deleted_names_ms.end() && now - it->second < settings_.name_reuse_block_ms)
    throw templateError("Template name " + name + " was deleted recently and cannot be reused yet",
                        2388023);
  std::erase_if(waba.template_creations_ms, [&](int64_t t) { return now - t > kHourMs; });
  if (static_cast<int>(waba.template_creations_ms.size()) >= settings_.templates_per_hour)
    throw templateError("Too many templates created in the last hour", 2388052);
  size_t count = 0;
  for (const auto& [id, t] : templates_) count += t.waba_id == waba.id;
  const size_t cap = waba.business_verified ? 6000 : 250;
  if (count >= cap)
    throw templateError("Template limit of " + std::to_string(cap) + " reached", 2388045);

  Template t;
  t.id = ids_.node();
  t.waba_id = waba.id;
  t.name = name;
  t.language = language;
  t.category = shape.category;
  t.parameter_format = shape.parameter_format;
  t.components = shape.components;
  t.created_ms = now;
  t.created_seq = ++template_seq_;
  waba.template_creations_ms.push_back(now);
  Template& stored = templates_[t.id] = t;
  scheduleReview(stored);
  auto o = newObj();
  o->set("id", stored.id);
  o->set("status", stored.status);
  o->set("category", stored.category);
  return respond(o);
}

void Sim::scheduleReview(Template& t) {
  t.status = "PENDING";
  t.reason = "NONE";
  const uint64_t generation = ++t.review_generation;
  std::string outcome = settings_.review_outcome;
  std::string reason = outcome == "REJECTED" ? settings_.review_reason : "NONE";
  if (auto format_problem = reviewRejection(t.components); !format_problem.empty()) {
    outcome = "REJECTED";
    reason = format_problem;
  }
  if (outcome == "REJECTED" && reason == "NONE") reason = "INVALID_FORMAT";
  if (settings_.review_delay_ms <= 0) {
    setTemplateStatus(t, outcome, reason);
    return;
  }
  const std::string id = t.id;
  scheduler_.at(clock_.nowMs() + settings_.review_delay_ms,
                [this, id, generation, outcome, reason] {
                  std::lock_guard lock(mu_);
                  Template* cur = findTemplate(id);
                  if (cur && cur->review_generation == generation && cur->status == "PENDING")
                    setTemplateStatus(*cur, outcome, reason);
                });
}

void Sim::emitTemplateEvent(const Template& t, const std::string& field, const Obj& value) {
  const Waba* waba = findWaba(t.waba_id);
  emitAccount(waba ? callbackForWaba(*waba) : settings_.app_callback, t.waba_id, field, value);
}

void Sim::setTemplateStatus(Template& t, const std::string& status, const std::string& reason) {
  t.status = status;
  t.reason = reason.empty() ? "NONE" : reason;
  auto v = newObj();
  v->set("event", status);
  v->set("message_template_id", static_cast<int64_t>(std::stoll(t.id)));  // a number, §2.7
  v->set("message_template_name", t.name);
  std::string language = t.language;
  if (settings_.hyphen_template_language) std::replace(language.begin(), language.end(), '_', '-');
  v->set("message_template_language", language);
  v->set("reason", t.reason);
  v->set("message_template_category", t.category);
  if (status == "REJECTED" && t.reason == "INVALID_FORMAT") {
    auto info = newObj();
    info->set("reason", "Adjacent or malformed parameters");
    info->set("recommendation", "Add fixed text between parameters and check the examples.");
    v->set("rejection_info", info);
  }
  if (status == "PAUSED") {
    auto info = newObj();
    info->set("title", "FIRST_PAUSE");
    info->set("description", "Your template has been paused due to low quality.");
    v->set("other_info", info);
  }
  if (status == "DISABLED") {
    auto info = newObj();
    info->set("disable_date", std::to_string(clock_.nowSec()));
    v->set("disable_info", info);
  }
  emitTemplateEvent(t, "message_template_status_update", v);
}

Response Sim::listTemplates(Request& req, Waba& waba) {
  const auto fields =
      getStr(req.params, "fields").value_or("name,components,language,status,category");
  const int64_t limit = std::clamp<int64_t>(getInt(req.params, "limit").value_or(25), 1, 1000);
  const auto after = getStr(req.params, "after").value_or("");
  std::vector<const Template*> all;
  for (const auto& [id, t] : templates_) {
    if (t.waba_id != waba.id) continue;
    bool keep = true;
    for (const char* filter : {"name", "language", "status", "category"}) {
      auto want = getStr(req.params, filter);
      if (!want) continue;
      const std::string have = std::string(filter) == "name"       ? t.name
                               : std::string(filter) == "language" ? t.language
                               : std::string(filter) == "status"   ? t.status
                                                                   : t.category;
      keep = keep && Poco::icompare(have, *want) == 0;
    }
    if (keep) all.push_back(&t);
  }
  std::sort(all.begin(), all.end(), [](const Template* a, const Template* b) {
    return a->created_ms != b->created_ms ? a->created_ms < b->created_ms
                                          : a->created_seq < b->created_seq;
  });
  size_t start = 0;
  if (!after.empty()) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const Template* t) { return t->id == after; });
    if (it == all.end()) throw err(100, "Invalid paging cursor 'after'");
    start = static_cast<size_t>(it - all.begin()) + 1;
  }
  auto data = newArr();
  const size_t end = std::min(all.size(), start + static_cast<size_t>(limit));
  for (size_t i = start; i < end; ++i) data->add(templateJson(*all[i], fields));
  auto o = newObj();
  o->set("data", data);
  if (end > start) {
    auto cursors = newObj();
    cursors->set("before", all[start]->id);
    cursors->set("after", all[end - 1]->id);
    auto paging = newObj();
    paging->set("cursors", cursors);
    if (end < all.size()) {
      Poco::URI next(base_url_ + req.path);
      for (const auto& [k, v] : *req.params)
        if (k != "after" && k != "access_token" && v.isString())
          next.addQueryParameter(k, v.extract<std::string>());
      next.addQueryParameter("after", all[end - 1]->id);
      paging->set("next", next.toString());
    }
    o->set("paging", paging);
  }
  return respond(o);
}

Response Sim::deleteTemplates(Request& req, Waba& waba) {
  auto name = getStr(req.params, "name");
  if (!name || name->empty()) throw err(100, "Param name is required");
  auto hsm_id = getStr(req.params, "hsm_id");
  bool any = false, approved = false;
  for (auto it = templates_.begin(); it != templates_.end();) {
    const Template& t = it->second;
    if (t.waba_id == waba.id && t.name == *name && (!hsm_id || t.id == *hsm_id)) {
      any = true;
      approved = approved || t.status == "APPROVED";
      it = templates_.erase(it);
    } else {
      ++it;
    }
  }
  if (!any) throw templateError("Message template " + *name + " not found", 2593002);
  if (approved) waba.deleted_names_ms[*name] = clock_.nowMs();
  return success();
}

Response Sim::getTemplate(Request& req, Template& t) {
  return respond(templateJson(
      t, getStr(req.params, "fields").value_or("name,components,language,status,category")));
}

Response Sim::updateTemplate(Request& req, Template& t) {
  if (!req.params->has("components") && !req.params->has("category"))
    throw err(100, "Nothing to update: expected components and/or category");
  if (t.status == "PENDING" || t.status == "DISABLED")
    throw templateError("A template in status " + t.status + " cannot be edited");
  auto merged = newObj();
  merged->set("category", getStr(req.params, "category").value_or(t.category));
  merged->set("parameter_format", t.parameter_format);
  merged->set("components", req.params->has("components") ? req.params->get("components")
                                                          : Poco::Dynamic::Var(t.components));
  TemplateShape shape = validateTemplate(merged);
  t.category = shape.category;
  t.components = shape.components;
  scheduleReview(t);
  return success();
}

}  // namespace wasim
