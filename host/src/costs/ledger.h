// The cost ledger: a delivery report whose extra_json carries Meta's pricing
// ({"pricing":{"category":"marketing","billable":true,"pricing_model":"PMP","type":"regular"}})
// becomes one row per message in the store (store/cost_store.h), priced from the rate card by
// the recipient's country calling code. The same message priced twice (duplicate webhooks, sent
// and delivered both carrying pricing) is counted once; a different later pricing replaces it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "costs/rate_card.h"
#include "store/store.h"

namespace sb::costs {

struct Pricing {
  std::string category, pricing_model, type;
  bool billable = false;
};

// nullopt when extra_json has no "pricing" object (most reports); kInvalidArgument when it has one
// without a category. `billable` when absent (deprecated under PMP) follows `type`: regular is
// billable, free_* is not; without either, everything but service is.
sb::Result<std::optional<Pricing>> parse_pricing(std::string_view extra_json);

// The country calling code ("49") of an E.164 number ("+4915..." or "4915..."); empty when
// libphonenumber cannot tell.
std::string country_calling_code(std::string_view e164);

// "YYYY-MM-DD" of a Unix time in ms, UTC.
std::string utc_day(int64_t unix_ms);

class Ledger {
 public:
  explicit Ledger(CostsConfig config) : config_(std::move(config)) {}

  // Records the report's pricing, if it has any, against its outbound message. Call after the
  // store accepted the report. now_ms dates reports without a timestamp.
  sb::Status record(store::Store& store, const store::DeliveryUpdate& update, int64_t now_ms) const;

  const CostsConfig& config() const { return config_; }

 private:
  CostsConfig config_;
};

// The ledger for the configuration's "costs" section (Config::costs_json); an absent section
// (empty text) books every priced message in USD at 0, flagged unpriced. kInvalidArgument naming
// the field otherwise.
sb::Result<std::shared_ptr<const Ledger>> ledger_from_config(std::string_view costs_json);

// Wraps a store so every accepted apply_delivery also goes through the ledger; everything else is
// forwarded. A ledger failure is logged, never turned into a failed delivery report.
// `now_ms` stamps each booking (Unix ms); empty = the system clock.
std::unique_ptr<store::Store> make_cost_recording_store(std::unique_ptr<store::Store> inner,
                                                        std::shared_ptr<const Ledger> ledger,
                                                        std::function<int64_t()> now_ms = {});

}  // namespace sb::costs
