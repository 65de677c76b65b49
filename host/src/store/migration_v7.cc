// Schema v7: events and outbound webhook deliveries.
// Reserved by the lead so parallel work cannot collide on version numbers; the owner replaces the
// body. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV7;
const std::string_view kMigrationV7 = "SELECT 1;";

}  // namespace sb::store
