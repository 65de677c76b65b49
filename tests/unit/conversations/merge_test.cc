#include <algorithm>
#include <map>
#include <vector>

#include "fixture.h"

namespace sb::conversations {
namespace {

using testing::ModelTest;

struct Snapshot {
  std::vector<std::pair<std::string, std::string>> identities;
  std::vector<int64_t> conversations, messages;
  bool operator==(const Snapshot&) const = default;
};

class MergeTest : public ModelTest {
 protected:
  Snapshot snapshot(int64_t contact_id) {
    Snapshot s;
    // The Results are kept: `for (x : *temporary())` would iterate a destroyed temporary.
    auto identities = service_->identities(contact_id);
    auto conversations = service_->conversations_of(contact_id);
    EXPECT_TRUE(identities.is_ok() && conversations.is_ok());
    for (const auto& i : *identities) s.identities.emplace_back(i.kind, i.address);
    for (const auto& c : *conversations) s.conversations.push_back(c.id);
    auto page = store_->model()->timeline(contact_id, "", 500, std::nullopt);
    EXPECT_TRUE(page.is_ok());
    for (const auto& m : page->messages) s.messages.push_back(m.id);
    std::sort(s.messages.begin(), s.messages.end());
    return s;
  }
};

TEST_F(MergeTest, MergeThenUnmergeRestoresBothExactly) {
  // Ann writes on WhatsApp; "ann@example.org" is a second contact until an agent merges them.
  auto a1 = ingest(msg("wa", "a1", "4915112345678", "whatsapp_id", "one", "Ann"));
  advance(10);
  auto b1 = ingest(msg("mail", "b1", "ann@example.org", "email", "two", "Ann E."));
  advance(10);
  auto b2 = ingest(msg("mail", "b2", "ann@example.org", "email", "three"));
  advance(10);
  auto bob = ingest(msg("wa", "c1", "4917000000001", "whatsapp_id", "bob"));
  const int64_t ann = a1.resolution.contact_id, mail_ann = b1.resolution.contact_id;
  ASSERT_NE(ann, mail_ann);
  const Snapshot ann_before = snapshot(ann), mail_before = snapshot(mail_ann),
                 bob_before = snapshot(bob.resolution.contact_id);

  advance(1000);
  auto merge_id = service_->merge(ann, mail_ann, "agent:kim", "same person, confirmed by phone");
  ASSERT_TRUE(merge_id.is_ok()) << merge_id.status().message();
  const int64_t merged_at = now();

  // One contact, one timeline; the merged contact points at the survivor.
  auto merged = snapshot(ann);
  EXPECT_EQ(merged.identities.size(), 2u);
  EXPECT_EQ(merged.conversations.size(), 2u);
  EXPECT_EQ(merged.messages, (std::vector<int64_t>{a1.message_id, b1.message_id, b2.message_id}));
  EXPECT_EQ((*service_->contact(mail_ann))->merged_into, ann);
  EXPECT_EQ(snapshot(mail_ann), Snapshot{});
  auto via_old_id = service_->timeline(mail_ann);
  ASSERT_TRUE(via_old_id.is_ok());
  EXPECT_EQ(via_old_id->messages.size(), 3u);
  auto found = service_->find_contact("ANN@example.org", "email");
  EXPECT_EQ((*found)->id, ann);

  auto record = service_->merge_record(*merge_id);
  ASSERT_TRUE(record.is_ok() && record->has_value());
  EXPECT_EQ((*record)->survivor_id, ann);
  EXPECT_EQ((*record)->merged_id, mail_ann);
  EXPECT_EQ((*record)->actor, "agent:kim");
  EXPECT_EQ((*record)->reason, "same person, confirmed by phone");
  EXPECT_EQ((*record)->merged_at_ms, merged_at);
  EXPECT_EQ((*record)->moved_identities, 1);
  EXPECT_EQ((*record)->moved_conversations, 1);
  EXPECT_EQ((*record)->moved_messages, 2);

  // Life goes on after the merge: WhatsApp into the survivor's own conversation, e-mail into the
  // conversation that moved.
  advance(1000);
  auto a2 = ingest(msg("wa", "a2", "4915112345678", "whatsapp_id", "after merge"));
  auto b3 = ingest(msg("mail", "b3", "ann@example.org", "email", "mail after merge"));
  EXPECT_EQ(a2.resolution.contact_id, ann);
  EXPECT_EQ(b3.resolution.contact_id, ann);
  EXPECT_EQ(b3.resolution.conversation_id, b1.resolution.conversation_id);

  advance(1000);
  ASSERT_TRUE(service_->unmerge(*merge_id, "supervisor:lee").is_ok());

  // The merged contact is back with exactly its identities, conversations and messages (plus the
  // e-mail that arrived in its own conversation meanwhile); the survivor keeps its new message.
  Snapshot mail_after = mail_before;
  mail_after.messages.push_back(b3.message_id);
  EXPECT_EQ(snapshot(mail_ann), mail_after);
  Snapshot ann_after = ann_before;
  ann_after.messages.push_back(a2.message_id);
  EXPECT_EQ(snapshot(ann), ann_after);
  EXPECT_EQ(snapshot(bob.resolution.contact_id), bob_before);
  EXPECT_EQ((*service_->contact(mail_ann))->merged_into, 0);
  EXPECT_EQ(conversation(b1.resolution.conversation_id).contact_id, mail_ann);
  EXPECT_EQ((*service_->find_contact("ann@example.org", "email"))->id, mail_ann);

  record = service_->merge_record(*merge_id);
  EXPECT_EQ((*record)->unmerged_at_ms, now());
  EXPECT_EQ((*record)->unmerged_by, "supervisor:lee");

  // Once undone, it stays undone; new mail goes to the restored contact.
  EXPECT_EQ(service_->unmerge(*merge_id, "x").code(), Code::kFailedPrecondition);
  auto b4 = ingest(msg("mail", "b4", "ann@example.org", "email", "again"));
  EXPECT_EQ(b4.resolution.contact_id, mail_ann);
}

TEST_F(MergeTest, RefusesNonsense) {
  auto a = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  auto b = ingest(msg("wa", "2", "4917000000001", "whatsapp_id"));
  auto c = ingest(msg("wa", "3", "4917000000002", "whatsapp_id"));
  const int64_t A = a.resolution.contact_id, B = b.resolution.contact_id,
                C = c.resolution.contact_id;
  EXPECT_EQ(service_->merge(A, A, "x", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->merge(A, B, "", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->merge(A, 999, "x", "").status().code(), Code::kNotFound);
  EXPECT_EQ(service_->unmerge(999, "x").code(), Code::kNotFound);

  auto ab = service_->merge(A, B, "x", "");
  ASSERT_TRUE(ab.is_ok());
  // B is merged away: it can be neither side of another merge.
  EXPECT_EQ(service_->merge(B, C, "x", "").status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(service_->merge(C, B, "x", "").status().code(), Code::kFailedPrecondition);
  // A chain: A into C; undoing A<-B first would scatter rows, so it must wait.
  auto ca = service_->merge(C, A, "x", "");
  ASSERT_TRUE(ca.is_ok());
  EXPECT_EQ(*service_->current_contact(B), C);
  EXPECT_EQ(service_->unmerge(*ab, "x").code(), Code::kFailedPrecondition);
  ASSERT_TRUE(service_->unmerge(*ca, "x").is_ok());
  ASSERT_TRUE(service_->unmerge(*ab, "x").is_ok());
  EXPECT_EQ(snapshot(B).messages, std::vector<int64_t>{b.message_id});
  EXPECT_EQ(snapshot(A).messages, std::vector<int64_t>{a.message_id});
  EXPECT_EQ(snapshot(C).messages, std::vector<int64_t>{c.message_id});
  auto history = store_->model()->merges_of(A);
  ASSERT_TRUE(history.is_ok());
  EXPECT_EQ(history->size(), 2u);
}

}  // namespace
}  // namespace sb::conversations
