#include <thread>
#include <vector>

#include "contacts/reference.h"
#include "fixture.h"

namespace sb::conversations {
namespace {

using store::ConversationStatus;
using store::InsertOutcome;
using testing::kHour;
using testing::kStart;
using testing::ModelTest;

class ResolverTest : public ModelTest {};

TEST_F(ResolverTest, SamePhoneOnTwoInstancesIsOneContact) {
  auto wa = ingest(msg("wa-1", "w1", "4915112345678", "whatsapp_id", "hi", "Ann"));
  auto sms = ingest(msg("sms-1", "s1", "0151 12345678", "phone", "hi again"));
  ASSERT_EQ(wa.outcome, InsertOutcome::kStored);
  EXPECT_TRUE(wa.resolution.new_contact);
  EXPECT_FALSE(sms.resolution.new_contact);
  EXPECT_NE(wa.resolution.contact_id, 0);
  EXPECT_EQ(wa.resolution.contact_id, sms.resolution.contact_id);
  // One conversation per channel instance, each with its own reference.
  EXPECT_NE(wa.resolution.conversation_id, sms.resolution.conversation_id);
  EXPECT_TRUE(wa.resolution.opened_new && sms.resolution.opened_new);
  EXPECT_NE(wa.resolution.reference, sms.resolution.reference);
  EXPECT_TRUE(contacts::parse_reference(wa.resolution.reference).has_value());

  auto ids = service_->identities(wa.resolution.contact_id);
  ASSERT_TRUE(ids.is_ok());
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ((*ids)[0].kind, "phone");
  EXPECT_EQ((*ids)[0].address, "+4915112345678");
  EXPECT_EQ((*ids)[0].instance_id, "wa-1");
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM contacts"), 1);

  auto found = service_->find_contact("+49 151 12345678", "phone");
  ASSERT_TRUE(found.is_ok() && found->has_value());
  EXPECT_EQ((*found)->id, wa.resolution.contact_id);

  // The message rows carry their links.
  auto stored = store_->get_message(sms.message_id);
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ((*stored)->contact_id, sms.resolution.contact_id);
  EXPECT_EQ((*stored)->conversation_id, sms.resolution.conversation_id);
}

TEST_F(ResolverTest, EmailIsCaseInsensitive) {
  auto a = ingest(msg("mail", "m1", "Ann@Example.ORG", "email"));
  auto b = ingest(msg("mail", "m2", "Ann Example <ann@example.org>", "email"));
  auto c = ingest(msg("mail", "m3", "bob@example.org", "email"));
  EXPECT_EQ(a.resolution.contact_id, b.resolution.contact_id);
  EXPECT_NE(a.resolution.contact_id, c.resolution.contact_id);
  EXPECT_EQ(a.resolution.conversation_id, b.resolution.conversation_id);
  EXPECT_FALSE(b.resolution.opened_new);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM identities WHERE address = 'ann@example.org'"), 1);
}

TEST_F(ResolverTest, DisplayNameComesFromTheFirstFromNameAndIsUpdatable) {
  auto first = ingest(msg("wa", "1", "4915112345678", "whatsapp_id", "x", ""));
  const int64_t id = first.resolution.contact_id;
  EXPECT_EQ((*service_->contact(id))->display_name, "");
  ingest(msg("wa", "2", "4915112345678", "whatsapp_id", "x", "Ann"));
  EXPECT_EQ((*service_->contact(id))->display_name, "Ann");
  ingest(msg("wa", "3", "4915112345678", "whatsapp_id", "x", "Someone Else"));
  EXPECT_EQ((*service_->contact(id))->display_name, "Ann");
  ASSERT_TRUE(service_->rename_contact(id, "Ann Example").is_ok());
  EXPECT_EQ((*service_->contact(id))->display_name, "Ann Example");
  EXPECT_EQ(service_->rename_contact(id, "").code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->rename_contact(id, std::string(300, 'x')).code(), Code::kResourceExhausted);
  EXPECT_EQ(service_->rename_contact(999, "x").code(), Code::kNotFound);
}

TEST_F(ResolverTest, ResolvedConversationReopensWithinTheHorizonAndNotAfter) {
  auto first = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  const int64_t conv = first.resolution.conversation_id;
  ASSERT_TRUE(service_->set_status(conv, ConversationStatus::kResolved).is_ok());
  EXPECT_EQ(conversation(conv).resolved_at_ms, now());

  advance(23 * kHour);  // inside the 24 h horizon
  auto again = ingest(msg("wa", "2", "4915112345678", "whatsapp_id"));
  EXPECT_EQ(again.resolution.conversation_id, conv);
  EXPECT_TRUE(again.resolution.reopened);
  EXPECT_FALSE(again.resolution.opened_new);
  auto c = conversation(conv);
  EXPECT_EQ(c.status, ConversationStatus::kOpen);
  EXPECT_EQ(c.opened_at_ms, now());
  EXPECT_EQ(c.resolved_at_ms, 0);
  EXPECT_EQ(c.last_message_at_ms, now());

  ASSERT_TRUE(service_->set_status(conv, ConversationStatus::kResolved).is_ok());
  advance(25 * kHour);  // past the horizon: a new matter
  auto later = ingest(msg("wa", "3", "4915112345678", "whatsapp_id"));
  EXPECT_NE(later.resolution.conversation_id, conv);
  EXPECT_TRUE(later.resolution.opened_new);
  EXPECT_FALSE(later.resolution.reopened);
  EXPECT_EQ(conversation(conv).status, ConversationStatus::kResolved);
  EXPECT_EQ(conversation(later.resolution.conversation_id).status, ConversationStatus::kOpen);
}

TEST_F(ResolverTest, PendingBecomesOpenWithoutCountingAsReopen) {
  auto first = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  const int64_t conv = first.resolution.conversation_id;
  advance(1000);
  ASSERT_TRUE(service_->set_status(conv, ConversationStatus::kPending).is_ok());
  EXPECT_EQ(conversation(conv).pending_at_ms, now());
  advance(30 * kHour);  // the horizon applies only to resolved conversations
  auto reply = ingest(msg("wa", "2", "4915112345678", "whatsapp_id"));
  EXPECT_EQ(reply.resolution.conversation_id, conv);
  EXPECT_FALSE(reply.resolution.reopened);
  EXPECT_EQ(conversation(conv).status, ConversationStatus::kOpen);
  EXPECT_EQ(conversation(conv).opened_at_ms, kStart);  // never closed, so not re-stamped
}

TEST_F(ResolverTest, StatusStampsAndAssignment) {
  auto r = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  const int64_t id = r.resolution.conversation_id;
  auto c = conversation(id);
  EXPECT_EQ(c.status, ConversationStatus::kOpen);
  EXPECT_EQ(c.opened_at_ms, kStart);
  EXPECT_FALSE(c.assignee.has_value() || c.queue.has_value());

  ASSERT_TRUE(service_->assign(id, "agent:kim", "billing").is_ok());
  c = conversation(id);
  EXPECT_EQ(c.assignee.value_or(""), "agent:kim");
  EXPECT_EQ(c.queue.value_or(""), "billing");
  ASSERT_TRUE(service_->assign(id, std::nullopt, "billing").is_ok());  // back to the queue
  c = conversation(id);
  EXPECT_FALSE(c.assignee.has_value());
  EXPECT_EQ(c.queue.value_or(""), "billing");
  EXPECT_EQ(service_->assign(id, "", std::nullopt).code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->assign(999, "a", std::nullopt).code(), Code::kNotFound);

  advance(1000);
  ASSERT_TRUE(service_->set_status(id, ConversationStatus::kResolved).is_ok());
  const int64_t resolved_at = now();
  advance(1000);
  ASSERT_TRUE(service_->set_status(id, ConversationStatus::kResolved).is_ok());
  EXPECT_EQ(conversation(id).resolved_at_ms, resolved_at);  // resolving again keeps the stamp
  advance(1000);
  ASSERT_TRUE(service_->set_status(id, ConversationStatus::kOpen).is_ok());
  c = conversation(id);
  EXPECT_EQ(c.opened_at_ms, now());
  EXPECT_EQ(c.resolved_at_ms, 0);
  EXPECT_EQ(service_->set_status(999, ConversationStatus::kOpen).code(), Code::kNotFound);
  EXPECT_EQ(service_->set_status(id, static_cast<ConversationStatus>(7)).code(),
            Code::kInvalidArgument);
  // Only outbound messages are linked by hand (inbound ones are resolved).
  EXPECT_EQ(service_->link_outbound(r.message_id, id, store::OutboundSender::kAgent).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->link_outbound(424242, id, store::OutboundSender::kAgent).code(),
            Code::kNotFound);
}

TEST_F(ResolverTest, QuotedReferenceOfTheSameContactAttaches) {
  auto old = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  const auto old_ref = old.resolution.reference;
  ASSERT_TRUE(
      service_->set_status(old.resolution.conversation_id, ConversationStatus::kResolved).is_ok());
  advance(48 * kHour);
  auto fresh = ingest(msg("wa", "2", "4915112345678", "whatsapp_id", "new question"));
  ASSERT_TRUE(fresh.resolution.opened_new);

  advance(1000);
  // Lower-case, with spaces: still found, and beats the open latest conversation.
  std::string typed = "about " + old_ref + " again";
  for (auto& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto quoted = ingest(msg("wa", "3", "4915112345678", "whatsapp_id", typed));
  EXPECT_EQ(quoted.resolution.conversation_id, old.resolution.conversation_id);
  EXPECT_EQ(quoted.resolution.reference, old_ref);
  EXPECT_TRUE(quoted.resolution.reopened);  // explicitly asked for, even past the horizon
  EXPECT_EQ(conversation(old.resolution.conversation_id).status, ConversationStatus::kOpen);

  // Another contact quoting it does not get in.
  auto stranger = ingest(msg("wa", "4", "4917000000001", "whatsapp_id", "ref " + old_ref));
  EXPECT_NE(stranger.resolution.conversation_id, old.resolution.conversation_id);
  EXPECT_TRUE(stranger.resolution.opened_new);

  // A reference with a wrong check character is not a reference.
  std::string broken = old_ref;
  broken.back() = broken.back() == '3' ? '4' : '3';
  auto typo = ingest(msg("wa", "5", "4915112345678", "whatsapp_id", "ref " + broken));
  // Not a reference: the most recently active conversation takes it (the quoted one, now).
  EXPECT_EQ(typo.resolution.conversation_id, old.resolution.conversation_id);
  advance(1000);
  auto plain = ingest(msg("wa", "6", "4915112345678", "whatsapp_id", "and another thing"));
  EXPECT_EQ(plain.resolution.conversation_id, old.resolution.conversation_id);
  auto by_ref = service_->find_by_reference(broken);
  EXPECT_EQ(by_ref.status().code(), Code::kInvalidArgument);
  auto good = service_->find_by_reference(old_ref);
  ASSERT_TRUE(good.is_ok() && good->has_value());
  EXPECT_EQ((*good)->id, old.resolution.conversation_id);
}

TEST_F(ResolverTest, QuotedReferenceFromAnotherInstanceDoesNotMoveTheConversation) {
  auto wa = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  auto sms = ingest(msg("sms", "1", "+4915112345678", "phone", "re " + wa.resolution.reference));
  EXPECT_NE(sms.resolution.conversation_id, wa.resolution.conversation_id);
  EXPECT_EQ(conversation(sms.resolution.conversation_id).instance_id, "sms");
}

TEST_F(ResolverTest, InvalidPhoneIsKeptAsAnInstanceScopedIdentity) {
  auto a = ingest(msg("sms-1", "1", "ACME", "phone", "Your parcel", "ACME"));
  auto b = ingest(msg("sms-1", "2", "ACME", "phone", "Delivered"));
  auto other = ingest(msg("sms-2", "1", "ACME", "phone"));
  ASSERT_EQ(a.outcome, InsertOutcome::kStored);
  EXPECT_NE(a.resolution.contact_id, 0);
  EXPECT_EQ(a.resolution.contact_id, b.resolution.contact_id);
  EXPECT_EQ(a.resolution.conversation_id, b.resolution.conversation_id);
  EXPECT_NE(a.resolution.contact_id, other.resolution.contact_id);
  auto ids = service_->identities(a.resolution.contact_id);
  ASSERT_TRUE(ids.is_ok() && ids->size() == 1);
  EXPECT_EQ((*ids)[0].kind, "unparsed-phone");
  EXPECT_EQ((*ids)[0].address, "sms-1|ACME");
  auto stored = store_->get_message(a.message_id);
  EXPECT_EQ((*stored)->text, "Your parcel");
  EXPECT_EQ((*stored)->conversation_id, a.resolution.conversation_id);
}

TEST_F(ResolverTest, DuplicateInboundChangesNothing) {
  auto first = ingest(msg("wa", "dup", "4915112345678", "whatsapp_id", "hello", "Ann"));
  const auto conv_before = conversation(first.resolution.conversation_id);
  const int64_t commits = static_cast<int64_t>(store_->commit_count());
  auto counts = [&] {
    return std::vector<int64_t>{
        sql_int("SELECT COUNT(*) FROM contacts"),
        sql_int("SELECT COUNT(*) FROM identities"),
        sql_int("SELECT COUNT(*) FROM conversations"),
        sql_int("SELECT COUNT(*) FROM messages"),
        sql_int("SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'hello'"),
        sql_int("SELECT MAX(updated_at_ms) FROM contacts")};
  };
  const auto before = counts();

  advance(kHour);
  auto m = msg("wa", "dup", "4915112345678", "whatsapp_id", "hello changed", "Other");
  auto again = ingest(m);
  EXPECT_EQ(again.outcome, InsertOutcome::kDuplicate);
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(again.resolution.contact_id, first.resolution.contact_id);
  EXPECT_EQ(again.resolution.conversation_id, first.resolution.conversation_id);
  EXPECT_EQ(again.resolution.reference, first.resolution.reference);
  EXPECT_FALSE(again.resolution.opened_new || again.resolution.reopened ||
               again.resolution.new_contact);
  EXPECT_EQ(counts(), before);
  const auto conv_after = conversation(first.resolution.conversation_id);
  EXPECT_EQ(conv_after.updated_at_ms, conv_before.updated_at_ms);
  EXPECT_EQ(conv_after.last_message_at_ms, conv_before.last_message_at_ms);
  EXPECT_EQ((*service_->contact(first.resolution.contact_id))->display_name, "Ann");
  EXPECT_EQ(static_cast<int64_t>(store_->commit_count()), commits + 1);  // an empty commit only

  // Redelivered while the conversation is resolved: it does not re-open.
  ASSERT_TRUE(service_->set_status(first.resolution.conversation_id, ConversationStatus::kResolved)
                  .is_ok());
  EXPECT_EQ(ingest(m).outcome, InsertOutcome::kDuplicate);
  EXPECT_EQ(conversation(first.resolution.conversation_id).status, ConversationStatus::kResolved);
}

// Every draw collides with the first conversation's reference until the fourth.
class CollidingRandomTest : public ModelTest {
 protected:
  ResolverOptions resolver_options() override {
    auto o = ModelTest::resolver_options();
    o.reference_attempts = limit_;
    o.random = [draws = draws_]() -> uint64_t { return ++*draws <= 4 ? 42 : *draws; };
    return o;
  }
  std::shared_ptr<int> draws_ = std::make_shared<int>(0);
  int limit_ = 16;
};

TEST_F(CollidingRandomTest, ReferenceIsRedrawnOnCollision) {
  auto a = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  auto b = ingest(msg("wa", "2", "4917000000001", "whatsapp_id"));
  EXPECT_EQ(a.resolution.reference, contacts::make_reference(42));
  EXPECT_NE(b.resolution.reference, a.resolution.reference);
  EXPECT_EQ(b.resolution.reference, contacts::make_reference(5));  // draws 2..4 collided
  EXPECT_EQ(*draws_, 5);
}

class ExhaustedRandomTest : public CollidingRandomTest {
 protected:
  ResolverOptions resolver_options() override {
    limit_ = 2;
    return CollidingRandomTest::resolver_options();
  }
};

TEST_F(ExhaustedRandomTest, NoFreeReferenceFailsTheWholeBatch) {
  ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  const store::InboundMessage batch[] = {msg("wa", "2", "4915112345678", "whatsapp_id"),
                                         msg("wa", "3", "4917000000001", "whatsapp_id")};
  auto r = store_->insert_inbound_resolved(batch);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM messages"), 1);  // rolled back, nothing half-stored
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM contacts"), 1);
}

TEST_F(ResolverTest, GroupCommitResolvesInTheBatchTransaction) {
  auto inner = std::move(store_);
  service_.reset();
  auto store = store::make_group_commit_store(std::move(inner));
  ASSERT_NE(store->model(), nullptr);
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto m = msg(t % 2 ? "wa" : "sms", std::to_string(t) + "-" + std::to_string(i),
                     t % 2 ? "4915112345678" : "+49 151 12345678", t % 2 ? "wa_id" : "phone");
        auto r = store->insert_inbound_resolved(std::span<const store::InboundMessage>(&m, 1));
        ASSERT_TRUE(r.is_ok()) << r.status().message();
        EXPECT_NE(r->front().resolution.conversation_id, 0);
      }
    });
  }
  threads.clear();
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM contacts"), 1);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM conversations"), 2);  // one per instance
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM messages WHERE conversation_id IS NULL"), 0);
  // The plain insert_inbound path resolves too.
  auto m = msg("sms", "plain", "+4915112345678", "phone");
  auto r = store->insert_inbound(std::span<const store::InboundMessage>(&m, 1));
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM messages WHERE provider_message_id = 'plain' AND "
                    "conversation_id IS NOT NULL"),
            1);
}

}  // namespace
}  // namespace sb::conversations
