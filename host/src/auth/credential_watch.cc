#include "auth/credential_watch.h"

namespace sb::auth {

// Shared by the watch and its leases, so either may go first.
struct CredentialLease::Registry {
  std::mutex mu;
  std::multimap<int64_t, CredentialLease*> leases;
};

CredentialLease::CredentialLease(Key, std::shared_ptr<Registry> registry, int64_t id,
                                 std::function<bool()> recheck, std::chrono::milliseconds interval)
    : registry_(std::move(registry)),
      id_(id),
      recheck_(std::move(recheck)),
      interval_(interval),
      next_check_(std::chrono::steady_clock::now() + interval) {}

CredentialLease::~CredentialLease() {
  std::lock_guard lock(registry_->mu);
  auto [first, last] = registry_->leases.equal_range(id_);
  for (auto it = first; it != last; ++it) {
    if (it->second == this) {
      registry_->leases.erase(it);
      break;
    }
  }
}

bool CredentialLease::valid() {
  if (revoked_.load(std::memory_order_acquire)) return false;
  if (!recheck_) return true;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return true;
  next_check_ = now + interval_;
  if (!recheck_()) revoked_.store(true, std::memory_order_release);
  return !revoked_.load(std::memory_order_acquire);
}

CredentialWatch::CredentialWatch() : registry_(std::make_shared<CredentialLease::Registry>()) {}

std::unique_ptr<CredentialLease> CredentialWatch::hold(int64_t id, std::function<bool()> recheck,
                                                       std::chrono::milliseconds interval) {
  auto lease = std::make_unique<CredentialLease>(CredentialLease::Key(), registry_, id,
                                                 std::move(recheck), interval);
  std::lock_guard lock(registry_->mu);
  registry_->leases.emplace(id, lease.get());
  return lease;
}

void CredentialWatch::revoke(int64_t id) {
  std::lock_guard lock(registry_->mu);
  auto [first, last] = registry_->leases.equal_range(id);
  for (auto it = first; it != last; ++it)
    it->second->revoked_.store(true, std::memory_order_release);
}

size_t CredentialWatch::holders(int64_t id) const {
  std::lock_guard lock(registry_->mu);
  return registry_->leases.count(id);
}

}  // namespace sb::auth
