// Schema v3: outbox: delivery attempts, next attempt time, reconciliation.
// Reserved by the lead so parallel work cannot collide on version numbers; the owner replaces the
// body. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV3;
const std::string_view kMigrationV3 = "SELECT 1;";

}  // namespace sb::store
