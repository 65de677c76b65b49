// GET /v1/events behind the REST API's bearer tokens. Supervisors and admins only: an agent's
// visibility rules are per conversation, and the stream does not filter events by them (yet).
#pragma once

#include <memory>

#include "api/api_store.h"
#include "events/sse.h"
#include "http/router.h"

namespace sb::events {

// An exact route, so it wins over the API's /v1/ prefix. `tokens` must outlive the router.
void install_event_routes(http::Router& router, api::ApiStore& tokens,
                          std::shared_ptr<const EventStream> stream);

}  // namespace sb::events
