// What this instance knows about the templates of the WABAs it serves, kept in the host's kv so it
// survives restarts: one record per (WABA, name, language) plus an index (kv has no listing).
// Two WABAs may each have a template of the same name and language with different content.
#pragma once

#include "util.hpp"

#include <optional>
#include <string>
#include <vector>

namespace wa {

struct TemplateRecord {
  std::string id, name, language, status, category, quality, reason;
  std::string waba_id;  // the WABA it was created in/synced from; empty = the instance's default
  json::Value components = json::Value::array();

  json::Value to_json() const;
  static TemplateRecord from_json(const json::Value& v);
};

// Statuses that must never be sent (docs/whatsapp-cloud-api.md §2.5); the reason names the status.
bool template_blocked(std::string_view status);

class TemplateStore {
 public:
  // `default_waba` (the instance's waba_id) owns the records that carry no waba_id.
  TemplateStore(const sw::Host& host, const std::string& default_waba)
      : host_(host), default_waba_(default_waba) {}

  // Rewrites records kept by an older version under (name, language) to (their WABA, name,
  // language). Idempotent; run once at start.
  void migrate();

  std::optional<TemplateRecord> get(std::string_view waba, std::string_view name,
                                    std::string_view language) const;
  std::vector<TemplateRecord> all() const;
  std::size_t count() const { return index().size(); }
  void put(const TemplateRecord& r);
  // Removes every language of `name` in `waba` when language is empty. Returns how many.
  std::size_t remove(std::string_view waba, std::string_view name, std::string_view language);
  // A status webhook of `waba`; creates a minimal record for a template it did not know.
  void set_status(std::string_view waba, std::string_view name, std::string_view language,
                  std::string_view status, std::string_view reason, std::string_view id);
  // After a full listing of one WABA: that WABA's records not in `fresh` are dropped, other
  // WABAs' records are kept, and the WABA counts as synced from now on.
  void replace_waba(const std::vector<TemplateRecord>& fresh, std::string_view waba);
  // When `waba`'s templates were last listed in full (Unix ms), nullopt if never: only then does
  // a template missing from the store mean that WhatsApp does not have it either.
  std::optional<int64_t> synced_at(std::string_view waba) const;

  // The owning WABA of a record (its waba_id, else the default).
  std::string owner(const TemplateRecord& r) const;

 private:
  struct Key {
    std::string waba, name, language;
  };
  static std::optional<Key> parse_entry(std::string_view entry);
  std::string waba_or_default(std::string_view waba) const;
  std::vector<std::string> index() const;
  void save_index(const std::vector<std::string>& keys);
  const sw::Host& host_;
  const std::string& default_waba_;
};

}  // namespace wa
