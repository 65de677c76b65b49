// switchboard::Host and the views, against the fake host's table (no plugin involved).
#include <switchboard/sdk.hpp>
#include <switchboard/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

namespace sw = switchboard;
using sw::testing::FakeHost;

TEST(HostWrapper, FieldEndMatchesOffsetof) {
  EXPECT_EQ(sw::field_end(&sb_host_api::kv_get),
            offsetof(sb_host_api, kv_get) + sizeof(sb_host_api::kv_get));
  EXPECT_EQ(sw::field_end(&sb_host_api::complete_send), sizeof(sb_host_api));
  EXPECT_EQ(sw::field_end(&sb_can_send_result::expires_at_ms), sizeof(sb_can_send_result));
}

TEST(HostWrapper, RefusesSlotsBeyondStructSize) {
  FakeHost fake;
  fake.kv_set("k", "v");
  // Play a host whose table ends just before kv_get: every later slot must be left alone.
  fake.api().struct_size = static_cast<uint32_t>(offsetof(sb_host_api, kv_get));
  sw::Host host(&fake.api(), fake.ctx());

  int32_t status = SB_OK;
  EXPECT_EQ(host.kv_get("k", &status), std::nullopt);
  EXPECT_EQ(status, SB_ERR_UNSUPPORTED);
  EXPECT_EQ(host.kv_put("k", "changed"), SB_ERR_UNSUPPORTED);
  EXPECT_EQ(host.kv_delete("k"), SB_ERR_UNSUPPORTED);
  EXPECT_EQ(host.secret("token"), std::nullopt);
  EXPECT_EQ(host.complete_send(1, "p"), SB_ERR_UNSUPPORTED);
  EXPECT_EQ(host.extension("x"), nullptr);
  EXPECT_FALSE(host.supports(&sb_host_api::now_ms));
  EXPECT_EQ(fake.kv().at("k"), "v");

  // Slots inside the table still work.
  EXPECT_TRUE(host.supports(&sb_host_api::register_webhook));
  host.info("still here");
  EXPECT_TRUE(fake.logged("still here"));
}

TEST(HostWrapper, NullSlotIsUnsupported) {
  FakeHost fake;
  fake.api().report_delivery = nullptr;
  sw::Host host(&fake.api(), fake.ctx());
  sw::DeliveryReport r;
  r.message_id = 7;
  EXPECT_EQ(host.report_delivery(r), SB_ERR_UNSUPPORTED);
  EXPECT_TRUE(fake.deliveries().empty());
}

TEST(HostWrapper, ReadStructZeroesFieldsThePeerDidNotSend) {
  sb_outbound_message small{};
  small.struct_size = static_cast<uint32_t>(offsetof(sb_outbound_message, content_type));
  small.message_id = 9;
  small.to = SB_STR_LIT("+4915112345678");
  small.text = SB_STR_LIT("must not be read");  // beyond struct_size
  sw::OutboundMessage m(&small);
  EXPECT_EQ(m.message_id(), 9);
  EXPECT_EQ(m.to(), "+4915112345678");
  EXPECT_EQ(m.text(), "");
  EXPECT_EQ(m.attachment_count(), 0u);
}

// payload_json was appended in ABI 1.1: a 1.1 host's query shows it (empty when the message has
// none), a 1.0 host's query ends before it and the view says it is absent, whatever lies behind.
TEST(CanSendQueryView, PayloadIsSeenFromANewHostAndAbsentFromAOneDotZeroHost) {
  const std::string payload = R"({"name":"order_update","language":"en_US"})";
  sb_can_send_query q{};
  q.struct_size = sizeof q;
  q.to = sw::to_sb_str("+4915112345678");
  q.content_type = sw::to_sb_str("template");
  q.payload_json = sw::to_sb_str(payload);
  sw::CanSendQuery current(&q);
  ASSERT_TRUE(current.payload_json().has_value());
  EXPECT_EQ(*current.payload_json(), payload);
  EXPECT_EQ(current.content_type(), "template");

  q.struct_size = static_cast<uint32_t>(offsetof(sb_can_send_query, payload_json));  // 1.0 host
  sw::CanSendQuery old(&q);
  EXPECT_FALSE(old.payload_json().has_value());
  EXPECT_EQ(old.to(), "+4915112345678");

  sb_can_send_query none{};
  none.struct_size = sizeof none;
  sw::CanSendQuery empty(&none);
  ASSERT_TRUE(empty.payload_json().has_value());
  EXPECT_TRUE(empty.payload_json()->empty());
}

TEST(HostWrapper, TimerOwnsItsCallableUntilItRuns) {
  FakeHost fake;
  sw::Host host(&fake.api(), fake.ctx());
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watch = sentinel;
  int runs = 0;
  sw::Host::TimerId id =
      host.set_timer(std::chrono::milliseconds(50), [s = std::move(sentinel), &runs] {
        ++*s;
        ++runs;
      });
  ASSERT_NE(id, 0u);
  EXPECT_EQ(host.pending_tasks(), 1u);
  EXPECT_EQ(fake.advance_and_run(std::chrono::milliseconds(49)), 0u);
  EXPECT_EQ(fake.advance_and_run(std::chrono::milliseconds(1)), 1u);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(watch.expired());  // ran once, then freed
  EXPECT_EQ(host.pending_tasks(), 0u);
  EXPECT_EQ(host.cancel_timer(id), SB_ERR_NOT_FOUND);
}

TEST(HostWrapper, CancelFreesTheCallable) {
  FakeHost fake;
  sw::Host host(&fake.api(), fake.ctx());
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watch = sentinel;
  auto id = host.set_timer(std::chrono::milliseconds(10), [s = std::move(sentinel)] { ++*s; });
  EXPECT_EQ(host.cancel_timer(id), SB_OK);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(fake.advance_and_run(std::chrono::milliseconds(100)), 0u);
}

TEST(HostWrapper, DestroyingTheHostFreesPendingCallables) {
  FakeHost fake;
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watch = sentinel;
  {
    sw::Host host(&fake.api(), fake.ctx());
    host.set_timer(std::chrono::milliseconds(10), [s = sentinel] { ++*s; });
    host.post([s = std::move(sentinel)] { ++*s; });
    EXPECT_EQ(host.pending_tasks(), 2u);
  }
  EXPECT_TRUE(watch.expired());
}

TEST(HostWrapper, RefusedPostAndTimerFreeTheCallable) {
  FakeHost fake;
  fake.api().post = [](sb_host_ctx*, sb_task_fn, void*) -> int32_t { return SB_ERR_STATE; };
  fake.api().set_timer = [](sb_host_ctx*, uint64_t, sb_task_fn, void*) -> uint64_t { return 0; };
  sw::Host host(&fake.api(), fake.ctx());
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> watch = sentinel;
  EXPECT_EQ(host.post([s = sentinel] { ++*s; }), SB_ERR_STATE);
  EXPECT_EQ(host.set_timer(std::chrono::milliseconds(1), [s = std::move(sentinel)] { ++*s; }), 0u);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(host.pending_tasks(), 0u);
}

TEST(HostWrapper, TimersFireInDueOrderAndPostsFirst) {
  FakeHost fake;
  sw::Host host(&fake.api(), fake.ctx());
  std::string order;
  host.set_timer(std::chrono::milliseconds(30), [&] { order += "c"; });
  host.set_timer(std::chrono::milliseconds(10), [&] { order += "a"; });
  host.set_timer(std::chrono::milliseconds(10), [&] { order += "b"; });
  host.post([&] { order += "p"; });
  fake.advance(std::chrono::milliseconds(30));
  EXPECT_EQ(fake.run_due(), 4u);
  EXPECT_EQ(order, "pabc");
}

TEST(HostWrapper, HttpRequestCollectsTheResponse) {
  FakeHost fake;
  fake.set_http_handler([](const sw::testing::HttpCall& call) {
    sw::testing::HttpReply r;
    r.status = 201;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = "{\"echo\":\"" + call.body + "\"}";
    return r;
  });
  sw::Host host(&fake.api(), fake.ctx());
  sw::HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:1/x";
  req.headers = {{"Authorization", "Bearer t"}, {"X-A", "1"}};
  req.body = "hi";
  auto resp = host.http_request(req);
  ASSERT_TRUE(resp) << resp.error().message;
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body, "{\"echo\":\"hi\"}");
  EXPECT_EQ(resp->header("content-type"), "application/json");
  ASSERT_EQ(fake.http_calls().size(), 1u);
  EXPECT_EQ(fake.http_calls()[0].headers, "Authorization: Bearer t\r\nX-A: 1\r\n");
  EXPECT_EQ(fake.http_calls()[0].method, "POST");
}

TEST(HostWrapper, HttpNetworkFailureIsAnError) {
  FakeHost fake;  // no handler installed: the fake answers TRANSIENT
  sw::Host host(&fake.api(), fake.ctx());
  sw::HttpRequest req;
  req.url = "http://127.0.0.1:1/";
  auto resp = host.http_request(req);
  ASSERT_FALSE(resp);
  EXPECT_EQ(resp.error().status, SB_ERR_TRANSIENT);
  EXPECT_TRUE(resp.error().retryable);
  EXPECT_NE(resp.error().message.find("no HTTP handler"), std::string::npos);
}

TEST(HostWrapper, KvSecretsAndClock) {
  FakeHost fake;
  fake.set_secret("access_token", "s3cr3t");
  fake.set_now_ms(1'234'567);
  sw::Host host(&fake.api(), fake.ctx());
  EXPECT_EQ(host.kv_put("a", "1"), SB_OK);
  EXPECT_EQ(host.kv_get("a"), "1");
  int32_t status = SB_OK;
  EXPECT_EQ(host.kv_get("b", &status), std::nullopt);
  EXPECT_EQ(status, SB_ERR_NOT_FOUND);
  EXPECT_EQ(host.kv_delete("a"), SB_OK);
  EXPECT_EQ(host.kv_delete("a"), SB_ERR_NOT_FOUND);
  EXPECT_EQ(host.secret("access_token"), "s3cr3t");
  EXPECT_EQ(host.secret("other"), std::nullopt);
  EXPECT_EQ(host.now_ms(), 1'234'567);
  fake.advance(std::chrono::milliseconds(5));
  EXPECT_EQ(host.now().time_since_epoch(), std::chrono::milliseconds(1'234'572));
}

TEST(HostWrapper, SubmitInboundReportsPerMessageStatuses) {
  FakeHost fake;
  sw::Host host(&fake.api(), fake.ctx());
  std::vector<sw::InboundMessage> batch(3);
  batch[0].provider_message_id("m1").from("+49301234567", "phone").text("hello");
  batch[0].add_attachment({"image", "image/png", "a.png", "", "media-1", "cap", 42});
  batch[1].provider_message_id("m1").from("+49301234567", "phone").text("again");
  batch[2].from("+49301234567", "phone");  // no provider id: invalid
  auto r = host.submit_inbound(batch);
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(r.statuses, (std::vector<int32_t>{SB_OK, SB_DUPLICATE, SB_ERR_INVALID_ARG}));
  ASSERT_EQ(fake.inbound().size(), 1u);
  const auto stored = fake.inbound().at(0);
  EXPECT_EQ(stored.text, "hello");
  EXPECT_EQ(stored.from_kind, "phone");
  ASSERT_EQ(stored.attachments.size(), 1u);
  EXPECT_EQ(stored.attachments[0].provider_media_id, "media-1");
  EXPECT_EQ(stored.attachments[0].size_bytes, 42);
  EXPECT_EQ(host.submit_inbound(batch[1]), SB_DUPLICATE);
}

TEST(WebhookRequestView, HeaderLookupIsCaseInsensitiveAndQueryDecodes) {
  sb_webhook_request r{};
  r.struct_size = sizeof(r);
  r.headers = SB_STR_LIT("Content-Type: application/json\r\nX-Hub-Signature-256:  sha256=ab \r\n");
  r.query = SB_STR_LIT("hub.mode=subscribe&hub.challenge=a%20b+c&empty&bad=%zz");
  sw::WebhookRequest req(&r);
  EXPECT_EQ(req.header("x-hub-signature-256"), "sha256=ab");
  EXPECT_EQ(req.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(req.header("missing"), std::nullopt);
  EXPECT_EQ(req.query_param("hub.challenge"), "a b c");
  EXPECT_EQ(req.query_param("empty"), "");
  EXPECT_EQ(req.query_param("bad"), "%zz");
  EXPECT_EQ(req.query_param("nope"), std::nullopt);
}

TEST(HostWrapper, WholeCallFailureGivesEveryMessageTheCallsStatus) {
  FakeHost fake;
  fake.api().submit_inbound = [](sb_host_ctx*, const sb_inbound_message* const*, uint32_t,
                                 int32_t*) -> int32_t { return SB_ERR_STATE; };
  sw::Host host(&fake.api(), fake.ctx());
  sw::InboundMessage m;
  m.provider_message_id("m1").from("+49301234567", "phone");
  EXPECT_EQ(host.submit_inbound(m), SB_ERR_STATE);
  std::vector<sw::InboundMessage> batch(2, m);
  auto r = host.submit_inbound(batch);
  EXPECT_EQ(r.status, SB_ERR_STATE);
  EXPECT_EQ(r.statuses, (std::vector<int32_t>{SB_ERR_STATE, SB_ERR_STATE}));
}

// The host refuses a call above its limit as a whole (statuses unwritten): the wrapper splits a
// large batch so that every message is stored, each call within the limit.
TEST(HostWrapper, SubmitInboundSplitsBatchesAboveTheHostLimit) {
  FakeHost fake;
  sw::Host host(&fake.api(), fake.ctx());
  std::vector<sw::InboundMessage> batch(2 * sw::kMaxInboundBatch + 500);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].provider_message_id("m" + std::to_string(i)).from("+49301234567", "phone").text("x");
  }
  batch[1700].provider_message_id("m0");  // a duplicate in the second chunk
  auto r = host.submit_inbound(batch);
  EXPECT_EQ(r.status, SB_OK);
  ASSERT_EQ(r.statuses.size(), batch.size());
  EXPECT_EQ(std::count(r.statuses.begin(), r.statuses.end(), SB_OK),
            static_cast<std::ptrdiff_t>(batch.size() - 1));
  EXPECT_EQ(r.statuses[1700], SB_DUPLICATE);
  EXPECT_EQ(fake.inbound().size(), batch.size() - 1);
  EXPECT_EQ(fake.submit_calls(), (std::vector<uint32_t>{1000, 1000, 500}));
}

// A failing chunk marks only its own messages and makes the call's status an error; a call the
// host refused as a whole with INVALID_ARG leaves its messages unjudged, never "invalid".
TEST(HostWrapper, SubmitInboundChunkFailureMarksOnlyThatChunk) {
  FakeHost fake;
  fake.api().submit_inbound = [](sb_host_ctx*, const sb_inbound_message* const* msgs,
                                 uint32_t count, int32_t* statuses) -> int32_t {
    std::string_view first(msgs[0]->provider_message_id.data, msgs[0]->provider_message_id.size);
    if (first == "m1000") return SB_ERR_INVALID_ARG;  // the second call: refused as a whole
    std::fill_n(statuses, count, SB_OK);
    return SB_OK;
  };
  sw::Host host(&fake.api(), fake.ctx());
  std::vector<sw::InboundMessage> batch(sw::kMaxInboundBatch + 10);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].provider_message_id("m" + std::to_string(i)).from("+49301234567", "phone");
  }
  auto r = host.submit_inbound(batch);
  EXPECT_EQ(r.status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(r.statuses[0], SB_OK);
  EXPECT_EQ(r.statuses[999], SB_OK);
  EXPECT_EQ(r.statuses[1000], SB_ERR_INTERNAL);
  EXPECT_EQ(r.statuses[1009], SB_ERR_INTERNAL);
}

TEST(HostWrapper, PostsFromAnotherThreadAllRunOnce) {
  FakeHost fake;
  sw::Host host(&fake.api(), fake.ctx());
  constexpr int kTasks = 2000;
  int ran = 0;  // touched only by the tasks, which run on this thread (the "strand")
  std::atomic<bool> refused{false};
  std::thread producer([&] {
    for (int i = 0; i < kTasks && !refused; ++i) {
      if (host.post([&ran] { ++ran; }) != SB_OK) refused = true;
    }
  });
  while (ran < kTasks && !refused) fake.run_posted();
  producer.join();
  EXPECT_FALSE(refused);
  EXPECT_EQ(ran, kTasks);
  EXPECT_EQ(host.pending_tasks(), 0u);
}
