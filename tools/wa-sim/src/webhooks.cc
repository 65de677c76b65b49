#include "webhooks.h"

#include <Poco/HMACEngine.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/SHA2Engine.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <map>

namespace wasim {

namespace {

// HMACEngine needs the block and digest sizes as members; SHA2Engine does not declare them.
class Sha256 : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256() : Poco::SHA2Engine(SHA_256) {}
};

constexpr size_t kMaxLog = 100000;
constexpr size_t kMaxPayloadBytes = 3 * 1024 * 1024;  // Meta's cap, docs/whatsapp-cloud-api.md §4.2

std::string pathAndQuery(const Poco::URI& uri) {
  std::string p = uri.getPathAndQuery();
  return p.empty() ? "/" : p;
}

}  // namespace

bool isLoopbackUrl(const std::string& url) {
  try {
    Poco::URI uri(url);
    return uri.getScheme() == "http" && uri.getHost() == "127.0.0.1" && uri.getPort() != 0;
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::string hmacSha256Hex(const std::string& key, const std::string& data) {
  Poco::HMACEngine<Sha256> hmac(key);
  hmac.update(data);
  return Poco::DigestEngine::digestToHex(hmac.digest());
}

bool verifyCallback(const std::string& url, const std::string& verify_token,
                    const std::string& challenge, int64_t timeout_ms) {
  if (!isLoopbackUrl(url)) return false;
  try {
    Poco::URI uri(url);
    uri.addQueryParameter("hub.mode", "subscribe");
    uri.addQueryParameter("hub.challenge", challenge);
    uri.addQueryParameter("hub.verify_token", verify_token);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(timeout_ms * 1000));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, pathAndQuery(uri),
                               Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
    return resp.getStatus() == Poco::Net::HTTPResponse::HTTP_OK && body == challenge;
  } catch (const Poco::Exception&) {
    return false;
  }
}

void Dispatcher::start() {
  int n = 0;
  {
    std::lock_guard lock(mu_);
    n = std::max(1, cfg_.workers);
  }
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void Dispatcher::configure(const WebhookConfig& cfg) {
  std::lock_guard lock(mu_);
  cfg_ = cfg;
}

WebhookConfig Dispatcher::config() {
  std::lock_guard lock(mu_);
  return cfg_;
}

void Dispatcher::enqueue(Update u, int64_t due_ms) {
  {
    std::lock_guard lock(mu_);
    if (cfg_.batch_max > 1) due_ms += cfg_.batch_window_ms;
    if (cfg_.shuffle && cfg_.shuffle_window_ms > 0)
      due_ms += static_cast<int64_t>(ids_.below(static_cast<uint64_t>(cfg_.shuffle_window_ms)));
    Job job;
    job.url = u.url;
    job.due_ms = due_ms;
    job.updates.push_back(std::move(u));
    jobs_.push_back(std::move(job));
  }
  cv_.notify_all();
}

void Dispatcher::clear() {
  std::lock_guard lock(mu_);
  jobs_.clear();
  log_ = newArr();
}

Arr Dispatcher::log() {
  std::lock_guard lock(mu_);
  return deepCopyArr(log_);
}

std::optional<Dispatcher::Job> Dispatcher::takeDue(std::unique_lock<std::mutex>& lock) {
  (void)lock;
  const int64_t now = clock_.nowMs();
  std::vector<size_t> due;
  for (size_t i = 0; i < jobs_.size(); ++i)
    if (jobs_[i].due_ms <= now) due.push_back(i);
  if (due.empty()) return std::nullopt;
  size_t pick = due.front();
  if (cfg_.shuffle) {
    pick = due[ids_.below(due.size())];
  } else {
    for (size_t i : due)
      if (jobs_[i].due_ms < jobs_[pick].due_ms) pick = i;
  }
  Job job = std::move(jobs_[pick]);
  jobs_.erase(jobs_.begin() + static_cast<std::ptrdiff_t>(pick));
  // Batching: fold other fresh, due updates for the same URL into this first attempt.
  if (!job.body && cfg_.batch_max > 1) {
    size_t bytes = 0;
    for (const auto& u : job.updates) bytes += dump(u.value).size();
    for (size_t i = 0; i < jobs_.size() && job.updates.size() < size_t(cfg_.batch_max);) {
      auto& other = jobs_[i];
      const bool candidate =
          !other.body && other.url == job.url && other.due_ms <= now + cfg_.batch_window_ms;
      const size_t more = candidate ? dump(other.updates.front().value).size() : 0;
      if (candidate && bytes + more <= kMaxPayloadBytes) {
        bytes += more;
        for (auto& u : other.updates) job.updates.push_back(std::move(u));
        jobs_.erase(jobs_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  if (!job.body) seal(job);
  return job;
}

void Dispatcher::seal(Job& job) {
  // One entry per WABA in order of first appearance, one change per update.
  std::vector<std::string> order;
  std::map<std::string, Arr> changes;
  std::map<std::string, bool> with_time;
  for (const auto& u : job.updates) {
    if (!changes.count(u.waba_id)) {
      order.push_back(u.waba_id);
      changes[u.waba_id] = newArr();
    }
    auto change = newObj();
    change->set("value", u.value);
    change->set("field", u.field);
    changes[u.waba_id]->add(change);
    with_time[u.waba_id] = with_time[u.waba_id] || u.with_time;
  }
  auto entries = newArr();
  for (const auto& waba : order) {
    auto entry = newObj();
    entry->set("id", waba);
    if (with_time[waba]) entry->set("time", clock_.nowSec());
    entry->set("changes", changes[waba]);
    entries->add(entry);
  }
  auto payload = newObj();
  payload->set("object", "whatsapp_business_account");
  payload->set("entry", entries);
  job.body = dump(payload, cfg_.meta_escaping);
  job.signature = "sha256=" + hmacSha256Hex(cfg_.app_secret, *job.body);
  job.first_attempt_ms = clock_.nowMs();
}

void Dispatcher::work() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto job = takeDue(lock);
    if (!job) {
      cv_.wait_for(lock, std::chrono::milliseconds(10));
      continue;
    }
    const int64_t timeout_ms = cfg_.timeout_ms;
    lock.unlock();
    int status = 0;
    std::string error;
    const auto started = std::chrono::steady_clock::now();
    if (job->url.empty()) {
      error = "no callback URL configured";
    } else if (!isLoopbackUrl(job->url)) {
      error = "refused: callback URL is not http://127.0.0.1";
    } else {
      try {
        Poco::URI uri(job->url);
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setTimeout(Poco::Timespan(timeout_ms * 1000));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, pathAndQuery(uri),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(job->body->size()));
        req.set("X-Hub-Signature-256", job->signature);
        req.set("User-Agent", "facebookexternalua");
        session.sendRequest(req) << *job->body;
        Poco::Net::HTTPResponse resp;
        std::string ignored;
        Poco::StreamCopier::copyToString(session.receiveResponse(resp), ignored);
        status = resp.getStatus();
      } catch (const Poco::Exception& e) {
        error = e.displayText();
      }
    }
    const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    lock.lock();
    finish(std::move(*job), status, error, latency);
  }
}

void Dispatcher::finish(Job job, int http_status, const std::string& error, int64_t latency_ms) {
  const int64_t now = clock_.nowMs();
  ++job.attempts;
  const bool ok = http_status >= 200 && http_status < 300;
  const bool permanent = job.url.empty() || !isLoopbackUrl(job.url);
  std::string outcome = ok ? "delivered" : "retrying";
  if (!ok) {
    const int64_t backoff = cfg_.retry_base_ms << std::min(job.attempts - 1, 30);
    const int64_t next = now + backoff;
    if (permanent || next - job.first_attempt_ms > cfg_.retry_horizon_ms) outcome = "dropped";
    job.due_ms = next;
  }
  auto entry = newObj();
  entry->set("seq", static_cast<int64_t>(seq_++));
  entry->set("url", job.url);
  entry->set("attempt", job.attempts);
  entry->set("http_status", http_status);
  if (!error.empty()) entry->set("error", error);
  entry->set("outcome", outcome);
  entry->set("duplicate", job.duplicate);
  entry->set("updates", static_cast<int64_t>(job.updates.size()));
  entry->set("at_ms", now);
  entry->set("latency_ms", latency_ms);  // how long the receiver took to answer
  entry->set("signature", job.signature);
  entry->set("body", *job.body);
  if (log_->size() < kMaxLog) log_->add(entry);

  if (ok && !job.duplicate && cfg_.duplicate_probability > 0 &&
      ids_.uniform() < cfg_.duplicate_probability) {
    Job dup = job;  // same bytes, same ids: a redelivery the receiver must treat as a no-op
    dup.duplicate = true;
    dup.attempts = 0;
    dup.due_ms = now + 50;
    dup.first_attempt_ms = now;
    jobs_.push_back(std::move(dup));
  }
  if (outcome == "retrying") jobs_.push_back(std::move(job));
}

}  // namespace wasim
