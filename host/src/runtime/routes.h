// The runtime's HTTP surface: health, readiness, metrics and the channels' webhook routes.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "http/metrics.h"
#include "http/router.h"
#include "runtime/runtime.h"
#include "store/store.h"

namespace sb::runtime {

struct RouteOptions {
  std::function<bool()> store_ok;          // readiness: the store is open and answers
  std::function<size_t()> plugins_loaded;  // for /metrics
};

// Adds GET /healthz, GET /readyz, GET /metrics and every method under /webhooks/ to router, and a
// collector to metrics. runtime (and its store) must outlive every request the router serves.
//  /healthz  200 {"status":"ok"} while the process runs.
//  /readyz   200 when the store is ok and every instance is running, else 503 naming the rest.
//  /webhooks/<instance-id><path>  the instance's handle_webhook (404 JSON for unknown routes).
void install_routes(http::Router& router, Runtime& runtime,
                    std::shared_ptr<http::MetricsRegistry> metrics, RouteOptions options);

}  // namespace sb::runtime
