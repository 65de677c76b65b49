// `switchboard serve`: wire config, logging, store, plugins, runtime and HTTP; run until a signal.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>

#include "api/api.h"
#include "api/api_store.h"
#include "api/runtime_channels.h"
#include "app/bot_glue.h"
#include "app/cli.h"
#include "app/inbound_pipeline.h"
#include "config/config.h"
#include "conversations/ingest_resolver.h"
#include "conversations/service.h"
#include "core/host_clock.h"
#include "costs/ledger.h"
#include "events/event_log.h"
#include "events/publish.h"
#include "events/routes.h"
#include "events/sse.h"
#include "events/webhooks.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "log/log.h"
#include "outbox/admin_routes.h"
#include "outbox/outbox.h"
#include "outbox/settings.h"
#include "plugin/registry.h"
#include "routing/config_json.h"
#include "routing/router.h"
#include "runtime/routes.h"
#include "runtime/runtime.h"
#include "store/outbox_store.h"
#include "store/store.h"

namespace sb::app {
namespace {

namespace fs = std::filesystem;

int fail(std::ostream& err, const std::string& message) {
  err << "error: " << message << "\n";
  return kExitFailure;
}

Status prepare_data_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return unavailable("cannot create data_dir " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir, ec)) {
    return invalid_argument("data_dir " + dir.string() + " is not a directory");
  }
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return unavailable("data_dir " + dir.string() +
                       " is not readable and writable: " + std::strerror(errno));
  }
  return Status::ok();
}

std::string plugin_ids(const plugin::Registry& registry) {
  std::string ids;
  for (const auto& p : registry.list()) ids += (ids.empty() ? "" : ", ") + p->id();
  return ids.empty() ? "none" : ids;
}

// Blocks SIGINT/SIGTERM in this thread and every thread started after it, so sigwait owns them.
sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the daemon
  return set;
}

}  // namespace

int serve(const fs::path& config_file, std::ostream& err) {
  const sigset_t signals = block_shutdown_signals();

  auto config = config::load_config(config_file);
  if (!config) return fail(err, config.status().message());
  const config::Config& cfg = *config;
  if (Status s = log::init_logging(cfg.log); !s) return fail(err, "log: " + s.message());
  auto logger = log::logger("switchboard");
  for (const auto& w : cfg.warnings) logger->warn("config: {}", w);
  logger->info("{} starting with {}", version_line(), cfg.source.string());

  // The one time source of this process (store stamps, conversations, routing, outbox, events,
  // API tokens, plugins' now_ms). Movable only under testing.controllable_clock.
  HostClock clock(cfg.testing.controllable_clock);
  if (clock.controllable()) {
    logger->warn(
        "TESTING: the host clock is controllable (POST /v1/admin/clock moves it forward); "
        "this configuration must never run in production");
  }

  if (Status s = prepare_data_dir(cfg.data_dir); !s) return fail(err, s.message());
  const fs::path db_file = cfg.data_dir / "switchboard.db";
  // Every new inbound message is resolved to a contact and a conversation inside the transaction
  // that stores it, so a crash can never leave a message without its conversation.
  store::StoreOptions store_options;
  store_options.now_ms = clock.fn();
  conversations::ResolverOptions resolver_options;
  resolver_options.clock = clock.fn();
  resolver_options.default_region = cfg.core.default_region;
  resolver_options.reopen_horizon = std::chrono::hours(cfg.core.reopen_horizon_hours);
  store_options.inbound_resolver =
      std::make_shared<conversations::IngestResolver>(std::move(resolver_options));
  store_options.track_routing = !cfg.routing_json.empty();
  auto opened = store::open_sqlite_store(db_file, store_options);
  if (!opened) {
    return fail(err, "cannot open store " + db_file.string() + ": " + opened.status().message());
  }
  std::unique_ptr<store::Store> store = store::make_group_commit_store(std::move(opened).value());
  // Delivery reports with the provider's pricing are booked in the cost ledger (schema v6).
  auto ledger = costs::ledger_from_config(cfg.costs_json);
  if (!ledger) return fail(err, "bad configuration: " + ledger.status().message());
  store = costs::make_cost_recording_store(std::move(store), std::move(*ledger), clock.fn());

  // Events (GET /v1/events, outbound webhooks) are appended right after each change commits.
  auto webhooks = events::parse_webhooks(cfg.webhooks_json);
  if (!webhooks) return fail(err, webhooks.status().message());
  auto event_log_opened =
      events::EventLog::open(db_file, events::subscriptions(*webhooks), clock.fn());
  if (!event_log_opened) {
    return fail(err, "cannot open the event log: " + event_log_opened.status().message());
  }
  std::shared_ptr<events::EventLog> event_log = std::move(event_log_opened).value();

  plugin::Registry registry;
  std::map<std::string, std::string> refused;  // declared plugin id -> why it did not load
  for (const auto& r : registry.scan(cfg.plugin_dirs)) {
    if (!r.ok() && !r.declared_id.empty() && !registry.find(r.declared_id)) {
      refused[r.declared_id] =
          std::string(plugin::to_string(r.error().kind)) + ": " + r.error().message;
    }
    if (r.ok()) {
      logger->info("plugin {} {} loaded from {}", r.plugin()->id(), r.plugin()->manifest().version,
                   r.path.string());
    } else {
      logger->error("plugin at {} refused: {}: {}", r.path.string(),
                    plugin::to_string(r.error().kind), r.error().message);
    }
  }
  for (const auto& f : registry.init_all(runtime::host_api_table())) {
    logger->error("plugin {} refused: {}: {}", f.plugin_id, plugin::to_string(f.error.kind),
                  f.error.message);
    refused[f.plugin_id] = std::string(plugin::to_string(f.error.kind)) + ": " + f.error.message;
  }

  // Check every instance before starting any, so a typo fails fast with nothing half-started.
  std::vector<runtime::InstanceSpec> specs;
  for (const auto& inst : cfg.instances) {
    if (!inst.enabled) {
      logger->info("instance {} is disabled", inst.id);
      continue;
    }
    runtime::InstanceSpec spec;
    spec.id = inst.id;
    spec.plugin = registry.find(inst.plugin);
    if (spec.plugin == nullptr && refused.contains(inst.plugin)) {
      return fail(err, "instance \"" + inst.id + "\": plugin \"" + inst.plugin +
                           "\" did not load: " + refused[inst.plugin]);
    }
    if (spec.plugin == nullptr) {
      return fail(err, "instance \"" + inst.id + "\": unknown plugin \"" + inst.plugin +
                           "\" (loaded: " + plugin_ids(registry) + ")");
    }
    spec.config_json = inst.config_json;
    for (const auto& [name, ref] : inst.secrets) {
      auto value = config::resolve_secret(ref);
      if (!value) {
        return fail(err, "instance \"" + inst.id + "\": secret \"" + name +
                             "\": " + value.status().message());
      }
      spec.secrets.emplace(name, std::move(value).value());
    }
    specs.push_back(std::move(spec));
  }

  // Defence in depth: every log line, not only plugin lines, is scrubbed of the secret values.
  std::vector<std::string> secret_values;
  for (const auto& spec : specs) {
    for (const auto& [name, value] : spec.secrets) secret_values.push_back(value);
  }
  log::set_redacted_secrets(secret_values);

  auto pipeline = std::make_shared<InboundPipeline>();
  if (!cfg.routing_json.empty()) {
    // The default queue and rules may name queues created through the REST API, too.
    auto queue_rows = store->routing()->queues();
    if (!queue_rows) return fail(err, "routing: " + queue_rows.status().message());
    routing::QueueIds api_queues;
    for (const auto& row : *queue_rows) api_queues.insert(row.id);
    auto routing_config =
        routing::parse_routing_config(cfg.routing_json, routing::kZoneinfoDir, api_queues);
    if (!routing_config) return fail(err, "routing: " + routing_config.status().message());
    // Conversations the router hands out on its own (rebalance) are published like any other
    // assignment; route()'s own decision is published by on_inbound_stored below.
    routing::RouterOptions router_options;
    router_options.clock = clock.fn();
    router_options.on_assigned = [event_log](const routing::Assignment& a) {
      events::publish_assigned(*event_log, a.conversation_id, a.agent, a.queue, a.by);
    };
    auto created = routing::Router::create(std::move(routing_config).value(), *store,
                                           std::move(router_options));
    if (!created) return fail(err, "routing: " + created.status().message());
    pipeline->router = std::move(created).value();
    // Bot queues: their URLs join the webhook dispatcher (signed with the bot's secret), which
    // the event log does not subscribe; their secrets are redacted like the channels'.
    auto bots = bot_webhooks(pipeline->router->config(), *webhooks);
    if (!bots) return fail(err, "routing: " + bots.status().message());
    for (auto& hook : *bots) {
      secret_values.push_back(hook.secret);
      webhooks->push_back(std::move(hook));
    }
    log::set_redacted_secrets(secret_values);
  }
  conversations::ConversationService conversation_service(*store->model(), clock.fn(),
                                                          cfg.core.default_region);

  runtime::HostServices services;
  services.store = store.get();
  services.now_ms = clock.fn();
  services.on_delivery_applied = [event_log](const store::DeliveryUpdate& update) {
    events::publish_delivery(*event_log, update);
  };
  // Routed messages carry a routing_pending marker from their commit until their routing
  // committed; the ones a crash left are routed now, before any channel takes a new message.
  InboundDeps inbound{*pipeline, *store, conversation_service, *event_log, clock.fn()};
  if (pipeline->router && cfg.http.port != 0) {
    pipeline->api_base_url = api_base_url(cfg.http.host, cfg.http.port);
  }
  if (auto replayed = replay_pending_routing(inbound); !replayed) {
    return fail(err, "routing: replaying pending messages: " + replayed.status().message());
  }
  services.on_inbound_stored = [pipeline, inbound](const store::InboundMessage& message,
                                                   const store::InboundResult& result) {
    std::lock_guard lock(pipeline->mu);
    process_inbound_locked(inbound, message, result);
  };
  runtime::Runtime runtime(runtime::RuntimeOptions{cfg.worker_threads}, services);
  for (auto& spec : specs) {
    const std::string id = spec.id;
    Status s = runtime.add_instance(std::move(spec));
    if (s) s = runtime.start_instance(id);
    if (s) {
      logger->info("instance {} running", id);
    } else {
      // The host keeps serving; /readyz names the instance until an operator fixes it.
      logger->error("instance {} failed: {}", id, s.message());
    }
  }

  // Rows a previous run left mid-send become reconcile before anything new is sent.
  // The outbox's "sent" is a message.status event; failures come from the channel's report.
  outbox::OutboxOptions outbox_options = outbox::options_from_config(cfg);
  outbox_options.clock = clock.fn();
  // A channel that reported "sent" before its send call returned has published it already.
  outbox_options.on_recorded = [event_log](const std::string& instance_id,
                                           const store::OutboxAttempt& attempt, bool status_moved) {
    if (attempt.next != store::OutboxState::kSent || !status_moved) return;
    store::DeliveryUpdate sent;
    sent.instance_id = instance_id;
    sent.message_id = attempt.message_id;
    sent.provider_message_id = attempt.provider_message_id;
    sent.status = store::DeliveryStatus::kSent;
    sent.timestamp_ms = event_log->now_ms();
    events::publish_delivery(*event_log, sent);
  };
  outbox::Outbox outbox(*store, runtime, outbox_options);
  {
    std::lock_guard lock(pipeline->mu);
    if (Status s = outbox.start(); !s) {
      runtime.shutdown();
      registry.deinit_all();
      return fail(err, "outbox: " + s.message());
    }
    pipeline->outbox = &outbox;
  }

  auto router = std::make_shared<http::Router>();
  auto metrics = std::make_shared<http::MetricsRegistry>();
  runtime::RouteOptions routes;
  store::Store* store_ptr = store.get();
  routes.store_ok = [store_ptr] { return store_ptr->counters().is_ok(); };
  routes.plugins_loaded = [&registry] { return registry.list().size(); };
  runtime::install_routes(*router, runtime, metrics, routes);
  // The REST API has no reconcile/retry routes yet: an admin token (from the environment, never
  // from the config file or the log) opens a minimal outbox surface under /admin/outbox/.
  if (const char* token = std::getenv("SB_OUTBOX_ADMIN_TOKEN"); token != nullptr && *token != 0) {
    outbox::install_admin_routes(*router, outbox, token);
    logger->info("outbox admin routes enabled under /admin/outbox/");
  }

  // REST API v1 (host/src/api). Sends go through the outbox: committed queued, then dispatched.
  auto api_store = api::ApiStore::open(db_file, clock.fn());
  if (!api_store) {
    outbox.stop();
    runtime.shutdown();
    registry.deinit_all();
    return fail(err, "cannot open API tables: " + api_store.status().message());
  }
  std::unique_ptr<api::MediaCache> media_cache;
  if (cfg.media.cache_max_mb > 0) {
    auto opened_cache = api::MediaCache::open(cfg.data_dir / "media",
                                              static_cast<uint64_t>(cfg.media.cache_max_mb) << 20);
    if (!opened_cache) {
      logger->warn("attachments will not be cached: {}", opened_cache.status().message());
    } else {
      media_cache = std::move(opened_cache).value();
    }
  }
  api::RuntimeChannels api_channels(runtime);
  api::ApiDeps api_deps;
  api_deps.api_store = api_store->get();
  api_deps.store = store.get();
  api_deps.conversations = &conversation_service;
  api_deps.channels = &api_channels;
  api_deps.media_cache = media_cache.get();
  api_deps.send = [&outbox](const store::OutboundMessage& m) -> Result<api::SendAccepted> {
    auto r = outbox.enqueue(m);
    if (!r) return r.status();
    return api::SendAccepted{r->message_id, r->duplicate};
  };
  // Capacity freed or added (a conversation resolved or moved, an agent online or changed):
  // conversations waiting in their queues go to agents who now have room.
  auto rebalance = [pipeline, logger] {
    std::lock_guard lock(pipeline->mu);
    if (!pipeline->router) return;
    auto assigned = pipeline->router->rebalance();
    if (!assigned) {
      logger->warn("routing: handing out waiting conversations failed: {}",
                   assigned.status().message());
    } else if (!assigned->empty()) {
      logger->info("routing: {} waiting conversation(s) assigned", assigned->size());
    }
  };
  api_deps.on_event = [event_log, rebalance](std::string_view type, const std::string& data_json) {
    event_log->publish(type, data_json);
    if (type == "conversation.status" || type == "conversation.assigned") rebalance();
  };
  api_deps.on_agents_changed = rebalance;
  if (clock.controllable()) {
    api_deps.clock = &clock;
    // Messages waiting for a retry may be due at the new time: dispatchers look now.
    api_deps.on_clock_advanced = [&outbox, &runtime] {
      for (const auto& inst : runtime.instances()) outbox.kick(inst->id());
    };
  }
  if (pipeline->router) {  // set before any thread runs and never replaced
    api_deps.is_bot_queue = [pipeline](std::string_view queue) {
      return routing::bot_of(pipeline->router->config(), queue) != nullptr;  // config is const
    };
    api_deps.config_queue_use = [pipeline](std::string_view queue) {
      return std::string(routing::queue_use(pipeline->router->config(), queue));
    };
    api_deps.on_queues_changed = [pipeline, logger, rebalance] {
      if (Status s = pipeline->router->reload_queues(); !s) {
        logger->warn("routing: reading the queues failed: {}", s.message());
      }
      rebalance();  // a new queue may have waiting conversations or members with room
    };
    api_deps.handover = [pipeline, event_log](int64_t id, const std::optional<std::string>& queue,
                                              const std::string& actor, const std::string& note) {
      std::lock_guard lock(pipeline->mu);
      return handover(*pipeline->router, *event_log, id, queue, actor, note);
    };
  }
  api::install_api_routes(*router, std::move(api_deps));
  events::SseOptions sse_options;
  sse_options.max_streams = cfg.http.max_event_streams;
  events::install_event_routes(*router, **api_store, *store,
                               std::make_shared<const events::EventStream>(event_log, sse_options));
  events::WebhookDispatcher webhook_dispatcher(event_log, std::move(webhooks).value());

  http::ServerOptions server_options;
  server_options.host = cfg.http.host;
  server_options.port = cfg.http.port;
  server_options.max_body_bytes = cfg.http.max_body_bytes;
  server_options.body_limits.emplace_back("/webhooks/", cfg.http.max_webhook_body_bytes);
  server_options.threads = cfg.http.threads;
  server_options.stream_threads = cfg.http.max_event_streams;
  http::Server server(server_options, router);
  if (Status s = server.start(); !s) {
    outbox.stop();
    runtime.shutdown();
    registry.deinit_all();
    return fail(err, s.message());
  }
  logger->info("listening on http://{}:{}", cfg.http.host, server.port());
  {
    std::lock_guard lock(pipeline->mu);
    pipeline->api_base_url = api_base_url(cfg.http.host, server.port());
  }
  webhook_dispatcher.start();

  int signo = 0;
  while (sigwait(&signals, &signo) != 0) {
  }
  logger->info("received {}, shutting down", signo == SIGTERM ? "SIGTERM" : "SIGINT");
  event_log->close();  // event streams end, so the server's threads are free to stop
  server.stop();       // no new webhooks; running handlers finish first
  webhook_dispatcher.stop();
  // No new attempt after this; one inside a plugin finishes and is recorded before the instance
  // stops. Only a crash leaves rows `sending` (reconcile at the next start).
  outbox.stop();
  runtime.shutdown();
  registry.deinit_all();
  store.reset();
  logger->info("stopped");
  logger->flush();
  return kExitOk;
}

}  // namespace sb::app
