#include "faults.hpp"

#include "config.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace loopback {

using switchboard::Error;

namespace {

constexpr std::array<std::pair<std::string_view, FaultKind>, 6> kKinds{{
    {"transient", FaultKind::kTransient},
    {"rate_limited", FaultKind::kRateLimited},
    {"rejected", FaultKind::kRejected},
    {"auth", FaultKind::kAuth},
    {"slow", FaultKind::kSlow},
    {"pending", FaultKind::kPending},
}};

std::optional<FaultKind> kind_from(std::string_view name) {
  for (const auto& [n, k] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

bool is_failure(FaultKind k) {
  return k != FaultKind::kSlow && k != FaultKind::kPending;
}

std::optional<Fault> parse_fault(const json::Value& v, const std::string& at, InputError& err) {
  ObjectReader r(v, at, err);
  r.only({"kind", "message", "retry_after_ms", "delay_ms", "provider_code", "complete_with",
          "complete_first"});
  Fault f;
  std::optional<std::string> kind = r.str("kind", true, false);
  if (!r.ok()) return std::nullopt;
  std::optional<FaultKind> k = kind_from(*kind);
  if (!k) {
    r.fail("kind", "must be transient, rate_limited, rejected, auth, slow or pending");
    return std::nullopt;
  }
  f.kind = *k;
  f.message = r.str("message", false).value_or("injected " + *kind);
  f.retry_after = std::chrono::milliseconds(r.integer("retry_after_ms", 0, 0, kMaxDelayMs));
  f.delay = std::chrono::milliseconds(r.integer("delay_ms", 0, 0, kMaxDelayMs));
  f.provider_code = r.str("provider_code", false).value_or("");
  if (std::optional<std::string> then = r.str("complete_with", false)) {
    std::optional<FaultKind> c = kind_from(*then);
    if (f.kind != FaultKind::kPending) {
      r.fail("complete_with", "only for kind \"pending\"");
    } else if (!c || !is_failure(*c)) {
      r.fail("complete_with", "must be transient, rate_limited, rejected or auth");
    } else {
      f.complete_with = c;
    }
  }
  f.complete_first = r.boolean("complete_first", false);
  if (f.complete_first && f.kind != FaultKind::kPending) {
    r.fail("complete_first", "only for kind \"pending\"");
  }
  if (!r.ok()) return std::nullopt;
  return f;
}

}  // namespace

std::string_view kind_name(FaultKind kind) {
  for (const auto& [n, k] : kKinds) {
    if (k == kind) return n;
  }
  return "unknown";
}

Error fault_error(FaultKind kind, const Fault& fault) {
  Error e;
  switch (kind) {
    case FaultKind::kTransient:
      e = Error::transient(fault.message, fault.retry_after);
      break;
    case FaultKind::kRateLimited:
      e = Error::rate_limited(fault.message, fault.retry_after);
      break;
    case FaultKind::kRejected:
      e = Error::rejected(fault.message);
      break;
    case FaultKind::kAuth:
      e = Error::auth(fault.message);
      break;
    case FaultKind::kSlow:
    case FaultKind::kPending:
      e = Error::internal("not a failure: " + std::string(kind_name(kind)));
      break;
  }
  e.provider_code = fault.provider_code;
  return e;
}

std::optional<std::vector<Fault>> parse_faults(const json::Value& doc, InputError& err) {
  ObjectReader top(doc, "", err);
  top.only({"next", "match_to"});
  std::string match_to = top.str("match_to", false).value_or("");
  const json::Value* next = top.find("next");
  if (!top.ok()) return std::nullopt;
  if (next == nullptr || !next->is_array()) {
    top.fail("next", "must be an array of faults");
    return std::nullopt;
  }
  if (next->items().size() > kMaxQueuedFaults) {
    top.fail("next", "at most " + std::to_string(kMaxQueuedFaults) + " faults");
    return std::nullopt;
  }
  std::vector<Fault> faults;
  for (std::size_t i = 0; i < next->items().size(); ++i) {
    std::optional<Fault> f = parse_fault(next->items()[i], path("next", i), err);
    if (!f) return std::nullopt;
    f->match_to = match_to;
    faults.push_back(std::move(*f));
  }
  return faults;
}

bool FaultQueue::push(std::vector<Fault> faults) {
  if (queue_.size() + faults.size() > kMaxQueuedFaults) return false;
  for (auto& f : faults) queue_.push_back(std::move(f));
  return true;
}

std::optional<Fault> FaultQueue::take(std::string_view to) {
  auto it = std::find_if(queue_.begin(), queue_.end(),
                         [&](const Fault& f) { return f.match_to.empty() || f.match_to == to; });
  if (it == queue_.end()) return std::nullopt;
  Fault f = std::move(*it);
  queue_.erase(it);
  return f;
}

json::Value FaultQueue::to_json() const {
  json::Value list = json::Value::array();
  for (const Fault& f : queue_) {
    json::Value item = json::Value::object()
                           .set("kind", json::Value(kind_name(f.kind)))
                           .set("message", json::Value(f.message))
                           .set("retry_after_ms", json::Value(f.retry_after.count()))
                           .set("delay_ms", json::Value(f.delay.count()))
                           .set("provider_code", json::Value(f.provider_code))
                           .set("complete_first", json::Value(f.complete_first))
                           .set("match_to", json::Value(f.match_to));
    if (f.complete_with) item.set("complete_with", json::Value(kind_name(*f.complete_with)));
    list.push(std::move(item));
  }
  return list;
}

}  // namespace loopback
