// One identity across channels: an SMS from the number of an existing WhatsApp contact lands on
// that contact, and an agent can answer on either channel. The WhatsApp suite's fixture (wa-sim
// and the daemon) with an sms instance on the test SMSC beside it.
#include "sms_fixture.h"

namespace smstest {
namespace {

class SmsBesideWhatsApp : public waapi::WhatsAppApi {
 protected:
  void SetUp() override {
    smsc_dir_ = fs::temp_directory_path() / ("sb-sms-wa-" + std::to_string(getpid()));
    smsc_ = std::make_unique<Smsc>(smsc_dir_);
    ASSERT_TRUE(smsc_->ready()) << smsc_->diagnostics();
    waapi::WhatsAppApi::SetUp();
  }
  void TearDown() override {
    waapi::WhatsAppApi::TearDown();
    smsc_.reset();
    std::error_code ec;
    fs::remove_all(smsc_dir_, ec);
  }
  std::string instances_config() override {
    return waapi::WhatsAppApi::instances_config() + R"(,
    {"id": "sms-1", "plugin": "sms",
     "config": {"host": "127.0.0.1", "port": )" +
           std::to_string(smsc_->smpp_port) + R"(, "system_id": ")" + kSystemId +
           R"(", "sender": "Shop", "reconnect_min_ms": 100, "reconnect_max_ms": 400},
     "secrets": {"password": "literal:)" +
           kPassword + R"("}})";
  }
  fs::path smsc_dir_;
  std::unique_ptr<Smsc> smsc_;
};

TEST_F(SmsBesideWhatsApp,
       AnSmsFromAWhatsAppContactsNumberLandsOnThatContactAndEitherChannelAnswers) {
  const std::string wa_conversation = customer_writes("4915112345678", "Hi on WhatsApp");
  ASSERT_FALSE(wa_conversation.empty());
  const std::string contact =
      db_->scalar("SELECT contact_id FROM conversations WHERE id = ?", wa_conversation);
  ASSERT_TRUE(eventually([&] { return smsc_->binds() == 1; }, 15s));
  ASSERT_EQ(smsc_->call("POST", "/mo", R"({"from":"4915112345678","to":"7788","text":"Hi by SMS"})")
                .status,
            200);
  std::string sms_conversation;
  ASSERT_TRUE(eventually(
      [&] {
        sms_conversation = db_->scalar(
            "SELECT conversation_id FROM messages WHERE instance_id = 'sms-1' AND direction = "
            "'in'");
        return !sms_conversation.empty();
      },
      10s));
  EXPECT_EQ(db_->scalar("SELECT contact_id FROM messages WHERE instance_id = 'sms-1'"), contact);
  // The contact's timeline has both channels.
  Reply timeline = api("GET", "/v1/contacts/" + contact + "/timeline");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  EXPECT_NE(timeline.body.find("Hi on WhatsApp"), npos) << timeline.body;
  EXPECT_NE(timeline.body.find("Hi by SMS"), npos) << timeline.body;
  // The agent answers by SMS, and on WhatsApp.
  const std::string by_sms = send(sms_conversation, R"({"text":"Answer by SMS"})", "u-sms");
  const std::string by_wa = send(wa_conversation, R"({"text":"Answer on WhatsApp"})", "u-wa");
  const std::string wa_status = wait_status(by_wa, "sent delivered read");
  EXPECT_NE(std::string(" sent delivered read ").find(" " + wa_status + " "), npos) << wa_status;
  ASSERT_TRUE(eventually(
      [&] {
        auto subs = smsc_->submitted();
        for (size_t i = 0; subs && i < subs->size(); ++i) {
          JsonPtr m = subs->getObject(static_cast<unsigned>(i));
          if (str(m, "text") == "Answer by SMS")
            return str(m, "destination_addr") == "4915112345678";
        }
        return false;
      },
      10s));
  EXPECT_FALSE(sim_sends("Answer on WhatsApp").empty());
}

}  // namespace
}  // namespace smstest
