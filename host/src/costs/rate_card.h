// The "costs" section of the configuration file: the currency and the price of one message per
// (category, recipient country calling code), strictly validated (unknown keys are errors naming
// the field):
//
//   {"currency": "USD",
//    "rate_card": [{"category": "marketing", "country_calling_code": "49", "price": 0.1365}],
//    "default": {"marketing": 0.0625, "*": 0.01}}
//
// "default" prices what the card does not list, per category, "*" for any category. Prices are
// kept as integer micro-units (millionths) so that sums are exact.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace sb::costs {

struct Rate {
  std::string category, country_calling_code;
  int64_t price_micros = 0;
};

struct CostsConfig {
  std::string currency = "USD";
  std::vector<Rate> rate_card;
  std::map<std::string, int64_t, std::less<>> defaults;  // category or "*" -> micros
};

// kInvalidArgument naming the field ($.costs.rate_card[2].price ...).
sb::Result<CostsConfig> parse_costs_config(std::string_view json);

// The categories Meta reports in status webhooks' pricing.category.
bool is_known_category(std::string_view category);

enum class RateSource { kRateCard, kDefault, kUnpriced, kFree };
std::string_view to_string(RateSource source);

struct Price {
  int64_t micros = 0;
  RateSource source = RateSource::kUnpriced;
};

// A billable message's price: the card's entry, else the category's default, else "*", else 0
// flagged kUnpriced. Not billable: 0, kFree.
Price price_of(const CostsConfig& config, std::string_view category,
               std::string_view country_calling_code, bool billable);

// "0.1365" style rendering of micro-units (no binary rounding surprises in reports).
double micros_to_amount(int64_t micros);

}  // namespace sb::costs
