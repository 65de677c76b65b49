// Schema v5: routing: rules, business hours, auto-replies.
// Reserved by the lead so parallel work cannot collide on version numbers; the owner replaces the
// body. A released migration is never edited.
#include "store/migrations.h"

namespace sb::store {

extern const std::string_view kMigrationV5;
const std::string_view kMigrationV5 = "SELECT 1;";

}  // namespace sb::store
