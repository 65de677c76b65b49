#include "events/webhooks.h"

#include <algorithm>

#include <Poco/Exception.h>
#include <Poco/HMACEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/NullStream.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "config/config.h"
#include "log/log.h"

namespace sb::events {
namespace {

// HMACEngine needs the block and digest sizes as members; SHA2Engine does not declare them.
class Sha256 : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256() : Poco::SHA2Engine(SHA_256) {}
};

constexpr std::string_view kTypes[] = {
    "message.created",     "message.status",    "conversation.created", "conversation.assigned",
    "conversation.status", "conversation.read", "conversation.handover"};

Status field_error(size_t i, std::string_view field, std::string_view what) {
  return invalid_argument("webhooks[" + std::to_string(i) + "]." + std::string(field) + ": " +
                          std::string(what));
}

bool retryable(int status) {
  return status >= 500 || status == 408 || status == 429;
}

}  // namespace

Result<std::vector<Webhook>> parse_webhooks(std::string_view json_array) {
  std::vector<Webhook> out;
  if (json_array.empty()) return out;
  Poco::JSON::Array::Ptr arr;
  try {
    auto v = Poco::JSON::Parser().parse(std::string(json_array));
    arr = v.extract<Poco::JSON::Array::Ptr>();
  } catch (const Poco::Exception&) {
    return invalid_argument("webhooks: expected an array of objects");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    auto obj = arr->getObject(static_cast<unsigned>(i));
    if (!obj) return invalid_argument("webhooks[" + std::to_string(i) + "]: expected an object");
    for (const auto& name : obj->getNames()) {
      if (name != "url" && name != "secret" && name != "events") {
        return field_error(i, name, "unknown key");
      }
    }
    Webhook hook;
    if (!obj->has("url") || !obj->get("url").isString()) return field_error(i, "url", "required");
    hook.url = obj->getValue<std::string>("url");
    try {
      Poco::URI uri(hook.url);
      if (uri.getScheme() != "http" || uri.getHost().empty()) {
        return field_error(i, "url", "must be an http:// URL");
      }
    } catch (const Poco::Exception&) {
      return field_error(i, "url", "not a URL");
    }
    if (!obj->has("secret") || !obj->get("secret").isString()) {
      return field_error(i, "secret", "required (env:NAME, file:PATH or literal:VALUE)");
    }
    auto secret = config::resolve_secret({obj->getValue<std::string>("secret")});
    if (!secret) return field_error(i, "secret", secret.status().message());
    if (secret->empty()) return field_error(i, "secret", "is empty");
    hook.secret = std::move(secret).value();
    if (obj->has("events")) {
      auto types = obj->getArray("events");
      if (!types) return field_error(i, "events", "expected an array of event types");
      for (size_t k = 0; k < types->size(); ++k) {
        auto t = types->get(static_cast<unsigned>(k));
        std::string type = t.isString() ? t.extract<std::string>() : std::string();
        if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
          return field_error(i, "events", "unknown event type \"" + type + "\"");
        }
        hook.events.push_back(std::move(type));
      }
    }
    out.push_back(std::move(hook));
  }
  return out;
}

std::vector<Subscription> subscriptions(const std::vector<Webhook>& hooks) {
  std::vector<Subscription> subs;
  for (const auto& h : hooks) subs.push_back({h.url, h.events});
  return subs;
}

std::string webhook_signature(std::string_view secret, std::string_view timestamp,
                              std::string_view body) {
  Poco::HMACEngine<Sha256> hmac{std::string(secret)};
  hmac.update(timestamp.data(), static_cast<unsigned>(timestamp.size()));
  hmac.update('.');
  hmac.update(body.data(), static_cast<unsigned>(body.size()));
  return "sha256=" + Poco::DigestEngine::digestToHex(hmac.digest());
}

WebhookDispatcher::WebhookDispatcher(std::shared_ptr<EventLog> log, std::vector<Webhook> hooks,
                                     WebhookOptions options)
    : log_(std::move(log)), hooks_(std::move(hooks)), options_(options) {}

WebhookDispatcher::~WebhookDispatcher() {
  stop();
}

void WebhookDispatcher::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || hooks_.empty()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto n = run_once();
      if (!n) sb::log::logger("webhooks")->error("dispatch: {}", n.status().message());
      lock.lock();
      if (n && *n > 0) continue;  // maybe more due
      wake_.wait_for(lock, options_.poll, [this] { return stopping_; });
    }
  });
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::vector<WebhookDispatcher::Due>> WebhookDispatcher::due(int64_t now_ms) {
  auto lock = log_->lock();
  auto q = log_->db().prepare(
      "SELECT d.id, d.event_id, d.attempts, d.delivery_id, d.url, e.type, e.created_at_ms, "
      "e.data_json FROM webhook_deliveries d JOIN events e ON e.id = d.event_id "
      "WHERE d.state = 'pending' AND d.next_attempt_ms <= ? ORDER BY d.next_attempt_ms, d.id "
      "LIMIT ?");
  if (!q) return q.status();
  (*q)->bind(1, now_ms).bind(2, static_cast<int64_t>(options_.batch));
  std::vector<Due> out;
  int rc;
  while ((rc = (*q)->step()) == SQLITE_ROW) {
    Due d{(*q)->int64(0),
          (*q)->int64(1),
          (*q)->int64(2),
          (*q)->text(3),
          (*q)->text(4),
          (*q)->text(5),
          {}};
    d.body = "{\"id\":" + std::to_string(d.event_id) + ",\"type\":\"" + d.type +
             "\",\"created_at_ms\":" + std::to_string((*q)->int64(6)) +
             ",\"data\":" + (*q)->text(7) + "}";
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return log_->db().error("due deliveries", rc);
  return out;
}

Result<int> WebhookDispatcher::run_once() {
  auto rows = due(log_->now_ms());
  if (!rows) return rows.status();
  for (const Due& d : *rows) {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && thread_.joinable()) break;
    }
    attempt(d);
  }
  return static_cast<int>(rows->size());
}

void WebhookDispatcher::attempt(const Due& d) {
  auto hook =
      std::find_if(hooks_.begin(), hooks_.end(), [&](const Webhook& h) { return h.url == d.url; });
  int status = 0;
  std::string error;
  if (hook == hooks_.end()) {
    error = "no webhook configured for this URL any more";
  } else {
    const std::string ts = std::to_string(log_->now_ms() / 1000);
    try {
      Poco::URI uri(d.url);
      Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
      const auto timeout = hook->timeout.count() > 0 ? hook->timeout : options_.timeout;
      session.setTimeout(Poco::Timespan(timeout.count() * 1000));
      std::string path = uri.getPathAndQuery();
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path.empty() ? "/" : path,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setContentType("application/json");
      req.setContentLength64(static_cast<Poco::Int64>(d.body.size()));
      req.set("User-Agent", "switchboard-webhooks");
      req.set("X-Switchboard-Event", d.type);
      req.set("X-Switchboard-Delivery", d.delivery_id);
      req.set("X-Switchboard-Timestamp", ts);
      req.set("X-Switchboard-Signature", webhook_signature(hook->secret, ts, d.body));
      session.sendRequest(req) << d.body;
      Poco::Net::HTTPResponse resp;
      std::istream& in = session.receiveResponse(resp);
      Poco::NullOutputStream sink;
      Poco::StreamCopier::copyStream(in, sink);
      status = static_cast<int>(resp.getStatus());
    } catch (const Poco::Exception& e) {
      error = e.displayText();
    }
  }
  const int64_t attempts = d.attempts + 1;
  const bool ok = status >= 200 && status < 300;
  const int max_attempts =
      hook != hooks_.end() && hook->max_attempts > 0 ? hook->max_attempts : options_.max_attempts;
  const bool again =
      !ok && hook != hooks_.end() && (status == 0 || retryable(status)) && attempts < max_attempts;
  const int64_t now = log_->now_ms();
  int64_t delay = options_.base_backoff.count();
  for (int64_t i = 1; i < attempts && delay < options_.max_backoff.count(); ++i) delay *= 2;
  delay = std::min<int64_t>(delay, options_.max_backoff.count());
  const std::string state = ok ? "delivered" : again ? "pending" : "failed";
  if (!ok) {
    if (error.empty()) error = "HTTP " + std::to_string(status);
    sb::log::logger("webhooks")
        ->warn("delivery {} of event {} to {}: {} (attempt {}, {})", d.delivery_id, d.event_id,
               d.url, error, attempts, state);
  }
  auto lock = log_->lock();
  auto u = log_->db().prepare(
      "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_ms = ?, "
      "last_status = ?, last_error = ?, updated_at_ms = ? WHERE id = ?");
  if (!u) return;
  (*u)->bind(1, state).bind(2, attempts).bind(3, now + delay).bind(4, static_cast<int64_t>(status));
  (*u)->bind(5, error).bind(6, now).bind(7, d.row);
  if (int rc = (*u)->step(); rc != SQLITE_DONE) {
    sb::log::logger("webhooks")
        ->error("delivery {}: cannot record attempt: {}", d.delivery_id,
                log_->db().error("update", rc).message());
  }
}

}  // namespace sb::events
