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
        // The stream ends when its token is revoked: at once through the token store's watch,
        // or at the lease's recheck when another process (the CLI) revoked it in the database.
        const std::string hash =
            auth::hash_token(auth::bearer_token(call.request.header("Authorization")).value_or(""));
        auto lease = tokens.credentials().hold(
            call.who.token_id, [&tokens, hash, id = call.who.token_id, role = call.who.role] {
              auto found = tokens.find_token(hash);
              if (!found) return true;  // the store is busy: keep the stream, ask again later
              return found->has_value() && (*found)->id == id && (*found)->role == role;
            });
        return stream->handle(call.request, std::move(filter), std::move(lease));
      });
  router.add("GET", "/v1/events", [api](const http::Request& r) { return api->dispatch(r); });
}

}  // namespace sb::events
