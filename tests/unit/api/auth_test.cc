// Authentication and route-level authorization of the API router.
#include <sqlite3.h>

#include "fixture.h"

namespace sb::api::testing {
namespace {

TEST_F(ApiTest, MissingMalformedUnknownAndRevokedTokensAre401Json) {
  auto none = call("GET", "/v1/conversations", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.content_type, "application/json");
  EXPECT_EQ(error_code(none), "unauthorized");

  http::Request basic;
  basic.method = "GET";
  basic.path = "/v1/conversations";
  basic.headers.emplace_back("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(router_.dispatch(basic).status, 401);

  EXPECT_EQ(call("GET", "/v1/conversations", auth::generate_token()).status, 401);
  EXPECT_EQ(call("GET", "/v1/conversations", agent_ + "x").status, 401);

  auto tokens = api_store_->tokens();
  ASSERT_TRUE(tokens.is_ok());
  int64_t alice_id = 0;
  for (const auto& t : *tokens) {
    if (t.name == "alice") alice_id = t.id;
  }
  ASSERT_NE(alice_id, 0);
  EXPECT_EQ(call("GET", "/v1/conversations", agent_).status, 200);
  ASSERT_TRUE(api_store_->revoke_token(alice_id).is_ok());
  auto revoked = call("GET", "/v1/conversations", agent_);
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(error_code(revoked), "unauthorized");
  EXPECT_EQ(api_store_->revoke_token(999).code(), Code::kNotFound);
}

std::string challenge(const http::Response& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "WWW-Authenticate") return value;
  }
  return "";
}

TEST_F(ApiTest, Every401CarriesABearerChallengeNamingABadToken) {
  // RFC 6750 §3: no error attribute when no credentials were given; invalid_token for a bad one.
  EXPECT_EQ(challenge(call("GET", "/v1/conversations", "")), "Bearer realm=\"switchboard\"");
  EXPECT_EQ(challenge(call("GET", "/v1/conversations", auth::generate_token())),
            "Bearer realm=\"switchboard\", error=\"invalid_token\"");
  http::Request basic;
  basic.method = "GET";
  basic.path = "/v1/conversations";
  basic.headers.emplace_back("Authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(challenge(router_.dispatch(basic)),
            "Bearer realm=\"switchboard\", error=\"invalid_request\"");
  EXPECT_EQ(challenge(call("GET", "/v1/conversations", agent_)), "");  // 200: no challenge
}

TEST_F(ApiTest, RevokingATokenEndsTheLeasesHeldOnIt) {
  auto tokens = api_store_->tokens();
  ASSERT_TRUE(tokens.is_ok());
  ASSERT_FALSE(tokens->empty());
  const int64_t id = tokens->front().id;
  auto lease = api_store_->credentials().hold(id);
  auto other = api_store_->credentials().hold(id + 1000);
  EXPECT_TRUE(lease->valid());
  ASSERT_TRUE(api_store_->revoke_token(id).is_ok());
  EXPECT_FALSE(lease->valid());
  EXPECT_TRUE(other->valid());
}

TEST_F(ApiTest, RoleBelowTheRoutesIs403WithMessage) {
  auto r = call("GET", "/v1/contacts", agent_);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "forbidden");
  EXPECT_NE(json(r)->getObject("error")->getValue<std::string>("message").find("supervisor"),
            std::string::npos);
  EXPECT_EQ(call("POST", "/v1/queues", supervisor_, R"({"id":"q"})").status, 403);
  EXPECT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"q"})").status, 201);
}

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  auto missing = call("GET", "/v1/nothing", admin_);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(error_code(missing), "not_found");
  auto wrong = call("DELETE", "/v1/conversations", admin_);
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(error_code(wrong), "method_not_allowed");
  ASSERT_FALSE(wrong.headers.empty());
  EXPECT_EQ(wrong.headers[0].first, "Allow");
  EXPECT_EQ(wrong.headers[0].second, "GET, POST");
}

TEST_F(ApiTest, OnlyTheTokenHashIsStoredAndUseIsRecorded) {
  auto tokens = api_store_->tokens();
  ASSERT_TRUE(tokens.is_ok());
  ASSERT_EQ(tokens->size(), 4u);
  for (const auto& t : *tokens) EXPECT_EQ(t.last_used_at_ms, 0);
  EXPECT_EQ(call("GET", "/v1/agents", supervisor_).status, 200);

  // Read the raw table: the token text must appear nowhere in the database.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "sb.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT token_hash, last_used_at FROM api_tokens WHERE name = "
                               "'sue'",
                               -1, &q, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  const std::string stored = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  EXPECT_EQ(stored, auth::hash_token(supervisor_));
  EXPECT_EQ(stored.find(supervisor_), std::string::npos);
  EXPECT_GT(sqlite3_column_int64(q, 1), 0);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

}  // namespace
}  // namespace sb::api::testing
