#include "store/sqlite_costs.h"

namespace sb::store {

Status SqliteCosts::put_cost(const CostEntry& e) {
  std::lock_guard lock(mu_);
  {
    auto q = db_.prepare("SELECT 1 FROM messages WHERE id = ?1");
    if (!q) return q.status();
    (*q)->bind(1, e.message_id);
    int rc = (*q)->step();
    if (rc == SQLITE_DONE) return not_found("no message with id " + std::to_string(e.message_id));
    if (rc != SQLITE_ROW) return db_.error("find message", rc);
  }
  // One statement, so no explicit transaction is needed for atomicity.
  auto q = db_.prepare(
      "INSERT INTO message_costs (message_id, instance_id, business_number, country_calling_code, "
      "category, pricing_model, pricing_type, billable, price_micros, currency, rate_source, day, "
      "recorded_at_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?13) ON CONFLICT (message_id) DO UPDATE SET instance_id = excluded.instance_id, "
      "business_number = excluded.business_number, "
      "country_calling_code = excluded.country_calling_code, category = excluded.category, "
      "pricing_model = excluded.pricing_model, pricing_type = excluded.pricing_type, "
      "billable = excluded.billable, price_micros = excluded.price_micros, "
      "currency = excluded.currency, rate_source = excluded.rate_source, "
      "updated_at_ms = excluded.updated_at_ms");
  if (!q) return q.status();
  sqlite::Stmt& s = **q;
  s.bind(1, e.message_id).bind(2, e.instance_id).bind(3, e.business_number);
  s.bind(4, e.country_calling_code).bind(5, e.category).bind(6, e.pricing_model);
  s.bind(7, e.pricing_type).bind(8, int64_t{e.billable ? 1 : 0}).bind(9, e.price_micros);
  s.bind(10, e.currency).bind(11, e.rate_source).bind(12, e.day).bind(13, e.recorded_at_ms);
  if (int rc = s.step(); rc != SQLITE_DONE) return db_.error("put cost", rc);
  ++commits_;
  return {};
}

Result<std::optional<CostEntry>> SqliteCosts::cost_of(int64_t message_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT message_id, instance_id, business_number, country_calling_code, category, "
      "pricing_model, pricing_type, billable, price_micros, currency, rate_source, day, "
      "recorded_at_ms, updated_at_ms FROM message_costs WHERE message_id = ?1");
  if (!q) return q.status();
  sqlite::Stmt& s = **q;
  s.bind(1, message_id);
  int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<CostEntry>();
  if (rc != SQLITE_ROW) return db_.error("read cost", rc);
  CostEntry e;
  e.message_id = s.int64(0);
  e.instance_id = s.text(1);
  e.business_number = s.text(2);
  e.country_calling_code = s.text(3);
  e.category = s.text(4);
  e.pricing_model = s.text(5);
  e.pricing_type = s.text(6);
  e.billable = s.int64(7) != 0;
  e.price_micros = s.int64(8);
  e.currency = s.text(9);
  e.rate_source = s.text(10);
  e.day = s.text(11);
  e.recorded_at_ms = s.int64(12);
  e.updated_at_ms = s.int64(13);
  return std::optional<CostEntry>(std::move(e));
}

Result<std::optional<int64_t>> SqliteCosts::outbound_id(std::string_view instance_id,
                                                        std::string_view provider_message_id) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT id FROM messages WHERE instance_id = ?1 AND direction = 'out' AND "
      "provider_message_id = ?2 ORDER BY id DESC LIMIT 1");
  if (!q) return q.status();
  (*q)->bind(1, instance_id).bind(2, provider_message_id);
  int rc = (*q)->step();
  if (rc == SQLITE_DONE) return std::optional<int64_t>();
  if (rc != SQLITE_ROW) return db_.error("find outbound message", rc);
  return std::optional<int64_t>((*q)->int64(0));
}

Result<std::vector<CostSum>> SqliteCosts::cost_sums(std::string_view from_day,
                                                    std::string_view to_day) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare(
      "SELECT instance_id, business_number, category, day, currency, COUNT(*), SUM(billable), "
      "SUM(rate_source = 'unpriced'), SUM(price_micros) FROM message_costs "
      "WHERE day >= ?1 AND day <= ?2 "
      "GROUP BY instance_id, business_number, category, day, currency "
      "ORDER BY instance_id, business_number, category, day, currency");
  if (!q) return q.status();
  sqlite::Stmt& s = **q;
  s.bind(1, from_day).bind(2, to_day);
  std::vector<CostSum> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5), s.int64(6),
                   s.int64(7), s.int64(8)});
  }
  if (rc != SQLITE_DONE) return db_.error("sum costs", rc);
  return out;
}

}  // namespace sb::store
