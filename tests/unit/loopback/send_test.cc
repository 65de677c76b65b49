// send(): recorded sends, programmed faults with their statuses and hints, pending completion,
// automatic delivery reports on the fake clock, and the persisted id counter.
#include "loopback_fixture.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace lbtest {
namespace {

using std::chrono::milliseconds;
using SendTest = Loopback;

TEST_F(SendTest, AcceptedSendsGetUniqueIdsAndAreRecorded) {
  Outbound m = message(7, "+4915112345678", "hello");
  m.content_type = "template";
  m.payload_json = R"({"name":"welcome"})";
  m.thread_key = "t-1";
  m.attachments.push_back({"document", "application/pdf", "a.pdf", "", "", "", 10});
  auto a = fake.send(m);
  auto b = fake.send(message(8, "+4915112345678", "again"));
  ASSERT_EQ(a.status, SB_OK);
  EXPECT_EQ(a.provider_id, "lb-1");
  EXPECT_EQ(b.provider_id, "lb-2");

  json::Value list = sent();
  ASSERT_EQ(list.items().size(), 2u);
  const json::Value& r = list.items()[0];
  EXPECT_EQ(r.find("seq")->as_int(), 1);
  EXPECT_EQ(r.find("message_id")->as_int(), 7);
  EXPECT_EQ(r.find("idempotency_key")->as_string(), "key-7");
  EXPECT_EQ(r.find("to")->as_string(), "+4915112345678");
  EXPECT_EQ(r.find("from")->as_string(), "+4930111111");
  EXPECT_EQ(r.find("content_type")->as_string(), "template");
  EXPECT_EQ(r.find("text")->as_string(), "hello");
  EXPECT_EQ(r.find("payload_json")->as_string(), R"({"name":"welcome"})");
  EXPECT_EQ(r.find("thread_key")->as_string(), "t-1");
  EXPECT_EQ(r.find("provider_id")->as_string(), "lb-1");
  EXPECT_EQ(r.find("outcome")->as_string(), "sent");
  EXPECT_EQ(r.find("at_ms")->as_int(), fake.now_ms());
  ASSERT_EQ(r.find("attachments")->items().size(), 1u);
  EXPECT_EQ(r.find("attachments")->items()[0].find("filename")->as_string(), "a.pdf");

  json::Value later = sent(1);
  ASSERT_EQ(later.items().size(), 1u);
  EXPECT_EQ(later.items()[0].find("text")->as_string(), "again");
  EXPECT_EQ(call("GET", "/sent", {}, "since=abc").http_status, 400);
}

TEST_F(SendTest, FaultsApplyInOrderOnePerSendWithTheirHints) {
  program(R"({"next":[
      {"kind":"transient","message":"gateway down","retry_after_ms":1500,"provider_code":"503"},
      {"kind":"rate_limited","retry_after_ms":30000,"provider_code":"130429"},
      {"kind":"rejected","message":"bad number","provider_code":"131026"},
      {"kind":"auth","message":"token expired"}]})");
  auto t = fake.send(message(1, "+491"));
  auto rl = fake.send(message(2, "+491"));
  auto rj = fake.send(message(3, "+491"));
  auto au = fake.send(message(4, "+491"));
  auto ok = fake.send(message(5, "+491"));

  EXPECT_EQ(t.status, SB_ERR_TRANSIENT);
  EXPECT_TRUE(t.error.retryable);
  EXPECT_EQ(t.error.retry_after, milliseconds(1500));
  EXPECT_EQ(t.error.message, "gateway down");
  EXPECT_EQ(t.error.provider_code, "503");
  EXPECT_EQ(rl.status, SB_ERR_RATE_LIMITED);
  EXPECT_TRUE(rl.error.retryable);
  EXPECT_EQ(rl.error.retry_after, milliseconds(30000));
  EXPECT_EQ(rl.error.message, "injected rate_limited");
  EXPECT_EQ(rj.status, SB_ERR_REJECTED);
  EXPECT_FALSE(rj.error.retryable);
  EXPECT_EQ(rj.error.provider_code, "131026");
  EXPECT_EQ(au.status, SB_ERR_AUTH);
  EXPECT_FALSE(au.error.retryable);
  EXPECT_EQ(ok.status, SB_OK);
  EXPECT_EQ(ok.provider_id, "lb-5");  // failed sends used numbers 1..4: ids never repeat

  json::Value list = sent();
  ASSERT_EQ(list.items().size(), 5u);
  const char* outcomes[] = {"transient", "rate_limited", "rejected", "auth", "sent"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(list.items()[i].find("outcome")->as_string(), outcomes[i]) << i;
  }
  EXPECT_EQ(list.items()[0].find("error")->as_string(), "gateway down");
  EXPECT_EQ(list.items()[0].find("provider_id")->as_string(), "");
}

TEST_F(SendTest, MatchToLimitsFaultsToOneRecipient) {
  program(R"({"next":[{"kind":"rejected"}],"match_to":"+4915100000002"})");
  EXPECT_EQ(fake.send(message(1, "+4915100000001")).status, SB_OK);
  EXPECT_EQ(fake.send(message(2, "+4915100000002")).status, SB_ERR_REJECTED);
  EXPECT_EQ(fake.send(message(3, "+4915100000002")).status, SB_OK);
}

TEST_F(SendTest, FaultsCanBeListedAndCleared) {
  program(R"({"next":[{"kind":"transient"},{"kind":"auth"}]})");
  json::Value listed = parse(call("GET", "/faults").body);
  ASSERT_EQ(listed.items().size(), 2u);
  EXPECT_EQ(listed.items()[1].find("kind")->as_string(), "auth");
  EXPECT_EQ(call("DELETE", "/faults").http_status, 200);
  EXPECT_EQ(fake.send(message(1, "+491")).status, SB_OK);
}

TEST_F(SendTest, BadFaultProgramsNameTheField) {
  EXPECT_EQ(error_field(post("/faults", R"({"next":[{"kind":"explode"}]})")), "next[0].kind");
  EXPECT_EQ(error_field(post("/faults", R"({"next":[{"kind":"slow","delay_ms":-1}]})")),
            "next[0].delay_ms");
  EXPECT_EQ(error_field(post("/faults", R"({"next":[{"kind":"auth","complete_with":"auth"}]})")),
            "next[0].complete_with");
  EXPECT_EQ(error_field(post("/faults", R"({"next":{}})")), "next");
  EXPECT_EQ(fake.send(message(1, "+491")).status, SB_OK);  // nothing was queued
}

TEST_F(SendTest, SlowSendBlocksThenSucceeds) {
  program(R"({"next":[{"kind":"slow","delay_ms":40}]})");
  auto start = std::chrono::steady_clock::now();
  auto r = fake.send(message(1, "+491"));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(40));
  EXPECT_EQ(r.status, SB_OK);
  EXPECT_EQ(r.provider_id, "lb-1");
  EXPECT_EQ(sent().items()[0].find("fault")->as_string(), "slow");
}

TEST_F(SendTest, PendingCompletesLaterThroughATimer) {
  program(R"({"next":[{"kind":"pending","delay_ms":100}]})");
  auto r = fake.send(message(42, "+491"));
  ASSERT_EQ(r.status, SB_PENDING);
  EXPECT_EQ(sent().items()[0].find("outcome")->as_string(), "pending");
  fake.advance_and_run(milliseconds(99));
  EXPECT_TRUE(fake.completed_sends().empty());
  fake.advance_and_run(milliseconds(1));
  ASSERT_EQ(fake.completed_sends().size(), 1u);
  EXPECT_EQ(fake.completed_sends()[0].message_id, 42);
  EXPECT_EQ(fake.completed_sends()[0].status, SB_OK);
  EXPECT_EQ(fake.completed_sends()[0].provider_message_id, "lb-1");
  json::Value rec = sent().items()[0];
  EXPECT_EQ(rec.find("outcome")->as_string(), "sent");
  EXPECT_EQ(rec.find("provider_id")->as_string(), "lb-1");
  EXPECT_EQ(rec.find("completed_at_ms")->as_int(), fake.now_ms());
}

TEST_F(SendTest, PendingCanCompleteWithAFailure) {
  program(R"({"next":[{"kind":"pending","delay_ms":10,"complete_with":"rate_limited",
                       "retry_after_ms":2000,"provider_code":"4711"}]})");
  ASSERT_EQ(fake.send(message(5, "+491")).status, SB_PENDING);
  fake.advance_and_run(milliseconds(10));
  ASSERT_EQ(fake.completed_sends().size(), 1u);
  const auto c = fake.completed_sends()[0];
  EXPECT_EQ(c.status, SB_ERR_RATE_LIMITED);
  EXPECT_TRUE(c.error.retryable);
  EXPECT_EQ(c.error.retry_after, milliseconds(2000));
  EXPECT_EQ(c.error.provider_code, "4711");
  EXPECT_EQ(sent().items()[0].find("outcome")->as_string(), "rate_limited");
}

TEST_F(SendTest, CounterSurvivesARestart) {
  program(R"({"next":[{"kind":"transient"}]})");
  fake.send(message(1, "+491"));
  fake.send(message(2, "+491"));
  EXPECT_EQ(fake.kv().at("next_seq"), "3");
  fake.destroy();
  boot("{}");
  EXPECT_EQ(fake.send(message(3, "+491")).provider_id, "lb-3");
  EXPECT_TRUE(sent().items().size() == 1u);  // records are per process, the counter is not
}

TEST_F(SendTest, CorruptCounterFailsStart) {
  fake.destroy();
  fake.kv_set("next_seq", "7x");
  ASSERT_TRUE(fake.create("lb-1", "{}"));
  EXPECT_EQ(fake.start().code(), SB_ERR_INTERNAL);
}

TEST_F(SendTest, UnpersistableCounterIsTransientAndNothingIsSent) {
  fake.api().kv_put = [](sb_host_ctx*, const char*, size_t, const char*, size_t) -> int32_t {
    return SB_ERR_INTERNAL;
  };
  auto r = fake.send(message(1, "+491"));
  EXPECT_EQ(r.status, SB_ERR_TRANSIENT);
  EXPECT_TRUE(sent().items().empty());
}

TEST_F(SendTest, HostTableWithoutKeyValueStorageFailsStartCleanly) {
  fake.destroy();
  fake.api().struct_size = static_cast<uint32_t>(offsetof(sb_host_api, kv_get));
  ASSERT_TRUE(fake.create("lb-1", "{}"));
  sw::Status s = fake.start();
  EXPECT_EQ(s.code(), SB_ERR_UNSUPPORTED);
  EXPECT_EQ(s.error().message, "cannot read the send counter");
}

TEST_F(SendTest, StopWithAPendingSendWarnsAndNothingFiresLater) {
  program(R"({"next":[{"kind":"pending","delay_ms":100}]})");
  ASSERT_EQ(fake.send(message(1, "+491")).status, SB_PENDING);
  fake.stop();
  EXPECT_TRUE(fake.logged("1 pending sends will not complete"));
  fake.advance_and_run(milliseconds(1000));
  EXPECT_TRUE(fake.completed_sends().empty());
}

TEST_F(SendTest, NoSendAfterStop) {
  fake.stop();
  EXPECT_EQ(fake.send(message(1, "+491")).status, SB_ERR_STATE);
}

TEST_F(SendTest, EmptyRecipientIsInvalid) {
  EXPECT_EQ(fake.send(message(1, "")).status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(sent().items()[0].find("outcome")->as_string(), "invalid");
}

class Delivery : public Loopback {
  std::string config() const override {
    return R"({"delivery":{"auto":true,"delay_ms":50,"read":true}})";
  }
};

TEST_F(Delivery, SentThenDeliveredThenReadOnTheClock) {
  ASSERT_EQ(fake.send(message(9, "+491")).status, SB_OK);
  EXPECT_TRUE(fake.deliveries().empty());  // only once the host has recorded the provider id
  fake.run_posted();
  ASSERT_EQ(fake.deliveries().size(), 1u);
  EXPECT_EQ(fake.deliveries()[0].status, SB_DELIVERY_SENT);
  fake.advance_and_run(milliseconds(49));
  EXPECT_EQ(fake.deliveries().size(), 1u);
  fake.advance_and_run(milliseconds(1));
  ASSERT_EQ(fake.deliveries().size(), 2u);
  EXPECT_EQ(fake.deliveries()[1].status, SB_DELIVERY_DELIVERED);
  EXPECT_EQ(fake.deliveries()[1].timestamp_ms, fake.now_ms());
  fake.advance_and_run(milliseconds(50));
  ASSERT_EQ(fake.deliveries().size(), 3u);
  EXPECT_EQ(fake.deliveries()[2].status, SB_DELIVERY_READ);
  for (const auto& d : fake.deliveries()) {
    EXPECT_EQ(d.message_id, 9);
    EXPECT_EQ(d.provider_message_id, "lb-1");
  }
  EXPECT_EQ(fake.pending_timers(), 0u);
}

TEST_F(Delivery, PendingSendReportsAfterItCompletes) {
  program(R"({"next":[{"kind":"pending","delay_ms":20}]})");
  ASSERT_EQ(fake.send(message(3, "+491")).status, SB_PENDING);
  fake.run_posted();
  EXPECT_TRUE(fake.deliveries().empty());
  fake.advance_and_run(milliseconds(20));
  ASSERT_EQ(fake.completed_sends().size(), 1u);
  ASSERT_EQ(fake.deliveries().size(), 1u);
  EXPECT_EQ(fake.deliveries()[0].status, SB_DELIVERY_SENT);
  fake.advance_and_run(milliseconds(50));
  EXPECT_EQ(fake.deliveries().back().status, SB_DELIVERY_DELIVERED);
}

TEST_F(Delivery, FailedSendsReportNothing) {
  program(R"({"next":[{"kind":"rejected"}]})");
  fake.send(message(1, "+491"));
  fake.advance_and_run(milliseconds(1000));
  EXPECT_TRUE(fake.deliveries().empty());
}

class ZeroDelay : public Loopback {
  std::string config() const override { return R"({"delivery":{"delay_ms":0,"read":true}})"; }
};

TEST_F(ZeroDelay, StatusesStayInOrder) {
  fake.send(message(1, "+491"));
  fake.send(message(2, "+492"));
  fake.run_due();
  std::vector<std::pair<int64_t, int32_t>> seen;
  for (const auto& d : fake.deliveries()) seen.emplace_back(d.message_id, d.status);
  auto position = [&](int64_t id, int32_t status) {
    return std::find(seen.begin(), seen.end(), std::make_pair(id, status)) - seen.begin();
  };
  ASSERT_EQ(seen.size(), 6u);
  for (int64_t id : {1, 2}) {
    EXPECT_LT(position(id, SB_DELIVERY_SENT), position(id, SB_DELIVERY_DELIVERED));
    EXPECT_LT(position(id, SB_DELIVERY_DELIVERED), position(id, SB_DELIVERY_READ));
  }
}

// The send journal: one JSON line per attempt, appended before send() returns, across restarts
// of the instance (the host being killed is the integration test's part).
class Journaled : public Loopback {
 protected:
  std::string config() const override {
    return R"({"delivery":{"auto":false},"send_journal":")" + path().string() + R"("})";
  }
  static std::filesystem::path path() {
    static const std::filesystem::path p = std::filesystem::temp_directory_path() /
                                           ("lb-journal-" + std::to_string(::getpid()) + ".jsonl");
    return p;
  }
  void TearDown() override { std::filesystem::remove(path()); }
  std::vector<json::Value> lines() {
    std::vector<json::Value> out;
    std::ifstream in(path());
    for (std::string line; std::getline(in, line);) out.push_back(parse(line));
    return out;
  }
};

TEST_F(Journaled, EveryAttemptIsAppendedBeforeSendReturnsAndSurvivesARestart) {
  ASSERT_EQ(fake.send(message(1, "+491")).status, SB_OK);
  auto journal = lines();
  ASSERT_EQ(journal.size(), 1u);  // already there when send returned
  EXPECT_EQ(journal[0].find("message_id")->as_int(), 1);
  EXPECT_EQ(journal[0].find("outcome")->as_string(), "sent");
  EXPECT_EQ(journal[0].find("provider_id")->as_string(), "lb-1");

  program(R"({"next":[{"kind":"transient"}]})");
  EXPECT_EQ(fake.send(message(2, "+491")).status, SB_ERR_TRANSIENT);
  fake.stop();
  fake.destroy();
  boot(config());  // appends, never truncates
  ASSERT_EQ(fake.send(message(3, "+491")).status, SB_OK);
  journal = lines();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[1].find("outcome")->as_string(), "transient");
  EXPECT_EQ(journal[2].find("message_id")->as_int(), 3);
  EXPECT_EQ(journal[2].find("provider_id")->as_string(), "lb-3");  // the failed one took 2
}

TEST_F(Loopback, AJournalThatCannotBeOpenedFailsStart) {
  fake.destroy();
  ASSERT_TRUE(fake.create("lb-1", R"({"send_journal":"/nonexistent-dir/sends.jsonl"})"));
  sw::Status s = fake.start();
  EXPECT_EQ(s.code(), SB_ERR_INVALID_ARG);
  EXPECT_NE(s.error().message.find("cannot open the send journal"), std::string::npos);
}

class SmallLog : public Loopback {
  std::string config() const override { return R"({"max_recorded":3,"delivery":{"auto":false}})"; }
};

TEST_F(SmallLog, OldestRecordsAreDropped) {
  for (int64_t i = 1; i <= 5; ++i) fake.send(message(i, "+491"));
  json::Value list = sent();
  ASSERT_EQ(list.items().size(), 3u);
  EXPECT_EQ(list.items()[0].find("seq")->as_int(), 3);
  EXPECT_EQ(sent(4).items().size(), 1u);
  EXPECT_EQ(parse(fake.invoke("stats").json).find("dropped")->as_int(), 2);
}

}  // namespace
}  // namespace lbtest
