#include <chrono>
#include <future>
#include <thread>

#include "events/publish.h"
#include "events/sse.h"
#include "events_fixture.h"

namespace sb::events::test {
namespace {

using namespace std::chrono_literals;

TEST_F(EventsTest, AppendsAreReadBackInOrderAfterAnId) {
  auto log = open_log();
  ASSERT_TRUE(log);
  auto a = log->append("message.created", R"({"message_id":1})");
  auto b = log->append("conversation.created", R"({"conversation_id":2})");
  auto c = log->append("message.status", R"({"message_id":1,"status":"read"})");
  ASSERT_TRUE(a && b && c);
  EXPECT_LT(*a, *b);
  EXPECT_LT(*b, *c);

  auto all = log->after(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].type, "conversation.created");
  EXPECT_EQ((*all)[1].data_json, R"({"conversation_id":2})");
  EXPECT_GT((*all)[0].created_at_ms, 0);

  auto tail = log->after(*a, 1);
  ASSERT_TRUE(tail);
  ASSERT_EQ(tail->size(), 1u);
  EXPECT_EQ((*tail)[0].id, *b);
  EXPECT_EQ(log->last_id(), *c);
}

TEST_F(EventsTest, ReopenedLogContinuesAfterTheLastId) {
  int64_t first = 0;
  {
    auto log = open_log();
    auto id = log->append("message.created", "{}");
    ASSERT_TRUE(id);
    first = *id;
  }
  auto log = open_log();
  EXPECT_EQ(log->last_id(), first);
  auto id = log->append("message.created", "{}");
  ASSERT_TRUE(id);
  EXPECT_GT(*id, first);
}

TEST_F(EventsTest, WaitWakesOnAppendAndOnClose) {
  auto log = open_log();
  EXPECT_FALSE(log->wait_after(0, 20ms));  // nothing yet: times out
  auto waiter = std::async(std::launch::async, [&] { return log->wait_after(0, 10s); });
  std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(log->append("message.created", "{}"));
  EXPECT_EQ(waiter.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(waiter.get());

  auto idle = std::async(std::launch::async, [&] { return log->wait_after(log->last_id(), 10s); });
  std::this_thread::sleep_for(20ms);
  log->close();
  EXPECT_EQ(idle.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(idle.get());
  EXPECT_TRUE(log->closed());
}

TEST_F(EventsTest, SubscriptionsGetADeliveryRowPerWantedEvent) {
  auto log =
      open_log({{"http://127.0.0.1:1/all", {}}, {"http://127.0.0.1:1/status", {"message.status"}}});
  ASSERT_TRUE(log->append("message.created", "{}"));
  ASSERT_TRUE(log->append("message.status", "{}"));
  auto lock = log->lock();
  auto q = log->db().prepare(
      "SELECT url, COUNT(*), COUNT(DISTINCT delivery_id) FROM webhook_deliveries GROUP BY url "
      "ORDER BY url");
  ASSERT_TRUE(q);
  ASSERT_EQ((*q)->step(), SQLITE_ROW);
  EXPECT_EQ((*q)->text(0), "http://127.0.0.1:1/all");
  EXPECT_EQ((*q)->int64(1), 2);
  EXPECT_EQ((*q)->int64(2), 2);
  ASSERT_EQ((*q)->step(), SQLITE_ROW);
  EXPECT_EQ((*q)->text(0), "http://127.0.0.1:1/status");
  EXPECT_EQ((*q)->int64(1), 1);
  EXPECT_EQ((*q)->step(), SQLITE_DONE);
}

TEST(SseFormat, OneFieldPerLineAndMultiLineDataSplit) {
  EXPECT_EQ(format_sse({7, "message.created", 1, R"({"a":1})"}),
            "id: 7\nevent: message.created\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(format_sse({8, "x", 1, "{\n\"a\":1\n}"}),
            "id: 8\nevent: x\ndata: {\ndata: \"a\":1\ndata: }\n\n");
}

TEST_F(EventsTest, StreamRefusesBadResumeIdsAndTooManyStreams) {
  auto log = open_log();
  EventStream stream(log, SseOptions{std::chrono::milliseconds(50), 16, 1});
  http::Request bad;
  bad.headers.emplace_back("Last-Event-ID", "x7");
  EXPECT_EQ(stream.handle(bad).status, 400);

  http::Request ok;
  auto first = stream.handle(ok);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.content_type, "text/event-stream");
  ASSERT_TRUE(first.stream);
  EXPECT_EQ(stream.active(), 1);
  EXPECT_EQ(stream.handle(ok).status, 503);
  first = http::Response{};  // dropping the unstarted stream frees its slot
  EXPECT_EQ(stream.active(), 0);
  EXPECT_EQ(stream.handle(ok).status, 200);
}

}  // namespace
}  // namespace sb::events::test

namespace sb::events::test {
namespace {

TEST_F(EventsTest, PublishersWriteTheDocumentedShapes) {
  auto log = open_log();
  store::InboundMessage m;
  m.instance_id = "wa";
  m.content_type = "text";
  store::InboundResult r;
  r.message_id = 11;
  r.resolution.contact_id = 3;
  r.resolution.conversation_id = 4;
  r.resolution.opened_new = true;
  publish_inbound(*log, m, r);
  publish_assigned(*log, 4, std::nullopt, "sales", "routing:waiting");
  store::DeliveryUpdate u;
  u.instance_id = "wa";
  u.message_id = 12;
  u.status = store::DeliveryStatus::kRead;
  u.timestamp_ms = 99;
  publish_delivery(*log, u);

  auto all = log->after(0, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].type, "conversation.created");
  EXPECT_NE((*all)[0].data_json.find(R"("conversation_id":4)"), std::string::npos);
  EXPECT_EQ((*all)[1].type, "message.created");
  EXPECT_NE((*all)[1].data_json.find(R"("direction":"inbound")"), std::string::npos);
  EXPECT_NE((*all)[1].data_json.find(R"("message_id":11)"), std::string::npos);
  EXPECT_EQ((*all)[2].type, "conversation.assigned");
  EXPECT_NE((*all)[2].data_json.find(R"("agent_id":null)"), std::string::npos);
  EXPECT_EQ((*all)[3].type, "message.status");
  EXPECT_NE((*all)[3].data_json.find(R"("status":"read")"), std::string::npos);
}

}  // namespace
}  // namespace sb::events::test
