// The cost ledger's rows (schema v6): one per outbound message that a delivery report priced.
// The policy (which rate, billable or not) lives in host/src/costs; the store keeps one row per
// message and sums them for GET /v1/reports/costs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sb::store {

struct CostEntry {
  int64_t message_id = 0;
  std::string instance_id, business_number, country_calling_code, category, pricing_model,
      pricing_type, currency;
  bool billable = false;
  int64_t price_micros = 0;  // millionths of `currency`; 0 when not billable
  // "rate_card" | "default" (no card entry, the default rate) | "unpriced" (no rate at all: 0)
  // | "free" (not billable).
  std::string rate_source;
  std::string day;  // YYYY-MM-DD (UTC) of the first priced report; a correction keeps it
  int64_t recorded_at_ms = 0, updated_at_ms = 0;
};

// One row of the stored sums: every dimension, so callers can fold the ones not asked for.
struct CostSum {
  std::string instance_id, business_number, category, day, currency;
  int64_t messages = 0, billable = 0, unpriced = 0, amount_micros = 0;
};

class CostStore {
 public:
  virtual ~CostStore() = default;
  // Inserts the message's row or replaces its pricing (day and recorded_at_ms stay the first
  // ones). kNotFound when the message does not exist.
  virtual Status put_cost(const CostEntry& entry) = 0;
  virtual Result<std::optional<CostEntry>> cost_of(int64_t message_id) = 0;
  // The newest outbound message with this provider id on the instance, like apply_delivery.
  virtual Result<std::optional<int64_t>> outbound_id(std::string_view instance_id,
                                                     std::string_view provider_message_id) = 0;
  // Sums per (instance, business number, category, day, currency) for from_day <= day <= to_day,
  // in that order.
  virtual Result<std::vector<CostSum>> cost_sums(std::string_view from_day,
                                                 std::string_view to_day) = 0;
};

}  // namespace sb::store
