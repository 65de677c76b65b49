#include "conversations/ingest_resolver.h"

#include <sys/random.h>

#include <cerrno>
#include <random>

#include "contacts/reference.h"
#include "conversations/address.h"

namespace sb::conversations {

using store::Conversation;
using store::ConversationStatus;

uint64_t csprng_u64() {
  uint64_t value = 0;
  auto* p = reinterpret_cast<unsigned char*>(&value);
  size_t got = 0;
  while (got < sizeof value) {
    ssize_t n = ::getrandom(p + got, sizeof value - got, 0);
    if (n < 0 && errno == EINTR) continue;
    // Only a kernel without getrandom (pre-3.17) gets here; random_device reads /dev/urandom.
    if (n < 0) return (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    got += static_cast<size_t>(n);
  }
  return value;
}

IngestResolver::IngestResolver(ResolverOptions options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = system_clock_ms;
  if (!options_.random) options_.random = csprng_u64;
  if (options_.reference_attempts < 1) options_.reference_attempts = 1;
}

sb::Result<store::InboundResolution> IngestResolver::resolve(store::ModelTxn& txn,
                                                             const store::InboundMessage& m,
                                                             int64_t message_id) {
  const int64_t now = options_.clock();
  store::InboundResolution out;
  auto contact = resolve_contact(txn, m, out, now);
  if (!contact) return contact.status();
  out.contact_id = *contact;

  auto quoted = quoted_conversation(txn, m, out.contact_id);
  if (!quoted) return quoted.status();
  std::optional<Conversation> target = std::move(*quoted);
  if (!target) {
    auto latest = txn.latest_conversation(out.contact_id, m.instance_id, m.to);
    if (!latest) return latest.status();
    target = std::move(*latest);
    const auto horizon = options_.reopen_horizon.count();
    if (target && target->status == ConversationStatus::kResolved &&
        now - target->resolved_at_ms > horizon) {
      target.reset();  // resolved too long ago: this is a new matter
    }
  }

  if (target) {
    out.conversation_id = target->id;
    out.reference = target->reference;
    if (target->status != ConversationStatus::kOpen) {
      out.reopened = target->status == ConversationStatus::kResolved;
      if (auto st = txn.reopen_conversation(target->id, out.reopened, now); !st) return st;
    }
  } else {
    auto id = open_conversation(txn, out.contact_id, m.instance_id, m.to, out.reference, now);
    if (!id) return id.status();
    out.conversation_id = *id;
    out.opened_new = true;
  }
  if (auto st = txn.link_message(message_id, out.conversation_id, now); !st) return st;
  return out;
}

sb::Result<int64_t> IngestResolver::resolve_contact(store::ModelTxn& txn,
                                                    const store::InboundMessage& m,
                                                    store::InboundResolution& out, int64_t now) {
  const IdentityKey key = identity_for(m.from, m.from_kind, m.instance_id, options_.default_region);
  auto found = txn.find_identity(key.kind, key.address);
  if (!found) return found.status();
  if (*found) {
    const int64_t contact_id = (*found)->contact_id;
    if (auto st = txn.fill_display_name(contact_id, m.from_name, now); !st) return st;
    return contact_id;
  }
  auto contact_id = txn.create_contact(m.from_name, now);
  if (!contact_id) return contact_id.status();
  auto identity = txn.add_identity(*contact_id, key.kind, key.address, m.instance_id, now);
  if (!identity) return identity.status();
  out.new_contact = true;
  return contact_id;
}

sb::Result<std::optional<Conversation>> IngestResolver::quoted_conversation(
    store::ModelTxn& txn, const store::InboundMessage& m, int64_t contact_id) {
  const auto reference = contacts::find_reference(m.text);
  if (!reference) return std::optional<Conversation>();
  auto conv = txn.conversation_by_reference(*reference);
  if (!conv) return conv.status();
  // Someone else's reference must not let a stranger write into that conversation, and a
  // conversation stays on one channel instance and business number (replies go out where it
  // lives).
  if (!*conv || (*conv)->contact_id != contact_id || (*conv)->instance_id != m.instance_id ||
      (!(*conv)->business_address.empty() && (*conv)->business_address != m.to)) {
    return std::optional<Conversation>();
  }
  return conv;
}

sb::Result<int64_t> open_with_reference(store::ModelTxn& txn, int64_t contact_id,
                                        std::string_view instance_id,
                                        std::string_view business_address,
                                        const std::function<uint64_t()>& random, int attempts,
                                        std::string& reference, int64_t now) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    reference = contacts::make_reference(random());
    auto id = txn.create_conversation(contact_id, instance_id, business_address, reference, now);
    if (id || id.status().code() != Code::kAlreadyExists) return id;
  }
  reference.clear();
  return unavailable("no free conversation reference after " + std::to_string(attempts) + " draws");
}

sb::Result<int64_t> IngestResolver::open_conversation(store::ModelTxn& txn, int64_t contact_id,
                                                      std::string_view instance_id,
                                                      std::string_view business_address,
                                                      std::string& reference, int64_t now) {
  return open_with_reference(txn, contact_id, instance_id, business_address, options_.random,
                             options_.reference_attempts, reference, now);
}

}  // namespace sb::conversations
