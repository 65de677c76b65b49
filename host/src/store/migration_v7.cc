// Schema v7: the append-only event log (GET /v1/events, outbound webhooks) and the durable queue
// of webhook deliveries. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV7;
const std::string_view kMigrationV7 = R"sql(
-- Never updated or deleted by the host: the id is the SSE event id and the resume point.
CREATE TABLE events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  type          TEXT    NOT NULL,
  created_at_ms INTEGER NOT NULL,
  data_json     TEXT    NOT NULL
);

-- One row per (event, subscribed URL), written with the event. delivery_id stays the same across
-- retries so a receiver can deduplicate. state: pending | delivered | failed.
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY,
  delivery_id     TEXT    NOT NULL UNIQUE,
  event_id        INTEGER NOT NULL REFERENCES events (id),
  url             TEXT    NOT NULL,
  state           TEXT    NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_status     INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT    NOT NULL DEFAULT '',
  updated_at_ms   INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms)
  WHERE state = 'pending';
)sql";

}  // namespace sb::store
