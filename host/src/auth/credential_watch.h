// Long-lived connections that hold a credential (an event stream opened with a bearer token)
// register here. Whoever revokes a credential or changes what it grants (a token revoked, its role
// changed, the account behind it disabled) signals revoke(id), and every connection holding it ends
// at its next check. A credential revoked by another process (the CLI writing the database while
// the daemon runs) is caught by each lease's periodic recheck against the store.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace sb::auth {

class CredentialWatch;

// One connection's hold on a credential; used from that connection's thread only (revoke() may
// come from any thread).
class CredentialLease {
  struct Key {
    explicit Key() = default;
  };
  struct Registry;
  friend class CredentialWatch;

 public:
  // Made by CredentialWatch::hold only (Key is private).
  CredentialLease(Key, std::shared_ptr<Registry> registry, int64_t id,
                  std::function<bool()> recheck, std::chrono::milliseconds interval);
  ~CredentialLease();
  CredentialLease(const CredentialLease&) = delete;
  CredentialLease& operator=(const CredentialLease&) = delete;

  // False for good once the credential was revoked in this process or the recheck (run from here
  // at most once per interval) said it no longer holds. Cheap between rechecks.
  bool valid();
  int64_t credential_id() const { return id_; }

 private:
  std::shared_ptr<Registry> registry_;
  int64_t id_;
  std::function<bool()> recheck_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point next_check_;
  std::atomic<bool> revoked_{false};
};

class CredentialWatch {
 public:
  CredentialWatch();
  // Registers a hold on credential `id` until the lease is destroyed. `recheck` (may be empty)
  // answers whether the credential still holds, from the store; a store error should answer true
  // (a transient failure must not end sessions).
  std::unique_ptr<CredentialLease> hold(
      int64_t id, std::function<bool()> recheck = {},
      std::chrono::milliseconds interval = std::chrono::seconds(1));
  // Ends every current lease on credential `id`.
  void revoke(int64_t id);
  // Leases currently held on `id`.
  size_t holders(int64_t id) const;

 private:
  std::shared_ptr<CredentialLease::Registry> registry_;
};

}  // namespace sb::auth
