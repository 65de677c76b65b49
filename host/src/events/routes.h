// GET /v1/events behind the REST API's bearer tokens. Supervisors and admins receive every event;
// an agent receives the events of the conversations it may see and those naming it
// (events/agent_filter.h). A stream ends when its token is revoked (api::ApiStore::credentials()).
#pragma once

#include <memory>

#include "api/api_store.h"
#include "events/sse.h"
#include "http/router.h"
#include "store/store.h"

namespace sb::events {

// An exact route, so it wins over the API's /v1/ prefix. `tokens` (also the agents' queues) and
// `store` must outlive the router.
void install_event_routes(http::Router& router, api::ApiStore& tokens, store::Store& store,
                          std::shared_ptr<const EventStream> stream);

}  // namespace sb::events
