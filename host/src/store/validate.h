// Checks shared by every Store backend and the group-commit wrapper. Internal to sb_store.
#pragma once

#include <span>

#include "core/status.h"
#include "store/store.h"

namespace sb::store {

// Every message needs instance_id and provider_message_id (the dedupe key).
Status validate_inbound(std::span<const InboundMessage> batch);

}  // namespace sb::store
