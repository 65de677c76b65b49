// /v1/admin/clock: the controllable host clock of black-box tests. Mounted only when the
// configuration says "testing": {"controllable_clock": true}; admin tokens only.
#include "api/routes_common.h"

namespace sb::api {
namespace {

using auth::Role;

// At most ~10 years in one step: enough for any test, small enough to catch a unit mistake.
constexpr int64_t kMaxStepMs = int64_t{10} * 366 * 24 * 3600 * 1000;

http::Response clock_state(const HostClock& clock, int status = 200) {
  Poco::JSON::Object body;
  body.set("now_ms", clock.now_ms());
  body.set("offset_ms", clock.offset_ms());
  body.set("controllable", clock.controllable());
  return json_response(status, body);
}

http::Response advance(const ApiDeps& deps, const Call& call) {
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  f.only({"advance_ms"});
  auto ms = f.integer("advance_ms", true, 1, kMaxStepMs);
  if (!f.ok()) return f.error();
  auto offset = deps.clock->advance(*ms);
  if (!offset) return status_response(offset.status());
  if (deps.on_clock_advanced) deps.on_clock_advanced();
  return clock_state(*deps.clock);
}

}  // namespace

void add_clock_routes(ApiRouter& router, Deps deps) {
  router.add("GET", "/v1/admin/clock", Role::kAdmin,
             [deps](const Call&) { return clock_state(*deps->clock); });
  router.add("POST", "/v1/admin/clock", Role::kAdmin,
             [deps](const Call& call) { return advance(*deps, call); });
}

}  // namespace sb::api
