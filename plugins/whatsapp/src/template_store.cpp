#include "template_store.hpp"

#include <algorithm>

namespace wa {

namespace {
constexpr std::string_view kIndexKey = "tpl/index";
// "tplsync/<waba>": when that WABA was last listed in full (decimal Unix ms).
std::string synced_key(std::string_view waba) {
  return "tplsync/" + std::string(waba);
}
// Index entries are "<waba>/<name>/<language>"; names ([a-z0-9_]), languages and WABA ids never
// contain '/'. Versions before per-WABA records wrote "<name>/<language>" under
// "tpl/<name>/<language>".
std::string index_entry(std::string_view waba, std::string_view name, std::string_view language) {
  return std::string(waba) + "/" + std::string(name) + "/" + std::string(language);
}
std::string record_key(std::string_view waba, std::string_view name, std::string_view language) {
  return "tpl/" + index_entry(waba, name, language);
}
std::string legacy_key(std::string_view name, std::string_view language) {
  return "tpl/" + std::string(name) + "/" + std::string(language);
}
std::optional<TemplateRecord> parse_record(const std::optional<std::string>& raw) {
  if (!raw) return std::nullopt;
  std::optional<json::Value> doc = parse_json(*raw);
  if (!doc) return std::nullopt;
  return TemplateRecord::from_json(*doc);
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

std::optional<TemplateStore::Key> TemplateStore::parse_entry(std::string_view entry) {
  std::size_t a = entry.find('/');
  std::size_t b = a == std::string_view::npos ? a : entry.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  return Key{std::string(entry.substr(0, a)), std::string(entry.substr(a + 1, b - a - 1)),
             std::string(entry.substr(b + 1))};
}

std::string TemplateStore::waba_or_default(std::string_view waba) const {
  return waba.empty() ? default_waba_ : std::string(waba);
}

std::string TemplateStore::owner(const TemplateRecord& r) const {
  return waba_or_default(r.waba_id);
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

void TemplateStore::migrate() {
  std::vector<std::string> keys = index();
  std::vector<std::string> migrated;
  bool changed = false;
  for (const auto& entry : keys) {
    if (parse_entry(entry)) {
      if (std::find(migrated.begin(), migrated.end(), entry) == migrated.end()) {
        migrated.push_back(entry);
      }
      continue;
    }
    changed = true;
    std::size_t slash = entry.rfind('/');
    if (slash == std::string::npos) continue;  // not a record entry: dropped from the index
    std::string name = entry.substr(0, slash), language = entry.substr(slash + 1);
    std::optional<TemplateRecord> r = parse_record(host_.kv_get(legacy_key(name, language)));
    if (r) {
      r->name = name;
      r->language = language;
      std::string waba = owner(*r);
      host_.kv_put(record_key(waba, name, language), r->to_json().dump());
      std::string fresh = index_entry(waba, name, language);
      if (std::find(migrated.begin(), migrated.end(), fresh) == migrated.end()) {
        migrated.push_back(fresh);
      }
    }
    host_.kv_delete(legacy_key(name, language));
  }
  if (changed) {
    save_index(migrated);
    host_.info("whatsapp: " + std::to_string(migrated.size()) +
               " template record(s) now kept per WABA");
  }
}

std::optional<TemplateRecord> TemplateStore::get(std::string_view waba, std::string_view name,
                                                 std::string_view language) const {
  return parse_record(host_.kv_get(record_key(waba_or_default(waba), name, language)));
}

std::vector<TemplateRecord> TemplateStore::all() const {
  std::vector<TemplateRecord> out;
  for (const auto& entry : index()) {
    std::optional<Key> k = parse_entry(entry);
    if (!k) continue;
    if (auto r = get(k->waba, k->name, k->language)) out.push_back(*r);
  }
  return out;
}

void TemplateStore::put(const TemplateRecord& r) {
  std::string waba = owner(r);
  host_.kv_put(record_key(waba, r.name, r.language), r.to_json().dump());
  std::vector<std::string> keys = index();
  std::string entry = index_entry(waba, r.name, r.language);
  if (std::find(keys.begin(), keys.end(), entry) == keys.end()) {
    keys.push_back(entry);
    save_index(keys);
  }
}

std::size_t TemplateStore::remove(std::string_view waba, std::string_view name,
                                  std::string_view language) {
  const std::string w = waba_or_default(waba);
  std::vector<std::string> kept;
  std::size_t removed = 0;
  for (const auto& entry : index()) {
    std::optional<Key> k = parse_entry(entry);
    if (k && k->waba == w && k->name == name && (language.empty() || k->language == language)) {
      host_.kv_delete(record_key(k->waba, k->name, k->language));
      ++removed;
    } else {
      kept.push_back(entry);
    }
  }
  if (removed > 0) save_index(kept);
  return removed;
}

void TemplateStore::set_status(std::string_view waba, std::string_view name,
                               std::string_view language, std::string_view status,
                               std::string_view reason, std::string_view id) {
  const std::string w = waba_or_default(waba);
  TemplateRecord r = get(w, name, language).value_or(TemplateRecord{});
  r.name = std::string(name);
  r.language = std::string(language);
  if (w != default_waba_) r.waba_id = w;
  r.status = upper(status);
  // A new status replaces the old reason ("NONE" is Meta's word for none).
  r.reason = reason == "NONE" ? std::string() : std::string(reason);
  if (!id.empty()) r.id = std::string(id);
  put(r);
}

void TemplateStore::replace_waba(const std::vector<TemplateRecord>& fresh, std::string_view waba) {
  const std::string w = waba_or_default(waba);
  std::vector<std::string> keep;
  for (const auto& r : fresh) keep.push_back(index_entry(w, r.name, r.language));
  std::vector<std::string> entries = keep;
  for (const auto& entry : index()) {
    if (std::find(keep.begin(), keep.end(), entry) != keep.end()) continue;
    std::optional<Key> k = parse_entry(entry);
    if (k && k->waba != w) {
      entries.push_back(entry);  // another WABA's template: its own sync decides
      continue;
    }
    if (k) host_.kv_delete(record_key(k->waba, k->name, k->language));
  }
  for (const auto& r : fresh) {
    TemplateRecord rec = r;
    rec.waba_id = w == default_waba_ ? std::string() : w;
    host_.kv_put(record_key(w, rec.name, rec.language), rec.to_json().dump());
  }
  save_index(entries);
  host_.kv_put(synced_key(w), std::to_string(host_.now_ms()));
}

std::optional<int64_t> TemplateStore::synced_at(std::string_view waba) const {
  std::optional<std::string> raw = host_.kv_get(synced_key(waba_or_default(waba)));
  if (!raw || raw->empty() || raw->size() > 19 || !all_digits(*raw)) return std::nullopt;
  return std::stoll(*raw);
}

}  // namespace wa
