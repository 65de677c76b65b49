// The config file's "outbox" settings (global, and per instance) as OutboxOptions.
#pragma once

#include "config/config.h"
#include "outbox/outbox.h"

namespace sb::outbox {

DispatchTuning tuning_from(const config::OutboxConfig& c);

// The global settings, plus a per_instance entry for every instance with its own "outbox" object.
// Callbacks (clock, random, on_recorded) are left empty for the caller to set.
OutboxOptions options_from_config(const config::Config& cfg);

}  // namespace sb::outbox
