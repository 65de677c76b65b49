// The state of the configured numbers right after start (issue 8): the instance reads it from the
// Graph API (wa-sim) on its own, so the channel operation behind `switchboard whatsapp numbers
// list` shows display name, quality and status without a `numbers refresh`; while Graph fails, the
// instance is DEGRADED with a reason and retries until it succeeds.
#include <string>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

class WhatsAppNumberState : public WhatsAppApi {
 protected:
  // The state of kNumber as the list_numbers operation shows it (empty when not listed).
  JsonPtr listed() {
    Reply r = op("list_numbers", "{}");
    EXPECT_EQ(r.status, 200) << r.body;
    auto numbers = parse(r.body)->getArray("numbers");
    if (!numbers) return new Poco::JSON::Object;
    for (size_t i = 0; i < numbers->size(); ++i) {
      JsonPtr n = numbers->getObject(static_cast<unsigned>(i));
      if (str(n, "phone_number_id") == kNumber) return n;
    }
    return new Poco::JSON::Object;
  }
  // wa-1 as GET /v1/channels shows it.
  JsonPtr channel() {
    auto items = parse(api("GET", "/v1/channels").body)->getArray("items");
    for (size_t i = 0; items && i < items->size(); ++i) {
      JsonPtr c = items->getObject(static_cast<unsigned>(i));
      if (str(c, "id") == "wa-1") return c;
    }
    return new Poco::JSON::Object;
  }
};

TEST_F(WhatsAppNumberState, ConfiguredNumberIsShownWithoutARefresh) {
  ASSERT_TRUE(eventually([&] { return !str(listed(), "verified_name").empty(); }, 15s))
      << listed()->size() << host_->err();
  JsonPtr n = listed();
  EXPECT_EQ(str(n, "verified_name"), "Sim Support");
  EXPECT_EQ(str(n, "display_phone_number"), "15550783881");
  EXPECT_EQ(str(n, "quality_rating"), "GREEN");
  EXPECT_EQ(str(n, "status"), "CONNECTED");
  EXPECT_EQ(str(n, "code_verification_status"), "VERIFIED");
  EXPECT_EQ(str(n, "messaging_tier"), "TIER_250");
  EXPECT_EQ(str(channel(), "state"), "running");
}

class WhatsAppNumberStateGraphDown : public WhatsAppNumberState {
 protected:
  void create_sim_accounts() override {
    WhatsAppNumberState::create_sim_accounts();
    // Graph answers the number's read with 503 twice: at start and at the first retry.
    ASSERT_EQ(sim("POST", "/_sim/faults",
                  std::string(R"({"path":"/v21.0/)") + kNumber +
                      R"(","method":"GET","status":503,"count":2})")
                  .status,
              200);
  }
};

TEST_F(WhatsAppNumberStateGraphDown, StartSucceedsSaysWhyAndRetriesUntilLoaded) {
  std::string reason;
  EXPECT_TRUE(eventually(
      [&] {
        reason = str(channel(), "state_reason");
        return reason.find("number state not loaded") != npos;
      },
      10s))
      << reason;
  EXPECT_TRUE(str(listed(), "verified_name").empty());
  // Retried after 1 s and 2 s: the second retry succeeds.
  ASSERT_TRUE(eventually([&] { return !str(listed(), "verified_name").empty(); }, 20s))
      << host_->err();
  EXPECT_EQ(str(listed(), "quality_rating"), "GREEN");
  EXPECT_TRUE(eventually([&] { return str(channel(), "state") == "running"; }, 5s))
      << str(channel(), "state") << " " << str(channel(), "state_reason");
}

}  // namespace
}  // namespace waapi
