// /v1/agents, /v1/queues (CRUD for admins, reads for supervisors) and /v1/channels.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include "api/routes_common.h"

namespace sb::api {
namespace {

using auth::Role;

constexpr size_t kMaxId = 128, kMaxName = 256, kMaxOp = 64;
constexpr size_t kMaxSkills = 64, kMaxQueuesPerAgent = 256;

// Ids appear in URLs and in conversations.assignee/queue: keep them simple.
bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxId) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '@';
    if (!ok) return false;
  }
  return true;
}

Poco::JSON::Object agent_json(const Agent& a) {
  Poco::JSON::Object o;
  o.set("id", a.id);
  o.set("name", a.name);
  Poco::JSON::Parser parser;
  o.set("skills", parser.parse(a.skills_json));
  o.set("max_concurrent", a.max_concurrent);
  o.set("presence", a.presence);
  Poco::JSON::Array queues;
  for (const auto& q : a.queues) queues.add(q);
  o.set("queues", queues);
  o.set("created_at_ms", a.created_at_ms);
  o.set("updated_at_ms", a.updated_at_ms);
  return o;
}

std::string config_use(const ApiDeps& deps, std::string_view queue) {
  return deps.config_queue_use ? deps.config_queue_use(queue) : std::string();
}

// The routing configuration owns the queues it declares (written at every start) and needs the
// ones it names: the API may not change or delete those.
std::optional<http::Response> refuse_config_queue(const ApiDeps& deps, std::string_view id,
                                                  std::string_view what) {
  const std::string use = config_use(deps, id);
  if (use.empty()) return std::nullopt;
  return error_response(409, "failed_precondition",
                        "queue \"" + std::string(id) + "\" is " +
                            (use == "declared" ? "declared in" : "named by") +
                            " the routing section of the configuration: " + std::string(what) +
                            " it there and restart switchboard");
}

Poco::JSON::Object queue_json(const ApiDeps& deps, const Queue& q) {
  Poco::JSON::Object o;
  o.set("id", q.id);
  o.set("name", q.name);
  o.set("strategy", q.strategy);
  // "config": declared in the routing configuration, which owns it; "api": created through this
  // API.
  o.set("source", config_use(deps, q.id) == "declared" ? "config" : "api");
  o.set("created_at_ms", q.created_at_ms);
  o.set("updated_at_ms", q.updated_at_ms);
  return o;
}

std::string skills_text(const std::vector<std::string>& skills) {
  Poco::JSON::Array arr;
  for (const auto& s : skills) arr.add(s);
  std::ostringstream out;
  arr.stringify(out);
  return out.str();
}

http::Response list_agents(const ApiDeps& deps, const Call&) {
  auto agents = deps.api_store->agents();
  if (!agents) return status_response(agents.status());
  Poco::JSON::Array items;
  for (const auto& a : *agents) items.add(agent_json(a));
  Poco::JSON::Object body;
  body.set("items", items);
  return json_response(200, body);
}

http::Response get_agent(const ApiDeps& deps, const Call& call) {
  auto a = deps.api_store->agent(call.params[0]);
  if (!a) return status_response(a.status());
  if (!a->has_value()) return bad_id("agent");
  return json_response(200, agent_json(**a));
}

// POST creates (id in the body); PUT /{id} updates the fields given and keeps the rest.
http::Response put_agent(const ApiDeps& deps, const Call& call, bool create) {
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  Agent agent;
  if (create) {
    f.only({"id", "name", "skills", "max_concurrent", "presence", "queues"});
    auto id = f.string("id", true, kMaxId);
    if (id && !valid_id(*id)) return field_error("id", "may hold only letters, digits and -_.@");
    if (id) agent.id = *id;
  } else {
    f.only({"name", "skills", "max_concurrent", "presence", "queues"});
    auto existing = deps.api_store->agent(call.params[0]);
    if (!existing) return status_response(existing.status());
    if (!existing->has_value()) return bad_id("agent");
    agent = **existing;
  }
  if (auto v = f.string("name", false, kMaxName, true)) agent.name = *v;
  if (auto v = f.strings("skills", kMaxSkills, kMaxName)) agent.skills_json = skills_text(*v);
  if (auto v = f.integer("max_concurrent", false, 0, 1000)) agent.max_concurrent = *v;
  if (auto v = f.string("presence", false, 16)) {
    if (*v != "online" && *v != "away" && *v != "offline") {
      return field_error("presence", "must be online, away or offline");
    }
    agent.presence = *v;
  }
  if (auto v = f.strings("queues", kMaxQueuesPerAgent, kMaxId)) agent.queues = *v;
  if (!f.ok()) return f.error();
  if (Status s = deps.api_store->put_agent(agent, create); !s) {
    if (s.code() == Code::kInvalidArgument) return field_error("queues", s.message());
    return status_response(s);
  }
  if (deps.on_agents_changed) deps.on_agents_changed();
  auto saved = deps.api_store->agent(agent.id);
  if (!saved || !saved->has_value()) return status_response(saved.status());
  return json_response(create ? 201 : 200, agent_json(**saved));
}

http::Response delete_agent(const ApiDeps& deps, const Call& call) {
  if (Status s = deps.api_store->delete_agent(call.params[0]); !s) return status_response(s);
  if (deps.on_agents_changed) deps.on_agents_changed();
  return http::Response{204, "application/json", {}, ""};
}

http::Response list_queues(const ApiDeps& deps, const Call&) {
  auto queues = deps.api_store->queues();
  if (!queues) return status_response(queues.status());
  Poco::JSON::Array items;
  for (const auto& q : *queues) items.add(queue_json(deps, q));
  Poco::JSON::Object body;
  body.set("items", items);
  return json_response(200, body);
}

http::Response get_queue(const ApiDeps& deps, const Call& call) {
  auto q = deps.api_store->queue(call.params[0]);
  if (!q) return status_response(q.status());
  if (!q->has_value()) return bad_id("queue");
  return json_response(200, queue_json(deps, **q));
}

http::Response put_queue(const ApiDeps& deps, const Call& call, bool create) {
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  FieldReader f(std::get<JsonObject>(parsed));
  Queue queue;
  if (create) {
    f.only({"id", "name", "strategy"});
    auto id = f.string("id", true, kMaxId);
    if (id && !valid_id(*id)) return field_error("id", "may hold only letters, digits and -_.@");
    if (id) queue.id = *id;
  } else {
    f.only({"name", "strategy"});
    if (config_use(deps, call.params[0]) == "declared") {
      return *refuse_config_queue(deps, call.params[0], "change");
    }
    auto existing = deps.api_store->queue(call.params[0]);
    if (!existing) return status_response(existing.status());
    if (!existing->has_value()) return bad_id("queue");
    queue = **existing;
  }
  if (auto v = f.string("name", false, kMaxName, true)) queue.name = *v;
  if (auto v = f.string("strategy", false, 32)) {
    if (*v != "round_robin" && *v != "least_busy" && *v != "sticky") {
      return field_error("strategy", "must be round_robin, least_busy or sticky");
    }
    queue.strategy = *v;
  }
  if (!f.ok()) return f.error();
  if (Status s = deps.api_store->put_queue(queue, create); !s) return status_response(s);
  auto saved = deps.api_store->queue(queue.id);
  if (deps.on_queues_changed) deps.on_queues_changed();
  if (!saved || !saved->has_value()) return status_response(saved.status());
  return json_response(create ? 201 : 200, queue_json(deps, **saved));
}

http::Response delete_queue(const ApiDeps& deps, const Call& call) {
  if (auto refused = refuse_config_queue(deps, call.params[0], "remove")) return *refused;
  if (Status s = deps.api_store->delete_queue(call.params[0]); !s) return status_response(s);
  if (deps.on_queues_changed) deps.on_queues_changed();
  return http::Response{204, "application/json", {}, ""};
}

http::Response list_channels(const ApiDeps& deps, const Call&) {
  if (deps.channels == nullptr) return error_response(503, "unavailable", "no channels");
  Poco::JSON::Array items;
  for (const auto& c : deps.channels->list()) {
    Poco::JSON::Object o;
    o.set("id", c.id);
    o.set("plugin", c.plugin_id);
    o.set("plugin_version", c.plugin_version);
    o.set("kind", c.kind);
    o.set("state", c.state);
    o.set("state_reason", c.state_reason);
    Poco::JSON::Array caps;
    for (const auto& cap : c.capabilities) caps.add(cap);
    o.set("capabilities", caps);
    Poco::JSON::Object health;
    health.set("state", c.health_state);
    try {
      health.set("details", Poco::JSON::Parser().parse(c.health_json));
    } catch (const std::exception&) {
      health.set("details", c.health_json);  // a plugin's malformed JSON is shown, not trusted
    }
    o.set("health", health);
    items.add(o);
  }
  Poco::JSON::Object body;
  body.set("items", items);
  return json_response(200, body);
}

// Plugins name the offending input first ("pin: exactly 6 digits", "components[1].text: ...");
// the runtime puts "invoke <op>: SB_ERR_...: " before it. The error's `message` is the plugin's
// text without that, and the name its `field`, as the API's own validation errors have them.
http::Response op_error(const Status& status) {
  const std::string text = plugin_text(status.message());
  if (status.code() != Code::kInvalidArgument) return status_response({status.code(), text});
  const size_t colon = text.find(": ");
  const std::string_view name = std::string_view(text).substr(0, colon);
  const bool is_field =
      colon != std::string::npos && colon > 0 && colon <= 64 &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.[]") == std::string_view::npos;
  return error_response(400, "invalid_argument", text, is_field ? name : std::string_view());
}

http::Response channel_op(const ApiDeps& deps, const Call& call) {
  if (deps.channels == nullptr) return error_response(503, "unavailable", "no channels");
  const std::string& id = call.params[0];
  const std::string& op = call.params[1];
  if (!deps.channels->exists(id)) return bad_id("channel");
  if (op.size() > kMaxOp || !valid_id(op)) return error_response(404, "not_found", "bad op name");
  // The plugin parses its own input; the API only insists on a JSON object within the limit.
  auto parsed = parse_object_body(call.request, deps.options.max_body_bytes);
  if (auto* r = std::get_if<http::Response>(&parsed)) return std::move(*r);
  const std::string input = call.request.body.empty() ? "{}" : call.request.body;
  auto answer = deps.channels->invoke(id, op, input);
  if (!answer) return op_error(answer.status());
  http::Response r;
  r.body = *answer;
  return r;
}

}  // namespace

void add_admin_routes(ApiRouter& router, Deps deps) {
  auto bind = [deps](http::Response (*fn)(const ApiDeps&, const Call&)) {
    return [deps, fn](const Call& call) { return fn(*deps, call); };
  };
  router.add("GET", "/v1/agents", Role::kSupervisor, bind(list_agents));
  router.add("POST", "/v1/agents", Role::kAdmin,
             [deps](const Call& c) { return put_agent(*deps, c, true); });
  router.add("GET", "/v1/agents/{}", Role::kSupervisor, bind(get_agent));
  router.add("PUT", "/v1/agents/{}", Role::kAdmin,
             [deps](const Call& c) { return put_agent(*deps, c, false); });
  router.add("DELETE", "/v1/agents/{}", Role::kAdmin, bind(delete_agent));
  router.add("GET", "/v1/queues", Role::kSupervisor, bind(list_queues));
  router.add("POST", "/v1/queues", Role::kAdmin,
             [deps](const Call& c) { return put_queue(*deps, c, true); });
  router.add("GET", "/v1/queues/{}", Role::kSupervisor, bind(get_queue));
  router.add("PUT", "/v1/queues/{}", Role::kAdmin,
             [deps](const Call& c) { return put_queue(*deps, c, false); });
  router.add("DELETE", "/v1/queues/{}", Role::kAdmin, bind(delete_queue));
  router.add("GET", "/v1/channels", Role::kSupervisor, bind(list_channels));
  router.add("POST", "/v1/channels/{}/ops/{}", Role::kAdmin, bind(channel_op));
}

}  // namespace sb::api
