// Schema v6: cost ledger. One row per outbound message whose delivery reports carried pricing;
// the message id is the key, so duplicate webhooks and the sent+delivered pair count once and a
// correction replaces the row. Prices are integer micro-units of `currency` so sums are exact.
// A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV6;
const std::string_view kMigrationV6 = R"sql(
CREATE TABLE message_costs (
  message_id           INTEGER PRIMARY KEY REFERENCES messages (id),
  instance_id          TEXT    NOT NULL,
  business_number      TEXT    NOT NULL DEFAULT '',
  country_calling_code TEXT    NOT NULL DEFAULT '',
  category             TEXT    NOT NULL,
  pricing_model        TEXT    NOT NULL DEFAULT '',
  pricing_type         TEXT    NOT NULL DEFAULT '',
  billable             INTEGER NOT NULL,
  price_micros         INTEGER NOT NULL,
  currency             TEXT    NOT NULL,
  rate_source          TEXT    NOT NULL,
  day                  TEXT    NOT NULL,
  recorded_at_ms       INTEGER NOT NULL,
  updated_at_ms        INTEGER NOT NULL
);
CREATE INDEX message_costs_day ON message_costs (day);
)sql";

}  // namespace sb::store
