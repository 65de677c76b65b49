// REST API v1: contacts, conversations, messages, search, agents, queues and channels over the
// host's Router, with bearer tokens and roles (docs/openapi.json describes every route).
// Roles: agents see and act on conversations of their queues or assigned to them (an agent
// token's name is its agent id); supervisors on everything conversational; admins also on
// configuration (agents, queues, channel operations). A bot token's name is a bot queue's id: it
// may read, answer, resolve and hand over only the conversations that are with its bot
// (in its queue, unassigned, not resolved), and call no other route.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_store.h"
#include "api/media_cache.h"
#include "conversations/service.h"
#include "core/host_clock.h"
#include "core/status.h"
#include "http/router.h"
#include "store/store.h"

namespace sb::api {

// What the outbox answers for an enqueued message.
struct SendAccepted {
  int64_t message_id = 0;
  bool duplicate = false;  // the idempotency key was seen before: nothing new was queued
};
// Queues (or sends) one outbound message; the same idempotency key must give the same message.
using SendHook = std::function<Result<SendAccepted>(const store::OutboundMessage&)>;

// One channel instance as GET /v1/channels shows it.
struct ChannelInfo {
  std::string id, plugin_id, plugin_version, kind, state, state_reason;
  std::vector<std::string> capabilities;  // "send_text", "templates", ...
  int32_t health_state = 0;               // SB_STATE_*, 0 when the plugin gave none
  std::string health_json = "{}";
};

struct CanSendInfo {
  bool allowed = false;
  std::string mode;  // "free_text" | "template_only" | "blocked" | "unknown"
  int64_t expires_at_ms = 0;
  std::string reason;
};

// A provider-held file (an inbound attachment) fetched through its channel, or why not:
// http_status 0 on success, else the status the API answers with error_code/error_message
// (404 unknown channel, 409 channel not running, 501 channel cannot download, 502 the provider
// or the plugin failed, 504 the provider timed out).
struct MediaDownload {
  int http_status = 0;
  std::string error_code, error_message;
  std::string mime_type, sha256;  // as the channel checked them
  std::string bytes;
};

// The channels as the API needs them; the runtime implements it (runtime_channels.h), tests fake
// it.
class Channels {
 public:
  virtual ~Channels() = default;
  virtual std::vector<ChannelInfo> list() = 0;
  virtual bool exists(std::string_view instance_id) = 0;
  // A channel without can_send answers allowed, mode "unknown"; an error (not running, the
  // plugin's can_send failed) means the channel could not answer. payload_json is the message's
  // structured content (what the send would carry; empty for none), so the channel can judge it
  // (e.g. refuse a template it knows is not approved).
  virtual Result<CanSendInfo> can_send(std::string_view instance_id, std::string_view to,
                                       std::string_view from, std::string_view content_type,
                                       int64_t last_inbound_at_ms,
                                       std::string_view payload_json) = 0;
  virtual Result<std::string> invoke(std::string_view instance_id, std::string_view op,
                                     std::string_view json_in) = 0;
  // The channel's "media_download" op in its binary form (see docs/plugin-guide.md). The default
  // is a channel layer that cannot download media (501).
  virtual MediaDownload download_media(std::string_view instance_id, std::string_view media_id,
                                       size_t max_bytes);
  // Whether the channel marks messages read for the customer (SB_CAP_READ_RECEIPTS): the host
  // then calls its "mark_read" operation when an agent reads a conversation.
  virtual bool read_receipts(std::string_view /*instance_id*/) { return false; }
};

// Where POST /v1/conversations/{id}/handover moved a conversation.
struct HandoverOutcome {
  std::string from_queue, to_queue;
  std::optional<std::string> assignee;  // nullopt: waiting in to_queue
};
// kNotFound, kFailedPrecondition (not with a bot), kInvalidArgument (the queue).
using HandoverHook = std::function<Result<HandoverOutcome>(
    int64_t conversation_id, const std::optional<std::string>& queue, const std::string& actor,
    const std::string& note)>;

struct ApiOptions {
  size_t max_body_bytes = 64 * 1024;  // JSON bodies; 413 above (the server has its own cap too)
  size_t max_text_bytes = 16 * 1024;  // an outbound message's text
  int page_size = 50;                 // list endpoints
  // Attachment downloads; the plugin refuses larger files. The host's outbound HTTP delivers at
  // most 16 MiB to a plugin, so more would never arrive.
  size_t max_media_bytes = size_t{16} << 20;
  // POST /v1/channels/{id}/media; the HTTP server's http.max_body_bytes caps every body first.
  size_t max_upload_bytes = 100u << 20;
};

// Everything must outlive the router the routes are installed on.
struct ApiDeps {
  ApiStore* api_store = nullptr;
  store::Store* store = nullptr;
  conversations::ConversationService* conversations = nullptr;
  Channels* channels = nullptr;  // may be null: channel endpoints answer 503
  SendHook send;                 // may be empty: sends answer 503
  // Called after a change the API made has committed, with an event type (message.created,
  // conversation.assigned, conversation.status) and its JSON object; may be empty.
  std::function<void(std::string_view type, const std::string& data_json)> on_event;
  // Called after an agent was created, changed (presence, capacity, queues) or deleted, so the
  // router can hand waiting conversations to agents who now have room; may be empty.
  std::function<void()> on_agents_changed;
  // Set only when the configuration made the host clock controllable (testing): mounts
  // GET/POST /v1/admin/clock. on_clock_advanced runs after each move (may be empty).
  HostClock* clock = nullptr;
  // Where downloaded attachments are kept (may be null: every request asks the channel).
  MediaCache* media_cache = nullptr;
  std::function<void()> on_clock_advanced;
  // Whether a queue id names a bot queue of the routing config; empty: none does, and bot tokens
  // see nothing.
  std::function<bool(std::string_view queue)> is_bot_queue;
  // How the routing configuration uses a queue: "declared" (in its queues), "named" (as the
  // default queue or by a rule, a bot's handover) or "" (not at all; created through the API).
  // Such queues are listed with "source":"config", and only the configuration changes or deletes
  // them (409). Empty: no routing configuration.
  std::function<std::string(std::string_view queue)> config_queue_use;
  // Called after a queue was created, changed or deleted through the API, so routing uses it at
  // once; may be empty.
  std::function<void()> on_queues_changed;
  // Hands a conversation from its bot to humans and publishes the events; empty: 503.
  HandoverHook handover;
  ApiOptions options;
};

// Mounts every /v1/ route and GET /openapi.json.
void install_api_routes(http::Router& router, ApiDeps deps);

// The OpenAPI 3.0 document (docs/openapi.json, compiled in).
std::string_view openapi_document();

}  // namespace sb::api
