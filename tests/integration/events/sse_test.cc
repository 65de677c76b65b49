// GET /v1/events over the real HTTP server on 127.0.0.1: replay, live, resume with Last-Event-ID,
// heartbeats, authorization and a clean end at shutdown.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "api/api_store.h"
#include "auth/token.h"
#include "events/event_log.h"
#include "events/routes.h"
#include "events/sse.h"
#include "http/server.h"
#include "sse_client.h"
#include "store/store.h"

namespace sb::events::test {
namespace {

using namespace std::chrono_literals;

class SseTest : public ::testing::Test {
 protected:
  static constexpr int kStreams = 6;  // more than the four the daemon used to allow
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-sse-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    auto db = dir_ / "switchboard.db";
    auto s = store::open_sqlite_store(db);
    ASSERT_TRUE(s) << s.status().message();
    store_ = std::move(s).value();
    auto tokens = api::ApiStore::open(db);
    ASSERT_TRUE(tokens);
    tokens_ = std::move(tokens).value();
    supervisor_ = auth::generate_token();
    agent_ = auth::generate_token();
    ASSERT_TRUE(
        tokens_->create_token("sup", auth::Role::kSupervisor, auth::hash_token(supervisor_)));
    ASSERT_TRUE(tokens_->create_token("ann", auth::Role::kAgent, auth::hash_token(agent_)));
    auto log = EventLog::open(db);
    ASSERT_TRUE(log);
    log_ = std::move(log).value();
    restart(SseOptions{200ms, 2, kStreams});
  }
  // A fresh stream and server over the same log and tokens.
  void restart(SseOptions options) {
    server_.reset();
    stream_ = std::make_shared<EventStream>(log_, options);
    auto router = std::make_shared<http::Router>();
    install_event_routes(*router, *tokens_, *store_, stream_);
    http::ServerOptions server_options;
    server_options.threads = 2;
    server_options.stream_threads = kStreams;
    server_ = std::make_unique<http::Server>(server_options, router);
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    if (log_) log_->close();
    server_.reset();
    log_.reset();
    tokens_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  int64_t add(const std::string& type, const std::string& data) {
    auto id = log_->append(type, data);
    EXPECT_TRUE(id);
    return id ? *id : 0;
  }

  int64_t token_id(const std::string& name) {
    auto all = tokens_->tokens();
    EXPECT_TRUE(all);
    for (const auto& t : *all) {
      if (t.name == name) return t.id;
    }
    return 0;
  }
  // Waits (bounded) for the number of open streams to become n.
  bool active_becomes(int n, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (stream_->active() != n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    return stream_->active() == n;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<api::ApiStore> tokens_;
  std::shared_ptr<EventLog> log_;
  std::shared_ptr<EventStream> stream_;
  std::unique_ptr<http::Server> server_;
  std::string supervisor_, agent_;
};

TEST_F(SseTest, ReplaysThenStreamsLiveThenResumesWithLastEventId) {
  // Five stored events with a batch of two: replay spans several reads of the table.
  std::vector<int64_t> ids;
  for (int i = 1; i <= 5; ++i) {
    ids.push_back(add("message.created", R"({"message_id":)" + std::to_string(i) + "}"));
  }
  int64_t seen = 0;
  {
    SseClient c(server_->port(), supervisor_);
    ASSERT_EQ(c.response().getStatus(), 200);
    EXPECT_EQ(c.response().getContentType(), "text/event-stream");
    for (int i = 0; i < 5; ++i) {
      Parsed e = c.next();
      EXPECT_EQ(e.id, ids[static_cast<size_t>(i)]);
      EXPECT_EQ(e.type, "message.created");
      EXPECT_EQ(e.data, R"({"message_id":)" + std::to_string(i + 1) + "}");
    }
    // Live: appended after the client caught up.
    auto live = std::async(std::launch::async, [&] {
      std::this_thread::sleep_for(300ms);  // past one heartbeat
      return add("conversation.assigned", R"({"conversation_id":9,"agent_id":"ann"})");
    });
    Parsed e = c.next();
    EXPECT_EQ(e.id, live.get());
    EXPECT_EQ(e.type, "conversation.assigned");
    EXPECT_GE(c.comments, 1) << "a heartbeat comment while idle";
    seen = e.id;
  }
  // Disconnected: more happens meanwhile.
  int64_t missed1 = add("message.status", R"({"message_id":1,"status":"read"})");
  int64_t missed2 = add("conversation.status", R"({"conversation_id":9,"status":"closed"})");
  SseClient resumed(server_->port(), supervisor_, std::to_string(seen));
  Parsed a = resumed.next();
  Parsed b = resumed.next();
  EXPECT_EQ(a.id, missed1);
  EXPECT_EQ(a.type, "message.status");
  EXPECT_EQ(b.id, missed2);
  EXPECT_EQ(b.type, "conversation.status");

  // ?after= does the same for clients that cannot set headers.
  SseClient by_query(server_->port(), supervisor_, "", "?after=" + std::to_string(missed1));
  EXPECT_EQ(by_query.next().id, missed2);
}

TEST_F(SseTest, NeedsATokenAndAValidResumeId) {
  SseClient none(server_->port(), "");
  EXPECT_EQ(none.response().getStatus(), 401);
  SseClient bad(server_->port(), supervisor_, "seven");
  EXPECT_EQ(bad.response().getStatus(), 400);
  SseClient agent_bad(server_->port(), agent_, "-1");
  EXPECT_EQ(agent_bad.response().getStatus(), 400);
}

TEST_F(SseTest, AnAgentStreamIsFilteredAndResumesFromASkippedId) {
  // No conversation exists in this store: only events naming the agent reach it.
  const int64_t other = add("message.created", R"({"message_id":1,"conversation_id":5})");
  const int64_t mine = add("conversation.assigned", R"({"conversation_id":9,"agent_id":"ann"})");
  const int64_t bobs = add("conversation.assigned", R"({"conversation_id":8,"agent_id":"bob"})");
  const int64_t taken = add("conversation.assigned",
                            R"({"conversation_id":9,"agent_id":"bob","previous_agent_id":"ann"})");
  {
    SseClient agent(server_->port(), agent_);
    ASSERT_EQ(agent.response().getStatus(), 200);
    EXPECT_EQ(agent.next().id, mine);
    EXPECT_EQ(agent.next().id, taken);
  }
  // The supervisor sees all four.
  SseClient sup(server_->port(), supervisor_);
  for (int64_t id : {other, mine, bobs, taken}) EXPECT_EQ(sup.next().id, id);
  // Resuming after an id the agent never saw is fine.
  SseClient resumed(server_->port(), agent_, std::to_string(bobs));
  EXPECT_EQ(resumed.next().id, taken);
}

TEST_F(SseTest, ManyStreamsAtOnceThenA503JsonAboveTheLimit) {
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<SseClient>(server_->port(), i % 2 ? agent_ : supervisor_));
    ASSERT_EQ(clients.back()->response().getStatus(), 200) << "stream " << i;
  }
  const int64_t id = add("conversation.assigned", R"({"conversation_id":9,"agent_id":"ann"})");
  for (auto& c : clients) EXPECT_EQ(c->next().id, id);  // every one of them live

  Poco::Net::HTTPClientSession s("127.0.0.1", server_->port());
  s.setTimeout(Poco::Timespan(5, 0));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/v1/events",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer " + supervisor_);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), body);
  EXPECT_EQ(resp.getStatus(), 503);
  EXPECT_EQ(resp.getReason(), "Service Unavailable");
  EXPECT_EQ(resp.getContentType(), "application/json");
  EXPECT_EQ(resp.get("Retry-After", ""), "5");
  EXPECT_NE(body.find(R"("code":"unavailable")"), std::string::npos) << body;
}

TEST_F(SseTest, AHungUpClientFreesItsSlotWithinASecondOrTwo) {
  // A heartbeat far away: no write can reveal the hangup, only the stream watching its socket.
  restart(SseOptions{60s, 2, kStreams});
  std::vector<std::unique_ptr<SseClient>> clients;
  for (int i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<SseClient>(server_->port(), supervisor_));
    ASSERT_EQ(clients.back()->response().getStatus(), 200);
  }
  EXPECT_EQ(stream_->active(), kStreams);
  clients.front().reset();  // hangs up; no event and no heartbeat write is needed to notice
  EXPECT_TRUE(active_becomes(kStreams - 1, 2s)) << stream_->active();
  SseClient again(server_->port(), supervisor_);
  EXPECT_EQ(again.response().getStatus(), 200);
}

TEST_F(SseTest, RevokingATokenEndsItsOpenStreamsAtOnce) {
  // No heartbeat within the client's 5 s read timeout: only the revocation can end the stream.
  restart(SseOptions{60s, 2, kStreams});
  SseClient sup(server_->port(), supervisor_);
  SseClient ann(server_->port(), agent_);
  ASSERT_EQ(sup.response().getStatus(), 200);
  ASSERT_EQ(ann.response().getStatus(), 200);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(tokens_->revoke_token(token_id("sup")));
  Parsed last = sup.next();  // no event flows: the stream ends on its own
  EXPECT_EQ(last.type, "stream.closed");
  EXPECT_EQ(last.data, R"({"reason":"credential_revoked"})");
  EXPECT_TRUE(sup.ends());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
  // The other token's stream lives on.
  const int64_t id = add("conversation.assigned", R"({"conversation_id":9,"agent_id":"ann"})");
  EXPECT_EQ(ann.next().id, id);
  // And the revoked token cannot open a new one.
  SseClient denied(server_->port(), supervisor_);
  EXPECT_EQ(denied.response().getStatus(), 401);
}

TEST_F(SseTest, ATokenRevokedByAnotherProcessEndsItsStreamWithinSeconds) {
  // No heartbeat within the client's 5 s read timeout: only the revocation can end the stream.
  restart(SseOptions{60s, 2, kStreams});
  // `switchboard tokens revoke` writes the database through its own connection: the daemon's
  // token store hears nothing, the stream's periodic recheck notices.
  SseClient sup(server_->port(), supervisor_);
  ASSERT_EQ(sup.response().getStatus(), 200);
  auto cli = api::ApiStore::open(dir_ / "switchboard.db");
  ASSERT_TRUE(cli);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE((*cli)->revoke_token(token_id("sup")));
  EXPECT_EQ(sup.next().type, "stream.closed");
  EXPECT_TRUE(sup.ends());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_TRUE(active_becomes(0, 1s));
}

TEST_F(SseTest, StreamsEndCleanlyAtShutdown) {
  SseClient c(server_->port(), supervisor_);
  ASSERT_EQ(c.response().getStatus(), 200);
  auto ended = std::async(std::launch::async, [&] { return c.ends(); });
  std::this_thread::sleep_for(100ms);
  auto t0 = std::chrono::steady_clock::now();
  log_->close();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
  ASSERT_EQ(ended.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(ended.get());
  EXPECT_EQ(stream_->active(), 0);
}

}  // namespace
}  // namespace sb::events::test
