// What this instance knows about its WABA's templates, kept in the host's kv so it survives
// restarts: one record per (name, language) plus an index (kv has no listing).
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
  explicit TemplateStore(const sw::Host& host) : host_(host) {}

  std::optional<TemplateRecord> get(std::string_view name, std::string_view language) const;
  std::vector<TemplateRecord> all() const;
  std::size_t count() const { return index().size(); }
  void put(const TemplateRecord& r);
  // Removes every language of `name` when language is empty. Returns how many were removed.
  std::size_t remove(std::string_view name, std::string_view language);
  // A status webhook; creates a minimal record for a template it did not know.
  void set_status(std::string_view name, std::string_view language, std::string_view status,
                  std::string_view reason, std::string_view id);
  // After a full listing: records not in `fresh` are dropped.
  void replace_all(const std::vector<TemplateRecord>& fresh);
  // After a full listing of one WABA: only that WABA's records not in `fresh` are dropped (a
  // record without waba_id belongs to `default_waba`).
  void replace_waba(const std::vector<TemplateRecord>& fresh, std::string_view waba_id,
                    std::string_view default_waba);

 private:
  std::vector<std::string> index() const;
  void save_index(const std::vector<std::string>& keys);
  const sw::Host& host_;
};

}  // namespace wa
