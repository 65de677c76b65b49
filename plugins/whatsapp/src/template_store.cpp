#include "template_store.hpp"

#include <algorithm>

namespace wa {

namespace {
constexpr std::string_view kIndexKey = "tpl/index";
std::string record_key(std::string_view name, std::string_view language) {
  return "tpl/" + std::string(name) + "/" + std::string(language);
}
std::string index_entry(std::string_view name, std::string_view language) {
  return std::string(name) + "/" + std::string(language);
}
}  // namespace

json::Value TemplateRecord::to_json() const {
  json::Value v = json::Value::object();
  v.set("id", id);
  v.set("name", name);
  v.set("language", language);
  v.set("status", status);
  v.set("category", category);
  if (!quality.empty()) v.set("quality", quality);
  if (!reason.empty()) v.set("reason", reason);
  if (!waba_id.empty()) v.set("waba_id", waba_id);
  v.set("components", components);
  return v;
}

TemplateRecord TemplateRecord::from_json(const json::Value& v) {
  TemplateRecord r;
  r.id = str_of(v, "id");
  r.name = str_of(v, "name");
  r.language = str_of(v, "language");
  r.status = upper(str_of(v, "status"));
  r.category = upper(str_of(v, "category"));
  r.quality = str_of(v, "quality");
  if (r.quality.empty()) r.quality = str_of(obj_of(v, "quality_score"), "score");
  r.reason = str_of(v, "reason");
  r.waba_id = str_of(v, "waba_id");
  r.components = arr_of(v, "components");
  return r;
}

bool template_blocked(std::string_view status) {
  return status == "PAUSED" || status == "DISABLED" || status == "REJECTED";
}

std::vector<std::string> TemplateStore::index() const {
  std::vector<std::string> out;
  std::optional<std::string> raw = host_.kv_get(kIndexKey);
  if (!raw) return out;
  std::optional<json::Value> doc = parse_json(*raw);
  if (!doc) return out;
  for (const auto& e : doc->items()) out.push_back(e.as_string());
  return out;
}

void TemplateStore::save_index(const std::vector<std::string>& keys) {
  json::Value arr = json::Value::array();
  for (const auto& k : keys) arr.push(k);
  host_.kv_put(kIndexKey, arr.dump());
}

std::optional<TemplateRecord> TemplateStore::get(std::string_view name,
                                                 std::string_view language) const {
  std::optional<std::string> raw = host_.kv_get(record_key(name, language));
  if (!raw) return std::nullopt;
  std::optional<json::Value> doc = parse_json(*raw);
  if (!doc) return std::nullopt;
  return TemplateRecord::from_json(*doc);
}

std::vector<TemplateRecord> TemplateStore::all() const {
  std::vector<TemplateRecord> out;
  for (const auto& entry : index()) {
    std::size_t slash = entry.rfind('/');
    if (auto r = get(entry.substr(0, slash), entry.substr(slash + 1))) out.push_back(*r);
  }
  return out;
}

void TemplateStore::put(const TemplateRecord& r) {
  host_.kv_put(record_key(r.name, r.language), r.to_json().dump());
  std::vector<std::string> keys = index();
  std::string entry = index_entry(r.name, r.language);
  if (std::find(keys.begin(), keys.end(), entry) == keys.end()) {
    keys.push_back(entry);
    save_index(keys);
  }
}

std::size_t TemplateStore::remove(std::string_view name, std::string_view language) {
  std::vector<std::string> keys = index();
  std::vector<std::string> kept;
  std::size_t removed = 0;
  for (const auto& entry : keys) {
    std::size_t slash = entry.rfind('/');
    bool match =
        entry.substr(0, slash) == name && (language.empty() || entry.substr(slash + 1) == language);
    if (match) {
      host_.kv_delete(record_key(entry.substr(0, slash), entry.substr(slash + 1)));
      ++removed;
    } else {
      kept.push_back(entry);
    }
  }
  if (removed > 0) save_index(kept);
  return removed;
}

void TemplateStore::set_status(std::string_view name, std::string_view language,
                               std::string_view status, std::string_view reason,
                               std::string_view id) {
  TemplateRecord r = get(name, language).value_or(TemplateRecord{});
  r.name = std::string(name);
  r.language = std::string(language);
  r.status = upper(status);
  // A new status replaces the old reason ("NONE" is Meta's word for none).
  r.reason = reason == "NONE" ? std::string() : std::string(reason);
  if (!id.empty()) r.id = std::string(id);
  put(r);
}

void TemplateStore::replace_all(const std::vector<TemplateRecord>& fresh) {
  std::vector<std::string> keep;
  for (const auto& r : fresh) keep.push_back(index_entry(r.name, r.language));
  for (const auto& entry : index()) {
    if (std::find(keep.begin(), keep.end(), entry) != keep.end()) continue;
    std::size_t slash = entry.rfind('/');
    host_.kv_delete(record_key(entry.substr(0, slash), entry.substr(slash + 1)));
  }
  for (const auto& r : fresh) host_.kv_put(record_key(r.name, r.language), r.to_json().dump());
  save_index(keep);
}

void TemplateStore::replace_waba(const std::vector<TemplateRecord>& fresh, std::string_view waba_id,
                                 std::string_view default_waba) {
  std::vector<std::string> keep;
  for (const auto& r : fresh) keep.push_back(index_entry(r.name, r.language));
  for (const auto& entry : index()) {
    if (std::find(keep.begin(), keep.end(), entry) != keep.end()) continue;
    std::size_t slash = entry.rfind('/');
    std::optional<TemplateRecord> old = get(entry.substr(0, slash), entry.substr(slash + 1));
    std::string_view owner = old && !old->waba_id.empty() ? old->waba_id : default_waba;
    if (old && owner != waba_id) {
      keep.push_back(entry);  // another WABA's template: its own sync decides
      continue;
    }
    host_.kv_delete(record_key(entry.substr(0, slash), entry.substr(slash + 1)));
  }
  for (const auto& r : fresh) host_.kv_put(record_key(r.name, r.language), r.to_json().dump());
  save_index(keep);
}

}  // namespace wa
