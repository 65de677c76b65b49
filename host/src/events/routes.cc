#include "events/routes.h"

#include "api/api_router.h"

namespace sb::events {

void install_event_routes(http::Router& router, api::ApiStore& tokens,
                          std::shared_ptr<const EventStream> stream) {
  // The API's own router gives the same 401/403 answers as every other /v1/ route.
  auto api = std::make_shared<api::ApiRouter>(tokens);
  api->add("GET", "/v1/events", auth::Role::kSupervisor,
           [stream](const api::Call& call) { return stream->handle(call.request); });
  router.add("GET", "/v1/events", [api](const http::Request& r) { return api->dispatch(r); });
}

}  // namespace sb::events
