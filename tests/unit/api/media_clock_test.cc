// GET /v1/messages/{id}/attachments/{index} (bytes through the channel, visibility, errors, safe
// headers) and the testing-only /v1/admin/clock (absent unless the clock is controllable).
#include "fixture.h"

namespace sb::api::testing {
namespace {

std::string header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class MediaApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"sales"})").status, 201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["sales"]})").status,
              201);
    store::InboundMessage m;
    m.instance_id = "wa1";
    m.provider_message_id = "wamid.media";
    m.from = "+4915111111111";
    m.from_kind = "phone";
    m.to = "+4930123456";
    m.content_type = "image";
    m.attachments.push_back({"image", "image/png", "", "", "img-1", "look", -1});
    m.attachments.push_back(
        {"document", "application/pdf", "../../etc/\"Rech\xC3\xA4nung\".pdf", "", "img-1", "", -1});
    m.attachments.push_back({"document", "application/pdf", "", "", "gone", "", -1});
    m.attachments.push_back({"audio", "audio/ogg", "", "", "slow", "", -1});
    m.attachments.push_back({"video", "video/mp4", "", "", "cannot", "", -1});
    m.attachments.push_back(
        {"image", "image/png", "", "https://example.invalid/x.png", "", "", -1});
    auto r = store_->insert_inbound_resolved(std::span<const store::InboundMessage>(&m, 1));
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    stored_ = r->at(0);
    base_ = "/v1/messages/" + std::to_string(stored_.message_id) + "/attachments/";
  }
  store::InboundResult stored_;
  std::string base_;
};

TEST_F(MediaApi, DownloadsTheBytesWithTypeLengthAndSafeHeaders) {
  auto r = call("GET", base_ + "0", supervisor_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, std::string("\x89PNG\r\n\x1a\n\0binary", 15));
  EXPECT_EQ(r.content_type, "image/png");
  EXPECT_EQ(channels_.last_media_id, "img-1");
  EXPECT_EQ(channels_.last_max_bytes, size_t{16} << 20);
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(header(r, "ETag"), "\"sha256-" + std::string(64, 'a') + "\"");
  EXPECT_EQ(header(r, "Content-Disposition"), "attachment; filename=\"image-" +
                                                  std::to_string(stored_.message_id) +
                                                  "-0.png\"; filename*=UTF-8''image-" +
                                                  std::to_string(stored_.message_id) + "-0.png");
}

TEST_F(MediaApi, SenderFileNamesCannotEscapeTheHeaderOrTheDirectory) {
  auto r = call("GET", base_ + "1", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Content-Disposition"),
            "attachment; filename=\"_Rech__nung_.pdf\"; "
            "filename*=UTF-8''%22Rech%C3%A4nung%22.pdf");
}

TEST_F(MediaApi, AHostileMimeTypeIsServedAsOpaqueBytes) {
  channels_.media_mime = "text/html\r\nSet-Cookie: x=1";
  auto r = call("GET", base_ + "0", admin_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/octet-stream");
}

TEST_F(MediaApi, ErrorsAreJson) {
  EXPECT_EQ(call("GET", "/v1/messages/999999/attachments/0", admin_).status, 404);
  auto none = call("GET", base_ + "6", admin_);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(error_code(none), "not_found");
  EXPECT_EQ(call("GET", base_ + "x", admin_).status, 404);
  EXPECT_EQ(call("GET", base_ + "-1", admin_).status, 404);
  auto no_media = call("GET", base_ + "5", admin_);
  EXPECT_EQ(no_media.status, 409);
  EXPECT_EQ(error_code(no_media), "failed_precondition");
  auto gone = call("GET", base_ + "2", admin_);
  EXPECT_EQ(gone.status, 502);
  EXPECT_EQ(error_code(gone), "bad_gateway");
  EXPECT_EQ(call("GET", base_ + "3", admin_).status, 504);
  auto cannot = call("GET", base_ + "4", admin_);
  EXPECT_EQ(cannot.status, 501);
  EXPECT_EQ(error_code(cannot), "not_implemented");
  EXPECT_EQ(call("POST", base_ + "0", admin_).status, 405);
}

TEST_F(MediaApi, AgentsDownloadOnlyFromConversationsTheySee) {
  EXPECT_EQ(call("GET", base_ + "0", agent_).status, 403);
  EXPECT_TRUE(channels_.last_media_id.empty());  // refused before the channel was asked
  EXPECT_EQ(call("GET", base_ + "0", "").status, 401);
  const std::string conv =
      "/v1/conversations/" + std::to_string(stored_.resolution.conversation_id);
  ASSERT_EQ(call("POST", conv + "/assign", supervisor_, R"({"agent":null,"queue":"sales"})").status,
            200);
  EXPECT_EQ(call("GET", base_ + "0", agent_).status, 200);
  EXPECT_EQ(call("GET", base_ + "0", other_agent_).status, 403);
}

TEST_F(ApiTest, ClockRoutesDoNotExistWithoutAControllableClock) {
  EXPECT_EQ(call("GET", "/v1/admin/clock", admin_).status, 404);
  EXPECT_EQ(call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":1000})").status, 404);
}

class ProductionClockApi : public ApiTest {
 protected:
  void customize(ApiDeps& deps) override { deps.clock = &clock_; }
  HostClock clock_;  // not controllable
};

TEST_F(ProductionClockApi, ASystemClockIsNeverMounted) {
  EXPECT_EQ(call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":1000})").status, 404);
  EXPECT_EQ(clock_.offset_ms(), 0);
}

class TestClockApi : public ApiTest {
 protected:
  void customize(ApiDeps& deps) override {
    deps.clock = &clock_;
    deps.on_clock_advanced = [this] { ++kicks_; };
  }
  HostClock clock_{true};
  int kicks_ = 0;
};

TEST_F(TestClockApi, AdminsMoveTheClockForward) {
  auto before = call("GET", "/v1/admin/clock", admin_);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(json(before)->getValue<int64_t>("offset_ms"), 0);
  EXPECT_TRUE(json(before)->getValue<bool>("controllable"));
  auto moved = call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":86460000})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(json(moved)->getValue<int64_t>("offset_ms"), 86'460'000);
  EXPECT_GE(json(moved)->getValue<int64_t>("now_ms"),
            json(before)->getValue<int64_t>("now_ms") + 86'460'000);
  EXPECT_EQ(kicks_, 1);
  EXPECT_EQ(clock_.offset_ms(), 86'460'000);
}

TEST_F(TestClockApi, OnlyForwardOnlyAdminsOnlyKnownFields) {
  EXPECT_EQ(call("POST", "/v1/admin/clock", supervisor_, R"({"advance_ms":1})").status, 403);
  EXPECT_EQ(call("GET", "/v1/admin/clock", agent_).status, 403);
  auto back = call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":-1})");
  EXPECT_EQ(back.status, 400);
  EXPECT_EQ(json(back)->getObject("error")->getValue<std::string>("field"), "advance_ms");
  EXPECT_EQ(call("POST", "/v1/admin/clock", admin_, R"({})").status, 400);
  EXPECT_EQ(call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":1,"set_ms":5})").status, 400);
  EXPECT_EQ(call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":"5"})").status, 400);
  EXPECT_EQ(clock_.offset_ms(), 0);
  EXPECT_EQ(kicks_, 0);
}

}  // namespace
}  // namespace sb::api::testing

namespace sb::api::testing {
namespace {

class CachedMediaApi : public MediaApi {
 protected:
  void customize(ApiDeps& deps) override {
    auto c = MediaCache::open(dir_ / "media", 1 << 20);
    ASSERT_TRUE(c.is_ok()) << c.status().message();
    cache_ = std::move(c).value();
    deps.media_cache = cache_.get();
  }
  std::unique_ptr<MediaCache> cache_;
};

TEST_F(CachedMediaApi, TheSecondDownloadComesFromTheCacheAfterTheVisibilityCheck) {
  auto first = call("GET", base_ + "0", admin_);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(header(first, "X-Switchboard-Media-Cache"), "miss");
  channels_.last_media_id.clear();
  auto second = call("GET", base_ + "0", admin_);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(header(second, "X-Switchboard-Media-Cache"), "hit");
  EXPECT_TRUE(channels_.last_media_id.empty());  // the channel was not asked again
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.content_type, "image/png");
  EXPECT_EQ(call("GET", base_ + "0", agent_).status, 403);  // cached, but still not hers
  // Failures are not cached.
  EXPECT_EQ(call("GET", base_ + "2", admin_).status, 502);
  EXPECT_EQ(call("GET", base_ + "2", admin_).status, 502);
}

}  // namespace
}  // namespace sb::api::testing
