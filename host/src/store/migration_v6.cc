// Schema v6: cost ledger.
// Reserved by the lead so parallel work cannot collide on version numbers; the owner replaces the
// body. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV6;
const std::string_view kMigrationV6 = "SELECT 1;";

}  // namespace sb::store
