#include "events/routes.h"

#include "api/api_router.h"
#include "events/agent_filter.h"

namespace sb::events {

void install_event_routes(http::Router& router, api::ApiStore& tokens, store::Store& store,
                          std::shared_ptr<const EventStream> stream) {
  // The API's own router gives the same 401/403 answers as every other /v1/ route.
  auto api = std::make_shared<api::ApiRouter>(tokens);
  api->add(
      "GET", "/v1/events", auth::Role::kAgent, [stream, &tokens, &store](const api::Call& call) {
        std::shared_ptr<EventFilter> filter;
        if (call.who.is_agent()) {
          filter = std::make_shared<AgentEventFilter>(call.who.name, agent_lookups(tokens, store));
        }
        return stream->handle(call.request, std::move(filter));
      });
  router.add("GET", "/v1/events", [api](const http::Request& r) { return api->dispatch(r); });
}

}  // namespace sb::events
