// SMPP sessions of the sms plugin under a real daemon: refused binds, an SMSC that unbinds, drops
// the connection mid-window or sends garbage, and a daemon killed with submits in flight.
#include "sms_fixture.h"

namespace smstest {
namespace {

std::string state_of(const JsonPtr& c) {
  return str(c, "state");
}

TEST_F(SmsTest, RefusedBindDegradesTheInstanceWithTheReasonAndItKeepsRetrying) {
  ASSERT_TRUE(bound());
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"password":"changed"})").status, 200);
  ASSERT_EQ(smsc_->call("POST", "/unbind").status, 200);
  std::string reason;
  ASSERT_TRUE(eventually(
      [&] {
        JsonPtr c = channel();
        reason = str(c, "state_reason");
        return state_of(c) == "degraded" && reason.find("ESME_RINVPASWD") != std::string::npos;
      },
      10s))
      << reason;
  EXPECT_EQ(reason.find(kPassword), std::string::npos);  // the secret is never shown
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"password":"secret"})").status, 200);
  EXPECT_TRUE(eventually([&] { return state_of(channel()) == "running"; }, 10s));
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"refuse_binds":13})").status, 200);
  ASSERT_EQ(smsc_->call("POST", "/drop").status, 200);
  EXPECT_TRUE(eventually(
      [&] { return str(channel(), "state_reason").find("ESME_RBINDFAIL") != std::string::npos; },
      10s));
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"refuse_binds":0})").status, 200);
  EXPECT_TRUE(eventually([&] { return state_of(channel()) == "running"; }, 10s));
}

TEST_F(SmsTest, AfterTheSmscUnbindsThePluginBindsAgainAndSends) {
  ASSERT_TRUE(bound());
  ASSERT_EQ(smsc_->call("POST", "/unbind").status, 200);
  ASSERT_TRUE(eventually(
      [&] {
        int binds = 0;
        auto ev = smsc_->stats()->getArray("events");
        for (size_t i = 0; ev && i < ev->size(); ++i) {
          binds += str(ev->getObject(static_cast<unsigned>(i)), "event") == "bind_transceiver";
        }
        return binds >= 2 && smsc_->binds() == 1;
      },
      10s));
  const std::string id = send("+447700900401", "after unbind", "unbind-1");
  EXPECT_EQ(wait_status(id, "3"), "3");
}

TEST_F(SmsTest, UnansweredSubmitsWhenTheConnectionDropsAreNeverResent) {
  ASSERT_TRUE(bound());
  // The SMSC answers the first two submits and drops the connection on the fourth without answering
  // the last two.
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"drop_after":{"submits":4,"unanswered":2}})").status,
            200);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(send("+44770090050" + std::to_string(i), "w" + std::to_string(i),
                       "drop-" + std::to_string(i)));
  }
  // The two unanswered ones go to the outbox's reconcile state (ABI 1.1 SB_ERR_UNKNOWN_OUTCOME),
  // neither failed nor queued again; the answered ones are sent (their receipts may be lost with
  // the connection).
  int reconcile = 0, sent = 0;
  ASSERT_TRUE(eventually(
      [&] {
        reconcile = sent = 0;
        for (const auto& id : ids) {
          reconcile += outbox_state(id) == "reconcile";
          sent += outbox_state(id) == "sent";
        }
        return reconcile + sent == 4;
      },
      20s))
      << db_->scalar(
             "SELECT group_concat(m.status || '/' || o.state || '/' || m.error_code, ' ') "
             "FROM messages m JOIN outbox o ON o.message_id = m.id");
  EXPECT_EQ(reconcile, 2);
  EXPECT_EQ(sent, 2);
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM messages WHERE error_code = 'SMPP_UNKNOWN_OUTCOME' "
                        "AND status = 1"),
            "2");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(smsc_->submitted()->size(), 4u);  // nothing sent twice
}

TEST_F(SmsTest, MalformedPduClosesTheSessionWhichComesBack) {
  ASSERT_TRUE(bound());
  // command_length 8: below the 16-octet header.
  ASSERT_EQ(smsc_->call("POST", "/raw", R"({"hex":"0000000800000015000000000000000f"})").status,
            200);
  ASSERT_TRUE(eventually(
      [&] {
        auto nacks = smsc_->stats()->getArray("generic_nacks_received");
        return nacks && nacks->size() == 1 && nacks->getObject(0)->getValue<int>("status") == 2;
      },
      5s));
  // Unknown command id on the new session: generic_nack ESME_RINVCMDID, the session stays.
  ASSERT_TRUE(eventually([&] { return smsc_->binds() == 1; }, 10s));
  ASSERT_EQ(smsc_->call("POST", "/raw", R"({"hex":"0000001000000099000000000000000e"})").status,
            200);
  ASSERT_TRUE(eventually(
      [&] {
        auto nacks = smsc_->stats()->getArray("generic_nacks_received");
        return nacks && nacks->size() == 2 && nacks->getObject(1)->getValue<int>("status") == 3;
      },
      5s));
  const std::string id = send("+447700900601", "fine", "after-garbage");
  EXPECT_EQ(wait_status(id, "3"), "3");
}

TEST_F(SmsTest, KilledDaemonLeavesSubmitsInFlightToReconcile) {
  ASSERT_TRUE(bound());
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"resp_delay_ms":4000})").status, 200);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(send("+44770090070" + std::to_string(i), "k" + std::to_string(i),
                       "kill-" + std::to_string(i)));
  }
  ASSERT_TRUE(
      eventually([&] { return smsc_->stats()->getValue<int>("max_outstanding") == 3; }, 10s));
  host_->signal(SIGKILL);
  host_->wait();
  db_.reset();
  ASSERT_EQ(smsc_->call("POST", "/config", R"({"resp_delay_ms":0})").status, 200);
  ASSERT_NO_FATAL_FAILURE(start_host());
  for (const auto& id : ids) {
    EXPECT_TRUE(eventually([&] { return outbox_state(id) == "reconcile"; }, 10s)) << id;
  }
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(smsc_->stats()->getValue<int>("max_outstanding"), 3) << smsc_->diagnostics();
  auto subs = smsc_->submitted();
  ASSERT_EQ(subs->size(), 3u);  // the first run's three, never answered; none sent again
  for (size_t i = 0; i < subs->size(); ++i)
    EXPECT_NE(str(subs->getObject(i), "status"), "accepted");
}

TEST_F(SmsTest, AcknowledgedMoPartsSurviveAKilledDaemon) {
  ASSERT_TRUE(bound());
  const std::string mo = R"({"from":"447700900801","text":"first-second-third","parts":3,)"
                         R"("part_octets":6,"ref":77)";
  ASSERT_EQ(smsc_->call("POST", "/mo", mo + R"(,"drop_part":2})").status, 200);
  ASSERT_TRUE(eventually(
      [&] {
        auto resps = smsc_->stats()->getArray("deliver_resps");
        return resps && resps->size() == 2;
      },
      10s));
  EXPECT_EQ(inbound_count(), 0);  // incomplete: kept, acknowledged
  host_->signal(SIGKILL);
  host_->wait();
  db_.reset();
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_TRUE(eventually([&] { return smsc_->binds() == 1; }, 10s));
  ASSERT_EQ(smsc_->call("POST", "/mo", mo + R"(,"only_part":2})").status, 200);
  ASSERT_TRUE(eventually([&] { return inbound_count() == 1; }, 10s));
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE direction = 'in'"), "first-second-third");
}

TEST_F(SmsTest, ADropUnderLoadLosesNothingAndSendsNothingTwice) {
  ASSERT_TRUE(bound());
  // 120 messages; the SMSC drops the connection on its 60th submit, leaving the last 5 unanswered.
  ASSERT_EQ(smsc_
                ->call("POST", "/config",
                       R"({"drop_after":{"submits":60,"unanswered":5},)"
                       R"("receipts":{"enabled":false}})")
                .status,
            200);
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) {
    ids.push_back(send("+4477009" + std::to_string(10000 + i), "load " + std::to_string(i),
                       "load-" + std::to_string(i)));
  }
  int sent = 0, reconcile = 0;
  ASSERT_TRUE(eventually(
      [&] {
        sent = std::stoi("0" + db_->scalar("SELECT COUNT(*) FROM outbox WHERE state = 'sent'"));
        reconcile =
            std::stoi("0" + db_->scalar("SELECT COUNT(*) FROM outbox WHERE state = 'reconcile'"));
        return sent + reconcile == 120;
      },
      60s))
      << db_->scalar(
             "SELECT group_concat(state || ':' || n, ' ') FROM "
             "(SELECT state, COUNT(*) AS n FROM outbox GROUP BY state)");
  EXPECT_GE(reconcile, 1);
  EXPECT_LE(reconcile, 10);  // at most the window was in flight
  // Every recipient reached the SMSC at most once with an accepted submit, and each unanswered
  // submit is a message in reconcile that was never submitted again.
  auto subs = smsc_->submitted();
  std::map<std::string, int> accepted, unanswered;
  for (size_t i = 0; i < subs->size(); ++i) {
    JsonPtr m = subs->getObject(static_cast<unsigned>(i));
    const std::string to = str(m, "destination_addr"), st = str(m, "status");
    if (st == "accepted") ++accepted[to];
    if (st == "unanswered") ++unanswered[to];
  }
  for (const auto& [to, n] : accepted) {
    EXPECT_EQ(n, 1) << to;
    EXPECT_EQ(unanswered.count(to), 0u) << to;
  }
  EXPECT_EQ(static_cast<int>(unanswered.size()), reconcile);
  EXPECT_EQ(static_cast<int>(accepted.size()), sent);
}

}  // namespace
}  // namespace smstest
