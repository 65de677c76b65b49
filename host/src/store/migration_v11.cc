// Schema v11: conversation notes (a bot handover's, ...) are message rows with from_kind 'system'
// and content type 'note' that are never sent: the outbound message counter of /metrics leaves them
// out. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV11;
const std::string_view kMigrationV11 = R"sql(
DROP TRIGGER messages_count_insert;
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
  WHEN NOT (NEW.direction = 'out' AND NEW.from_kind = 'system')
BEGIN
  INSERT INTO instance_counters (instance_id, inbound, outbound, failed)
    VALUES (NEW.instance_id, NEW.direction = 'in', NEW.direction = 'out',
            NEW.direction = 'out' AND NEW.status = 5)
    ON CONFLICT (instance_id) DO UPDATE SET
      inbound = inbound + excluded.inbound,
      outbound = outbound + excluded.outbound,
      failed = failed + excluded.failed;
END;
)sql";

}  // namespace sb::store
