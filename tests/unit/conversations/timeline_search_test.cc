#include <set>

#include "fixture.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace sb::conversations {
namespace {

using testing::kHour;
using testing::kStart;
using testing::ModelTest;

class TimelineSearchTest : public ModelTest {};

store::SearchQuery query(std::string text, int64_t contact_id = 0, std::string instance_id = {},
                         int64_t from_ms = 0, int64_t to_ms = 0, int limit = 50) {
  store::SearchQuery q;
  q.text = std::move(text);
  q.contact_id = contact_id;
  q.instance_id = std::move(instance_id);
  q.from_ms = from_ms;
  q.to_ms = to_ms;
  q.limit = limit;
  return q;
}

TEST_F(TimelineSearchTest, Fts5IsAvailableAndIndexed) {
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM pragma_compile_options WHERE compile_options = "
                    "'ENABLE_FTS5'"),
            1);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_fts'"), 1);
}

TEST_F(TimelineSearchTest, TimelinePagesAcrossChannelsNewestFirstAndStableUnderInserts) {
  // Seven messages of one person over WhatsApp, SMS and an agent's reply, plus someone else's.
  std::vector<int64_t> ids;
  int64_t contact = 0, wa_conv = 0;
  for (int i = 0; i < 6; ++i) {
    advance(1000);
    auto r = i % 2 ? ingest(msg("sms", "s" + std::to_string(i), "+4915112345678", "phone"))
                   : ingest(msg("wa", "w" + std::to_string(i), "4915112345678", "whatsapp_id"));
    ids.push_back(r.message_id);
    contact = r.resolution.contact_id;
    if (i == 0) wa_conv = r.resolution.conversation_id;
  }
  ingest(msg("wa", "other", "4917000000001", "whatsapp_id"));
  advance(1000);
  store::OutboundMessage reply;
  reply.instance_id = "wa";
  reply.to = "4915112345678";
  reply.text = "agent reply";
  auto out = store_->insert_outbound(reply);
  ASSERT_TRUE(out.is_ok());
  ASSERT_TRUE(service_->link_outbound(*out, wa_conv, store::OutboundSender::kAgent).is_ok());
  EXPECT_EQ(conversation(wa_conv).first_response_at_ms, now());
  ids.push_back(*out);

  std::vector<int64_t> seen;
  auto page = service_->timeline(contact, "", 3);
  ASSERT_TRUE(page.is_ok());
  for (const auto& m : page->messages) seen.push_back(m.id);
  ASSERT_FALSE(page->next_cursor.empty());

  // New messages arrive between pages: they belong before the first page, never on later ones.
  advance(1000);
  auto late = ingest(msg("wa", "late", "4915112345678", "whatsapp_id"));
  std::string cursor = page->next_cursor;
  while (!cursor.empty()) {
    page = service_->timeline(contact, cursor, 3);
    ASSERT_TRUE(page.is_ok()) << page.status().message();
    for (const auto& m : page->messages) seen.push_back(m.id);
    cursor = page->next_cursor;
  }
  const std::vector<int64_t> newest_first(ids.rbegin(), ids.rend());
  EXPECT_EQ(seen, newest_first);

  auto first = service_->timeline(contact, "", 100);
  ASSERT_TRUE(first.is_ok());
  EXPECT_EQ(first->messages.front().id, late.message_id);
  EXPECT_TRUE(first->next_cursor.empty());
  std::set<std::string> instances;
  for (const auto& m : first->messages) instances.insert(m.instance_id);
  EXPECT_EQ(instances, (std::set<std::string>{"sms", "wa"}));

  EXPECT_EQ(service_->timeline(contact, "garbage", 3).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->timeline(contact, "1.", 3).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->timeline(424242).status().code(), Code::kNotFound);
}

TEST_F(TimelineSearchTest, FirstResponseIsTheFirstAgentMessageNeverAnAutoReply) {
  auto in = ingest(msg("wa", "w1", "4915112345678", "whatsapp_id"));
  const int64_t conv = in.resolution.conversation_id;
  store::OutboundMessage out;
  out.instance_id = "wa";
  out.to = "4915112345678";
  auto link = [&](const std::string& text, store::OutboundSender sender) {
    out.text = text;
    auto id = store_->insert_outbound(out);
    EXPECT_TRUE(id.is_ok());
    EXPECT_TRUE(service_->link_outbound(*id, conv, sender).is_ok());
    return *id;
  };
  advance(1000);
  const int64_t welcome = link("Welcome!", store::OutboundSender::kAutomatic);
  advance(1000);
  link("We are closed.", store::OutboundSender::kAutomatic);
  // Linked (on the timeline), but the conversation still waits for its first response.
  auto stored = store_->get_message(welcome);
  ASSERT_TRUE(stored.is_ok() && stored->has_value());
  EXPECT_EQ((*stored)->conversation_id, conv);
  EXPECT_EQ(conversation(conv).first_response_at_ms, 0);

  advance(1000);
  const int64_t answered_at = now();
  link("Hi, Ann here.", store::OutboundSender::kAgent);
  EXPECT_EQ(conversation(conv).first_response_at_ms, answered_at);
  advance(1000);
  link("Anything else?", store::OutboundSender::kAgent);
  link("Keyword answer", store::OutboundSender::kAutomatic);
  EXPECT_EQ(conversation(conv).first_response_at_ms, answered_at);
}

TEST_F(TimelineSearchTest, TimelineOrdersByTimeThenId) {
  // Same millisecond on two channels: the id decides, and paging by one still sees both.
  auto a = ingest(msg("wa", "1", "4915112345678", "whatsapp_id"));
  auto b = ingest(msg("sms", "1", "+4915112345678", "phone"));
  auto p1 = service_->timeline(a.resolution.contact_id, "", 1);
  ASSERT_TRUE(p1.is_ok());
  ASSERT_EQ(p1->messages.size(), 1u);
  EXPECT_EQ(p1->messages[0].id, b.message_id);
  auto p2 = service_->timeline(a.resolution.contact_id, p1->next_cursor, 1);
  ASSERT_TRUE(p2.is_ok());
  ASSERT_EQ(p2->messages.size(), 1u);
  EXPECT_EQ(p2->messages[0].id, a.message_id);
  EXPECT_TRUE(p2->next_cursor.empty());
}

TEST_F(TimelineSearchTest, SearchFiltersByContactInstanceAndTime) {
  auto ann_wa = ingest(msg("wa", "1", "4915112345678", "whatsapp_id", "Where is my invoice?"));
  advance(kHour);
  auto ann_sms = ingest(msg("sms", "1", "+4915112345678", "phone", "INVOICE number 4711 please"));
  advance(kHour);
  auto bob = ingest(msg("wa", "2", "4917000000001", "whatsapp_id", "invoice for the café"));
  advance(kHour);
  ingest(msg("wa", "3", "4917000000001", "whatsapp_id", "nothing to see"));
  const int64_t ann = ann_wa.resolution.contact_id;

  auto ids = [](const std::vector<store::SearchHit>& hits) {
    std::vector<int64_t> out;
    for (const auto& h : hits) out.push_back(h.message.id);
    return out;
  };
  auto search = [&](store::SearchQuery q) {
    auto r = service_->search(q);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    return r.is_ok() ? ids(*r) : std::vector<int64_t>{};
  };

  EXPECT_EQ(search(query("invoice")),
            (std::vector<int64_t>{bob.message_id, ann_sms.message_id, ann_wa.message_id}));
  EXPECT_EQ(search(query("invoice", ann)),
            (std::vector<int64_t>{ann_sms.message_id, ann_wa.message_id}));
  EXPECT_EQ(search(query("invoice", 0, "wa")),
            (std::vector<int64_t>{bob.message_id, ann_wa.message_id}));
  EXPECT_EQ(search(query("invoice", ann, "wa")), (std::vector<int64_t>{ann_wa.message_id}));
  EXPECT_EQ(search(query("invoice", 0, "", kStart + kHour, kStart + 2 * kHour)),
            (std::vector<int64_t>{ann_sms.message_id}));
  EXPECT_EQ(search(query("invoice", 0, "", kStart + kHour)),
            (std::vector<int64_t>{bob.message_id, ann_sms.message_id}));
  // All words must match; diacritics fold; case folds.
  EXPECT_EQ(search(query("invoice 4711")), (std::vector<int64_t>{ann_sms.message_id}));
  EXPECT_EQ(search(query("CAFE")), (std::vector<int64_t>{bob.message_id}));
  EXPECT_EQ(search(query("invoice", 0, "", 0, 0, 1)), (std::vector<int64_t>{bob.message_id}));
  // Query syntax in user input is just text, never an error.
  EXPECT_EQ(search(query("\"invoice OR nothing*")), std::vector<int64_t>{});
  EXPECT_EQ(search(query("NEAR(invoice) AND")), std::vector<int64_t>{});

  auto hit = service_->search(query("4711"));
  ASSERT_TRUE(hit.is_ok() && hit->size() == 1);
  EXPECT_NE((*hit)[0].snippet.find("[4711]"), std::string::npos) << (*hit)[0].snippet;
  EXPECT_EQ((*hit)[0].message.contact_id, ann);

  EXPECT_EQ(service_->search(query("  ")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(service_->search(query(std::string(600, 'a'))).status().code(),
            Code::kResourceExhausted);
  EXPECT_EQ(service_->search(query("x", 0, "", 10, 5)).status().code(), Code::kInvalidArgument);
}

TEST_F(TimelineSearchTest, UpgradeFromV1IndexesOldMessages) {
  // A database as schema v1 left it, with a message written before the index existed.
  store_.reset();
  service_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  {
    store::sqlite::Db db;
    ASSERT_TRUE(db.open((dir_ / "sb.db").string()).is_ok());
    auto v = store::apply_migrations(db, store::builtin_migrations().first(1), "sb.db", kStart);
    ASSERT_TRUE(v.is_ok() && *v == 1);
    ASSERT_TRUE(db.exec("INSERT INTO messages (instance_id, direction, provider_message_id, "
                        "text, status, created_at_ms, updated_at_ms) "
                        "VALUES ('old', 'in', 'p1', 'legacy refund request', 3, 1, 1)")
                    .is_ok());
  }
  reopen();
  EXPECT_EQ(store_->schema_version(), store::latest_schema_version());
  auto hits = service_->search(query("refund"));
  ASSERT_TRUE(hits.is_ok()) << hits.status().message();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].message.contact_id, 0);  // v1 rows stay unlinked
  // The next message from the same (now resolvable) sender works as usual.
  auto r = ingest(msg("old", "p2", "+4915112345678", "phone", "refund again"));
  EXPECT_TRUE(r.resolution.opened_new);
  hits = service_->search(query("refund"));
  EXPECT_EQ(hits->size(), 2u);
}

}  // namespace
}  // namespace sb::conversations
