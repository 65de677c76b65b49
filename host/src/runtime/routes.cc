#include "runtime/routes.h"

#include <array>
#include <string>

#include "log/log.h"

namespace sb::runtime {
namespace {

constexpr std::string_view kWebhookPrefix = "/webhooks/";

std::string json_str(std::string_view s) {
  return "\"" + log::json_escape(s) + "\"";
}

http::Response readiness(Runtime& runtime, const RouteOptions& options) {
  const bool store_ok = !options.store_ok || options.store_ok();
  std::string not_ready;
  for (const auto& i : runtime.instances()) {
    if (i->state() == InstanceState::kRunning) continue;
    if (!not_ready.empty()) not_ready += ',';
    not_ready += "{\"id\":" + json_str(i->id()) + ",\"state\":" + json_str(to_string(i->state())) +
                 ",\"reason\":" + json_str(i->state_reason()) + "}";
  }
  http::Response r;
  const bool ready = store_ok && not_ready.empty();
  r.status = ready ? 200 : 503;
  r.body = std::string("{\"status\":") + (ready ? "\"ready\"" : "\"not_ready\"") +
           ",\"store\":" + (store_ok ? "\"ok\"" : "\"unavailable\"") + ",\"not_ready\":[" +
           not_ready + "]}";
  return r;
}

http::Response webhook(Runtime& runtime, const http::Request& req) {
  std::string_view rest = std::string_view(req.path).substr(kWebhookPrefix.size());
  const size_t slash = rest.find('/');
  const std::string_view instance_id = rest.substr(0, slash);
  const std::string_view sub = slash == std::string_view::npos ? "/" : rest.substr(slash);
  auto instance = runtime.find(instance_id);
  if (instance == nullptr) return http::json_error(404, "not_found", "no such webhook route");
  WebhookCall call;
  call.method = req.method;
  call.path = std::string(sub);
  call.query = req.query;
  for (const auto& [name, value] : req.headers) call.headers += name + ": " + value + "\r\n";
  call.body = req.body;
  call.remote_addr = req.remote_addr;
  auto reply = instance->handle_webhook(std::move(call));
  if (!reply) return http::json_error(404, "not_found", "no such webhook route");
  http::Response r;
  r.status = reply->status;
  r.content_type = reply->content_type.empty() ? "text/plain; charset=utf-8" : reply->content_type;
  r.headers = std::move(reply->headers);
  r.body = std::move(reply->body);
  return r;
}

void describe_metrics(http::MetricsRegistry& m) {
  using http::MetricType;
  m.describe("switchboard_uptime_seconds", MetricType::kGauge, "Seconds since the host started.");
  m.describe("switchboard_plugins_loaded", MetricType::kGauge, "Plugins loaded and initialised.");
  m.describe("switchboard_instances", MetricType::kGauge, "Channel instances by state.");
  m.describe("switchboard_inbound_messages_total", MetricType::kCounter,
             "Inbound messages submitted by channels, by result.");
  m.describe("switchboard_outbound_messages_total", MetricType::kCounter,
             "Outbound messages by final outcome, each once: sent (accepted by the provider), "
             "rejected (refused for good without being accepted), failed (accepted, then "
             "reported failed by the provider).");
  m.describe("switchboard_outbound_attempts_total", MetricType::kCounter,
             "Plugin send calls by answer (retried attempts each count).");
  m.describe("switchboard_delivery_reports_total", MetricType::kCounter,
             "Delivery reports recorded.");
  m.describe("switchboard_webhook_requests_total", MetricType::kCounter,
             "Webhook requests handed to channels.");
  m.describe("switchboard_webhook_errors_total", MetricType::kCounter,
             "Webhook requests the channel failed or did not answer.");
  m.describe("switchboard_stored_messages", MetricType::kGauge,
             "Messages in the store, by instance and direction.");
}

void collect(http::MetricsRegistry& m, Runtime& runtime, const RouteOptions& options) {
  const auto uptime = std::chrono::steady_clock::now() - runtime.started_at();
  m.set("switchboard_uptime_seconds", {},
        std::chrono::duration_cast<std::chrono::duration<double>>(uptime).count());
  if (options.plugins_loaded) {
    m.set("switchboard_plugins_loaded", {}, static_cast<double>(options.plugins_loaded()));
  }
  constexpr std::array kStates = {InstanceState::kCreated, InstanceState::kStarting,
                                  InstanceState::kRunning, InstanceState::kDegraded,
                                  InstanceState::kFailed,  InstanceState::kStopped};
  std::array<double, kStates.size()> by_state{};
  for (const auto& i : runtime.instances()) {
    by_state[static_cast<size_t>(i->state())] += 1;
    const InstanceStats s = i->stats();
    const std::string& id = i->id();
    auto in = [&](const char* result, uint64_t v) {
      m.set("switchboard_inbound_messages_total", {{"instance", id}, {"result", result}},
            static_cast<double>(v));
    };
    in("stored", s.inbound_stored);
    in("duplicate", s.inbound_duplicate);
    in("invalid", s.inbound_invalid);
    auto out = [&](const char* family, const char* result, uint64_t v) {
      m.set(family, {{"instance", id}, {"result", result}}, static_cast<double>(v));
    };
    out("switchboard_outbound_messages_total", "sent", s.sent);
    out("switchboard_outbound_messages_total", "rejected", s.messages_rejected);
    out("switchboard_outbound_messages_total", "failed", s.messages_failed);
    out("switchboard_outbound_attempts_total", "sent", s.sent);
    out("switchboard_outbound_attempts_total", "pending", s.send_pending);
    out("switchboard_outbound_attempts_total", "failed", s.send_failed);
    m.set("switchboard_delivery_reports_total", {{"instance", id}},
          static_cast<double>(s.delivery_reports));
    m.set("switchboard_webhook_requests_total", {{"instance", id}},
          static_cast<double>(s.webhooks));
    m.set("switchboard_webhook_errors_total", {{"instance", id}},
          static_cast<double>(s.webhook_errors));
  }
  for (size_t k = 0; k < kStates.size(); ++k) {
    m.set("switchboard_instances", {{"state", std::string(to_string(kStates[k]))}}, by_state[k]);
  }
  if (store::Store* store = runtime.services().store) {
    if (auto counters = store->counters()) {
      for (const auto& c : *counters) {
        m.set("switchboard_stored_messages",
              {{"instance", c.instance_id}, {"direction", "inbound"}},
              static_cast<double>(c.inbound));
        m.set("switchboard_stored_messages",
              {{"instance", c.instance_id}, {"direction", "outbound"}},
              static_cast<double>(c.outbound));
      }
    }
  }
}

}  // namespace

void install_routes(http::Router& router, Runtime& runtime,
                    std::shared_ptr<http::MetricsRegistry> metrics, RouteOptions options) {
  router.add("GET", "/healthz", [](const http::Request&) {
    http::Response r;
    r.body = "{\"status\":\"ok\"}";
    return r;
  });
  router.add("GET", "/readyz",
             [&runtime, options](const http::Request&) { return readiness(runtime, options); });
  describe_metrics(*metrics);
  metrics->add_collector(
      [&runtime, options](http::MetricsRegistry& m) { collect(m, runtime, options); });
  router.add("GET", "/metrics", http::metrics_handler(metrics));
  router.add_prefix("*", std::string(kWebhookPrefix),
                    [&runtime](const http::Request& req) { return webhook(runtime, req); });
}

}  // namespace sb::runtime
