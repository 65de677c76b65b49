// A minimal admin HTTP surface for the outbox, until the REST API (host/src/api) is wired to
// Outbox::enqueue: enqueue a message, list reconcile rows, retry one. Every route needs
// `Authorization: Bearer <token>`; serve installs them only when SB_OUTBOX_ADMIN_TOKEN is set.
#pragma once

#include <string>

#include "http/router.h"
#include "outbox/outbox.h"

namespace sb::outbox {

// POST /admin/outbox/messages  {"instance_id","to","text","content_type"?,"from"?,
//                               "payload_json"?,"idempotency_key"?} -> 202
//                               {"message_id","duplicate"}
// GET  /admin/outbox/message?id=N          -> {"id","state","attempts","status",...}
// GET  /admin/outbox/reconcile?instance=ID -> [{"id","to","attempts","last_error"}...]
// POST /admin/outbox/retry?id=N            -> 200 {"result":"queued"}
// The token must be non-empty; `outbox` must outlive the router.
void install_admin_routes(http::Router& router, Outbox& outbox, std::string token);

}  // namespace sb::outbox
