// The SMPP protocol side of a session: binds and their answers, submits within the window,
// responses matched by sequence number, keepalive and response timers, and the state reported.
#include "session.hpp"

#include "session_internal.hpp"

#include <switchboard/abi.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sms {
namespace {

bool temporary(uint32_t st) {
  return st == status::kSysErr || st == status::kRxTAppn || st == status::kInvBndSts;
}

}  // namespace

Session::Session(SessionConfig config, SessionSink& sink)
    : config_(std::move(config)), sink_(sink) {
  for (int b = 0; b < std::max(1, config_.binds); ++b) {
    std::vector<uint32_t> kinds =
        config_.transceiver ? std::vector<uint32_t>{cmd::kBindTransceiver}
                            : std::vector<uint32_t>{cmd::kBindTransmitter, cmd::kBindReceiver};
    for (uint32_t k : kinds) {
      auto l = std::make_unique<Link>();
      l->index = static_cast<int>(links_.size());
      l->bind_cmd = k;
      l->rate = SubmitRate(config_.rate_per_bind);
      links_.push_back(std::move(l));
    }
  }
}

Session::~Session() {
  stop();
}

void Session::start() {
  if (thread_.joinable()) return;
  if (::pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) {
    log(SB_LOG_ERROR, std::string("cannot create the wake-up pipe: ") + std::strerror(errno));
    return;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Session::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  char c = 1;
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  thread_.join();
  for (int& fd : wake_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

bool Session::submit(SubmitJob job) {
  if (bound_tx_.load() == 0) return false;
  {
    std::lock_guard lock(mu_);
    incoming_.push_back(std::move(job));
    ++stats_.queued;
  }
  char c = 1;
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  return true;
}

SessionStats Session::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

uint32_t Session::next_seq(Link& l) {
  l.seq = l.seq >= 0x7FFFFFFF ? 1 : l.seq + 1;
  while (l.outstanding.count(l.seq) != 0) l.seq = l.seq >= 0x7FFFFFFF ? 1 : l.seq + 1;
  return l.seq;
}

void Session::send_pdu(Link& l, const std::string& bytes) {
  l.wbuf += bytes;
}

void Session::drop(Link& l, const std::string& why, int64_t now, int64_t retry_in_ms) {
  const bool was_bound = l.st == Link::St::kBound || l.st == Link::St::kUnbinding;
  if (l.fd >= 0) ::close(l.fd);
  l.fd = -1;
  if (was_bound && l.can_tx()) --bound_tx_;
  if (was_bound && now - l.bound_at >= 60'000) l.attempts = 0;
  for (auto& [seq, out] : l.outstanding) {
    if (!out.has_part || out.part.job->done) continue;
    SubmitOutcome o;
    o.kind = SubmitOutcome::Kind::kUnknown;
    o.detail = "submit_sm (part " + std::to_string(out.part.index + 1) + ", sequence " +
               std::to_string(seq) + ") was written but not answered before the session closed (" +
               why + "); the SMSC may have accepted it, so it is not sent again";
    finish(out.part.job, std::move(o));
  }
  l.outstanding.clear();
  l.submits_out = 0;
  l.enquire_deadline = 0;
  l.wbuf.clear();
  l.rbuf.clear();
  if (retry_in_ms < 0) {
    const int64_t cap = std::min<int64_t>(config_.reconnect_max_ms,
                                          config_.reconnect_min_ms << std::min(l.attempts, 16));
    std::uniform_int_distribution<int64_t> jitter(cap / 2, std::max<int64_t>(cap / 2, cap));
    retry_in_ms = jitter(rng_);
  }
  ++l.attempts;
  l.st = Link::St::kIdle;
  l.next_connect_at = now + retry_in_ms;
  {
    std::lock_guard lock(mu_);
    stats_.last_error = why;
    ++stats_.reconnects;
  }
  if (!stopping_) {
    log(SB_LOG_WARN, std::string(l.kind()) + " " + std::to_string(l.index) + " closed: " + why +
                         "; reconnecting in " + std::to_string(retry_in_ms) + " ms");
  }
  update_state();
}

void Session::finish(const std::shared_ptr<Job>& job, SubmitOutcome outcome) {
  if (job->done) return;
  job->done = true;
  {
    std::lock_guard lock(mu_);
    --stats_.queued;
    switch (outcome.kind) {
      case SubmitOutcome::Kind::kAccepted:
        ++stats_.accepted;
        break;
      case SubmitOutcome::Kind::kRejected:
        ++stats_.rejected;
        break;
      case SubmitOutcome::Kind::kUnknown:
        ++stats_.unknown;
        break;
      default:
        break;
    }
  }
  if (outcome.kind == SubmitOutcome::Kind::kAccepted) outcome.part_ids = job->ids;
  sink_.on_outcome(job->message_id, outcome);
}

void Session::fail_unbound_jobs() {
  std::deque<Part> keep;
  for (Part& p : ready_) {
    if (p.job->done) continue;
    if (p.job->accepted > 0) {  // partly accepted: ours to finish once a bind is back
      keep.push_back(std::move(p));
      continue;
    }
    SubmitOutcome o;
    o.kind = SubmitOutcome::Kind::kTransient;
    o.detail = "no SMPP transmitter is bound";
    finish(p.job, std::move(o));
  }
  ready_ = std::move(keep);
}

void Session::on_bind_resp(Link& l, const Pdu& pdu, int64_t now) {
  if (pdu.status == status::kOk) {
    l.st = Link::St::kBound;
    l.bound_at = now;
    l.last_rx = now;
    l.fail_reason.clear();
    l.rate.reset(now);
    if (l.can_tx()) ++bound_tx_;
    log(SB_LOG_INFO, std::string(l.kind()) + " " + std::to_string(l.index) + " bound to " +
                         config_.host + ":" + std::to_string(config_.port) + " as " +
                         config_.system_id);
    update_state();
    return;
  }
  const uint32_t st = pdu.status;
  std::string what = status_name(st);
  if (st == status::kInvPaswd) what += " (wrong password)";
  if (st == status::kInvSysId) what += " (unknown system_id)";
  l.fail_reason = "bind_" + std::string(l.kind()) + " refused by " + config_.host + ":" +
                  std::to_string(config_.port) + ": " + what;
  const bool auth = st == status::kInvPaswd || st == status::kInvSysId;
  drop(l, l.fail_reason, now, auth ? config_.auth_retry_ms : -1);
}

void Session::on_submit_resp(Link& l, Part part, const Pdu& pdu, int64_t now) {
  auto& job = part.job;
  if (job->done) return;
  const uint32_t st = pdu.status;
  if (st == status::kOk && pdu.command_id != cmd::kGenericNack) {
    auto id = decode_message_id(pdu.body);
    if (!id || id->empty()) {
      log(SB_LOG_WARN,
          "submit_sm_resp without a message_id for message " + std::to_string(job->message_id));
    }
    job->ids[part.index] = id.value_or("");
    ++job->accepted;
    if (part.index == 0) {
      for (std::size_t i = job->bodies.size(); i-- > 1;) ready_.push_front(Part{job, i});
    }
    if (job->accepted == job->bodies.size()) finish(job, SubmitOutcome{});
    return;
  }
  SubmitOutcome o;
  o.smpp_status = st;
  o.detail = command_name(pdu.command_id) + " " + status_name(st);
  if (st == status::kThrottled || st == status::kMsgQFul) {
    const int64_t pause =
        st == status::kThrottled ? config_.throttle_pause_ms : config_.queue_full_pause_ms;
    l.paused_until = now + pause;
    if (st == status::kThrottled) l.rate.throttled(now);
    {
      std::lock_guard lock(mu_);
      ++stats_.throttled;
    }
    if (part.index > 0) {  // accepted parts make the rest ours: resubmit after the pause
      ready_.push_front(part);
      return;
    }
    o.kind = SubmitOutcome::Kind::kRateLimited;
    o.retry_after_ms = pause;
  } else if (temporary(st)) {
    if (st == status::kInvBndSts) drop(l, "SMSC says the bind state is wrong", now, 0);
    if (part.index > 0) {
      l.paused_until = now + config_.throttle_pause_ms;
      ready_.push_front(part);
      return;
    }
    o.kind = SubmitOutcome::Kind::kTransient;
  } else {
    o.kind = SubmitOutcome::Kind::kRejected;
    if (part.index > 0) o.detail += " on part " + std::to_string(part.index + 1);
  }
  finish(job, std::move(o));
}

void Session::on_pdu(Link& l, Pdu& pdu, int64_t now) {
  l.last_rx = now;
  const uint32_t id = pdu.command_id;
  if ((id & cmd::kRespBit) != 0) {
    auto it = l.outstanding.find(pdu.sequence);
    if (it == l.outstanding.end() ||
        (id != cmd::kGenericNack && id != (it->second.command_id | cmd::kRespBit))) {
      log(SB_LOG_WARN, "unmatched " + command_name(id) + " sequence " +
                           std::to_string(pdu.sequence) + " dropped");
      return;
    }
    Link::Out out = std::move(it->second);
    l.outstanding.erase(it);
    if (id == cmd::kGenericNack) {
      std::lock_guard lock(mu_);
      ++stats_.generic_nacks;
    }
    switch (out.command_id) {
      case cmd::kSubmitSm:
        --l.submits_out;
        on_submit_resp(l, std::move(out.part), pdu, now);
        return;
      case cmd::kEnquireLink:
        l.enquire_deadline = 0;
        return;
      case cmd::kUnbind:
        drop(l, "unbound", now, stopping_ ? 0 : config_.reconnect_min_ms);
        return;
      default:
        on_bind_resp(l, pdu, now);
        return;
    }
  }
  switch (id) {
    case cmd::kEnquireLink:
      send_pdu(l, encode_header_only(id | cmd::kRespBit, 0, pdu.sequence));
      return;
    case cmd::kUnbind:
      send_pdu(l, encode_header_only(id | cmd::kRespBit, 0, pdu.sequence));
      flush(l);
      drop(l, "the SMSC unbound the session", now, config_.reconnect_min_ms);
      return;
    case cmd::kDeliverSm:
    case cmd::kDataSm: {
      const uint32_t resp = id | cmd::kRespBit;
      if (l.st != Link::St::kBound || !l.can_rx()) {
        send_pdu(l, encode_header_only(resp, status::kInvBndSts, pdu.sequence));
        return;
      }
      std::string err;
      auto sm = id == cmd::kDeliverSm ? decode_short_message(pdu.body, &err)
                                      : decode_data_sm(pdu.body, &err);
      uint32_t st = status::kInvMsgLen;
      if (!sm) {
        log(SB_LOG_WARN, "malformed " + command_name(id) + " (sequence " +
                             std::to_string(pdu.sequence) + "): " + err);
      } else {
        {
          std::lock_guard lock(mu_);
          ++stats_.delivered_pdus;
        }
        st = sink_.on_deliver(*sm, id);
      }
      send_pdu(l, encode(Pdu{resp, st, pdu.sequence,
                             st == status::kOk ? encode_message_id_body("") : std::string()}));
      return;
    }
    case cmd::kAlertNotification:
    case cmd::kOutbind:
      log(SB_LOG_DEBUG, "ignored " + command_name(id));
      return;
    default:
      log(SB_LOG_WARN, "unsupported " + command_name(id) + " answered with generic_nack");
      send_pdu(l, encode_header_only(cmd::kGenericNack, status::kInvCmdId, pdu.sequence));
      return;
  }
}

void Session::timers(Link& l, int64_t now) {
  if (l.st == Link::St::kIdle) {
    if (!stopping_ && now >= l.next_connect_at) connect(l, now);
    return;
  }
  if ((l.st == Link::St::kConnecting || l.st == Link::St::kBinding) && now >= l.bind_deadline) {
    drop(l, "no bind response within " + std::to_string(config_.bind_timeout_ms) + " ms", now);
    return;
  }
  if (l.st != Link::St::kBound) return;
  if (l.enquire_deadline != 0 && now >= l.enquire_deadline) {
    drop(l,
         "enquire_link not answered within " + std::to_string(config_.enquire_timeout_ms) + " ms",
         now);
    return;
  }
  if (l.enquire_deadline == 0 && now - l.last_rx >= config_.enquire_interval_ms) {
    const uint32_t seq = next_seq(l);
    l.outstanding[seq] = Link::Out{cmd::kEnquireLink, now + config_.enquire_timeout_ms, false, {}};
    l.enquire_deadline = now + config_.enquire_timeout_ms;
    send_pdu(l, encode_header_only(cmd::kEnquireLink, 0, seq));
  }
  for (auto it = l.outstanding.begin(); it != l.outstanding.end();) {
    if (it->second.has_part && now >= it->second.deadline) {
      --l.submits_out;
      SubmitOutcome o;
      o.kind = SubmitOutcome::Kind::kUnknown;
      o.detail = "no submit_sm_resp within " + std::to_string(config_.response_timeout_ms) +
                 " ms (sequence " + std::to_string(it->first) +
                 "); the SMSC may have accepted it, so it is not sent again";
      Part p = std::move(it->second.part);
      it = l.outstanding.erase(it);
      finish(p.job, std::move(o));
    } else {
      ++it;
    }
  }
}

void Session::dispatch(int64_t now) {
  {
    std::lock_guard lock(mu_);
    for (SubmitJob& j : incoming_) {
      auto job = std::make_shared<Job>();
      job->message_id = j.message_id;
      job->bodies = std::move(j.bodies);
      job->ids.resize(job->bodies.size());
      ready_.push_back(Part{std::move(job), 0});
    }
    incoming_.clear();
  }
  if (bound_tx_.load() == 0) {
    fail_unbound_jobs();
    return;
  }
  while (!ready_.empty()) {
    if (ready_.front().job->done) {
      ready_.pop_front();
      continue;
    }
    Link* chosen = nullptr;
    for (std::size_t k = 0; k < links_.size() && chosen == nullptr; ++k) {
      Link& l = *links_[(rr_ + k) % links_.size()];
      if (l.st != Link::St::kBound || !l.can_tx() || l.submits_out >= config_.window ||
          now < l.paused_until) {
        continue;
      }
      if (!l.rate.take(now)) continue;
      chosen = &l;
      rr_ = (rr_ + k + 1) % links_.size();
    }
    if (chosen == nullptr) return;
    Part p = std::move(ready_.front());
    ready_.pop_front();
    const uint32_t seq = next_seq(*chosen);
    send_pdu(*chosen, encode(Pdu{cmd::kSubmitSm, 0, seq, p.job->bodies[p.index]}));
    chosen->outstanding[seq] =
        Link::Out{cmd::kSubmitSm, now + config_.response_timeout_ms, true, std::move(p)};
    ++chosen->submits_out;
    std::lock_guard lock(mu_);
    ++stats_.submitted;
  }
}

void Session::update_state() {
  int bound = 0;
  std::string reason;
  for (const auto& l : links_) {
    if (l->st == Link::St::kBound) ++bound;
    if (!l->fail_reason.empty() && reason.empty()) reason = l->fail_reason;
  }
  int32_t state = SB_STATE_RUNNING;
  std::string last;
  {
    std::lock_guard lock(mu_);
    stats_.links = static_cast<int>(links_.size());
    stats_.bound = bound;
    last = stats_.last_error;
  }
  if (!reason.empty()) {
    state = SB_STATE_DEGRADED;
  } else if (bound < static_cast<int>(links_.size())) {
    state = bound > 0 ? SB_STATE_RUNNING : (last.empty() ? SB_STATE_STARTING : SB_STATE_DEGRADED);
    reason = std::to_string(bound) + " of " + std::to_string(links_.size()) + " binds up" +
             (last.empty() ? "" : "; last error: " + last);
  }
  if (stopping_ || (state == reported_state_ && reason == reported_reason_)) return;
  reported_state_ = state;
  reported_reason_ = reason;
  sink_.on_state(state, reason);
}

}  // namespace sms
