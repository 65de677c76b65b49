// The table of docs/whatsapp-cloud-api.md §6.2: every documented code maps to the ABI status a
// caller acts on.
#include "errors.hpp"

#include <gtest/gtest.h>

namespace {

struct Row {
  int64_t code;
  int32_t http;
  int32_t status;
};

TEST(WaErrorTable, EveryDocumentedCodeHasItsStatus) {
  const Row rows[] = {
      {0, 401, SB_ERR_AUTH},
      {1, 400, SB_ERR_TRANSIENT},
      {2, 503, SB_ERR_TRANSIENT},
      {3, 500, SB_ERR_AUTH},
      {4, 400, SB_ERR_RATE_LIMITED},
      {10, 403, SB_ERR_AUTH},
      {33, 400, SB_ERR_REJECTED},
      {100, 400, SB_ERR_INVALID_ARG},
      {190, 401, SB_ERR_AUTH},
      {200, 403, SB_ERR_AUTH},
      {299, 403, SB_ERR_AUTH},
      {368, 403, SB_ERR_REJECTED},
      {80007, 400, SB_ERR_RATE_LIMITED},
      {130429, 400, SB_ERR_RATE_LIMITED},
      {130472, 400, SB_ERR_REJECTED},
      {130497, 403, SB_ERR_REJECTED},
      {131000, 500, SB_ERR_TRANSIENT},
      {131005, 403, SB_ERR_AUTH},
      {131008, 400, SB_ERR_INVALID_ARG},
      {131009, 400, SB_ERR_INVALID_ARG},
      {131016, 500, SB_ERR_TRANSIENT},
      {131021, 400, SB_ERR_INVALID_ARG},
      {131026, 400, SB_ERR_REJECTED},
      {131031, 403, SB_ERR_REJECTED},
      {131042, 400, SB_ERR_REJECTED},
      {131045, 500, SB_ERR_STATE},
      {131047, 400, SB_ERR_REJECTED},
      {131048, 400, SB_ERR_REJECTED},
      {131049, 0, SB_ERR_RATE_LIMITED},
      {131051, 400, SB_ERR_INVALID_ARG},
      {131052, 400, SB_ERR_REJECTED},
      {131053, 400, SB_ERR_REJECTED},
      {131056, 400, SB_ERR_RATE_LIMITED},
      {131057, 500, SB_ERR_TRANSIENT},
      {132000, 400, SB_ERR_INVALID_ARG},
      {132001, 404, SB_ERR_REJECTED},
      {132005, 400, SB_ERR_INVALID_ARG},
      {132007, 400, SB_ERR_INVALID_ARG},
      {132012, 400, SB_ERR_INVALID_ARG},
      {132015, 400, SB_ERR_REJECTED},
      {132016, 400, SB_ERR_REJECTED},
      {132068, 400, SB_ERR_REJECTED},
      {132069, 400, SB_ERR_REJECTED},
      {133000, 500, SB_ERR_STATE},
      {133004, 503, SB_ERR_TRANSIENT},
      {133005, 400, SB_ERR_INVALID_ARG},
      {133006, 400, SB_ERR_STATE},
      {133008, 400, SB_ERR_RATE_LIMITED},
      {133009, 400, SB_ERR_RATE_LIMITED},
      {133010, 400, SB_ERR_STATE},
      {133015, 400, SB_ERR_TRANSIENT},
      {133016, 400, SB_ERR_RATE_LIMITED},
      {135000, 400, SB_ERR_INVALID_ARG},
      {137000, 0, SB_ERR_REJECTED},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(wa::classify(r.code, r.http).status, r.status) << "code " << r.code;
  }
}

TEST(WaErrorTable, UnknownCodesFallBackOnHttpStatus) {
  EXPECT_EQ(wa::classify(999999, 503).status, SB_ERR_TRANSIENT);
  EXPECT_EQ(wa::classify(999999, 429).status, SB_ERR_RATE_LIMITED);
  EXPECT_EQ(wa::classify(999999, 401).status, SB_ERR_AUTH);
  EXPECT_EQ(wa::classify(999999, 404).status, SB_ERR_NOT_FOUND);
  EXPECT_EQ(wa::classify(999999, 400).status, SB_ERR_INVALID_ARG);
}

TEST(WaErrorTable, ToErrorCarriesCodeRetryAndDetails) {
  wa::GraphError g{131056, 400, "(#131056) pair rate limit hit", "too many messages"};
  switchboard::Error e = wa::to_error(g);
  EXPECT_EQ(e.status, SB_ERR_RATE_LIMITED);
  EXPECT_TRUE(e.retryable);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(6));
  EXPECT_EQ(e.provider_code, "131056");
  EXPECT_NE(e.message.find("too many messages"), std::string::npos);
  wa::GraphError w{131047, 0, "Re-engagement message", ""};
  switchboard::Error we = wa::to_error(w);
  EXPECT_FALSE(we.retryable);
  EXPECT_NE(we.message.find("template"), std::string::npos);
}

TEST(WaErrorTable, TokenErrors) {
  EXPECT_TRUE(wa::is_token_error(190));
  EXPECT_TRUE(wa::is_token_error(0));
  EXPECT_FALSE(wa::is_token_error(10));
}

TEST(WaErrorTable, ParsesGraphErrorBodies) {
  auto body = switchboard::json::parse(
      R"({"error":{"message":"(#132001) Template name does not exist in the translation",)"
      R"("type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp",)"
      R"("details":"template name (x) does not exist in en_US"},"fbtrace_id":"A"}})");
  ASSERT_TRUE(body);
  auto g = wa::parse_graph_error(*body, 404);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->code, 132001);
  EXPECT_EQ(g->http_status, 404);
  EXPECT_EQ(g->details, "template name (x) does not exist in en_US");
  EXPECT_FALSE(wa::parse_graph_error(*switchboard::json::parse(R"({"id":"1"})"), 200));
}

}  // namespace
