// The inbound rules of the unified core, run by the store inside the transaction that inserts the
// message (install with StoreOptions::inbound_resolver), so a group-commit batch stays one
// transaction and a redelivered message, which the store dedupes first, changes nothing.
//
// For each new message:
//  1. the sender address becomes an identity (address.h); an unknown identity creates a contact
//     named after from_name; a known contact without a name takes the first from_name it gets;
//  2. a quoted reference ("SB-7K3Q9X", checked by its check character) of a conversation of the
//     same contact on the same channel instance attaches the message there, re-opening it;
//  3. otherwise the latest conversation of (contact, instance) takes it: open/pending stays
//  (pending
//     becomes open), resolved re-opens when it was resolved at most reopen_horizon ago;
//  4. otherwise a new conversation opens, its reference drawn from a CSPRNG (retried on collision).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "conversations/clock.h"
#include "store/model.h"

namespace sb::conversations {

// Draws a uniformly random 64-bit value from the kernel CSPRNG (getrandom).
uint64_t csprng_u64();

// Opens a conversation of (contact, instance, business address; "" = not tied to one) under a fresh
// reference number drawn from `random`, redrawn on collision up to `attempts` times (then
// kUnavailable). Inbound messages and business-initiated conversations
// (ConversationService::start_conversation) both open them so.
sb::Result<int64_t> open_with_reference(store::ModelTxn& txn, int64_t contact_id,
                                        std::string_view instance_id,
                                        std::string_view business_address,
                                        const std::function<uint64_t()>& random, int attempts,
                                        std::string& reference, int64_t now);

struct ResolverOptions {
  std::string default_region;  // for national phone numbers, e.g. "DE"; empty = none
  std::chrono::milliseconds reopen_horizon = std::chrono::hours(24 * 7);
  Clock clock = system_clock_ms;
  std::function<uint64_t()> random = csprng_u64;  // reference numbers; injectable for tests
  int reference_attempts = 16;                    // draws before giving up (kUnavailable)
};

class IngestResolver final : public store::InboundResolver {
 public:
  explicit IngestResolver(ResolverOptions options);

  sb::Result<store::InboundResolution> resolve(store::ModelTxn& txn,
                                               const store::InboundMessage& message,
                                               int64_t message_id) override;

 private:
  sb::Result<int64_t> resolve_contact(store::ModelTxn& txn, const store::InboundMessage& m,
                                      store::InboundResolution& out, int64_t now);
  sb::Result<std::optional<store::Conversation>> quoted_conversation(store::ModelTxn& txn,
                                                                     const store::InboundMessage& m,
                                                                     int64_t contact_id);
  sb::Result<int64_t> open_conversation(store::ModelTxn& txn, int64_t contact_id,
                                        std::string_view instance_id,
                                        std::string_view business_address, std::string& reference,
                                        int64_t now);

  ResolverOptions options_;
};

}  // namespace sb::conversations
