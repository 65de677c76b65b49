// The "routing" section of the configuration file as JSON text, strictly validated (unknown keys
// are errors, every string and list has a size limit) into a RoutingConfig:
//
//   {"default_queue": "general", "away_period_minutes": 720, "keyword_period_minutes": 10,
//    "hours": {"office": {"time_zone": "Europe/Berlin",
//                         "week": {"mon": "09:00-17:00", "sat": "10:00-14:00"},
//                         "holidays": ["2026-12-25"]}},
//    "queues": [{"id": "general", "name": "Support", "strategy": "least_busy", "skills": ["de"],
//                "hours": "office", "welcome": "Hi {{contact.name}} ...", "away": "..."},
//               {"id": "faq", "bot": {"url": "http://127.0.0.1:7000/hook", "secret": "env:X",
//                                     "handover_queue": "general", "handover_keywords": ["agent"],
//                                     "timeout_ms": 10000, "max_attempts": 8}}],
//    "rules": [{"name": "billing", "instances": ["wa-main"], "keywords": ["invoice"],
//               "languages": ["de"], "hours": "office", "when": "open", "queue": "billing"}],
//    "keyword_answers": [{"keywords": ["opening hours"], "answer": "Mon-Fri 9-17"}],
//    "canned": {"thanks": "Thanks {{contact.name}}!"}}
#pragma once

#include <filesystem>
#include <string_view>

#include "core/status.h"
#include "routing/config.h"

namespace sb::routing {

inline constexpr size_t kMaxTemplate = 4096;
inline constexpr size_t kMaxListItems = 256;

// kInvalidArgument naming the offending field; the result has passed validate(config,
// more_queues): the default queue and rules may name those queues too.
sb::Result<RoutingConfig> parse_routing_config(std::string_view json,
                                               const std::filesystem::path& zoneinfo = kZoneinfoDir,
                                               const QueueIds& more_queues = {});

}  // namespace sb::routing
