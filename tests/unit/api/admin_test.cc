// Agents and queues CRUD (admin) with supervisor reads; channels and channel operations.
#include "fixture.h"

namespace sb::api::testing {
namespace {

TEST_F(ApiTest, QueuesCrud) {
  auto created =
      call("POST", "/v1/queues", admin_, R"({"id":"vip","name":"VIP","strategy":"sticky"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json(created)->getValue<std::string>("strategy"), "sticky");
  EXPECT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"vip"})").status, 409);
  auto bad = call("POST", "/v1/queues", admin_, R"({"id":"vip 2"})");
  EXPECT_EQ(json(bad)->getObject("error")->getValue<std::string>("field"), "id");
  auto strategy = call("PUT", "/v1/queues/vip", admin_, R"({"strategy":"random"})");
  EXPECT_EQ(json(strategy)->getObject("error")->getValue<std::string>("field"), "strategy");

  auto updated = call("PUT", "/v1/queues/vip", admin_, R"({"name":"Very important"})");
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(json(updated)->getValue<std::string>("name"), "Very important");
  EXPECT_EQ(json(updated)->getValue<std::string>("strategy"), "sticky");  // kept
  EXPECT_EQ(json(call("GET", "/v1/queues", supervisor_))->getArray("items")->size(), 1u);
  EXPECT_EQ(call("GET", "/v1/queues/vip", supervisor_).status, 200);
  EXPECT_EQ(call("GET", "/v1/queues", agent_).status, 403);
  EXPECT_EQ(call("PUT", "/v1/queues/vip", supervisor_, R"({"name":"x"})").status, 403);
  EXPECT_EQ(call("DELETE", "/v1/queues/vip", admin_).status, 204);
  EXPECT_EQ(call("DELETE", "/v1/queues/vip", admin_).status, 404);
  EXPECT_EQ(call("GET", "/v1/queues/vip", supervisor_).status, 404);
}

TEST_F(ApiTest, AgentsCrudWithQueues) {
  ASSERT_EQ(call("POST", "/v1/queues", admin_, R"({"id":"sales"})").status, 201);
  auto unknown_queue = call("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["nope"]})");
  EXPECT_EQ(unknown_queue.status, 400);
  EXPECT_EQ(json(unknown_queue)->getObject("error")->getValue<std::string>("field"), "queues");
  EXPECT_EQ(call("GET", "/v1/agents/alice", admin_).status, 404);  // nothing half-created

  auto created = call("POST", "/v1/agents", admin_,
                      R"({"id":"alice","name":"Alice","skills":["de","billing"],)"
                      R"("max_concurrent":3,"presence":"online","queues":["sales"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto a = json(created);
  EXPECT_EQ(a->getArray("skills")->size(), 2u);
  EXPECT_EQ(a->getArray("queues")->getElement<std::string>(0), "sales");
  EXPECT_EQ(a->getValue<int64_t>("max_concurrent"), 3);

  auto wrong = call("PUT", "/v1/agents/alice", admin_, R"({"max_concurrent":"3"})");
  EXPECT_EQ(json(wrong)->getObject("error")->getValue<std::string>("field"), "max_concurrent");
  auto range = call("PUT", "/v1/agents/alice", admin_, R"({"max_concurrent":-1})");
  EXPECT_EQ(json(range)->getObject("error")->getValue<std::string>("field"), "max_concurrent");
  auto presence = call("PUT", "/v1/agents/alice", admin_, R"({"presence":"busy"})");
  EXPECT_EQ(json(presence)->getObject("error")->getValue<std::string>("field"), "presence");
  auto skills = call("PUT", "/v1/agents/alice", admin_, R"({"skills":[1]})");
  EXPECT_EQ(json(skills)->getObject("error")->getValue<std::string>("field"), "skills");

  auto updated = call("PUT", "/v1/agents/alice", admin_, R"({"presence":"away","queues":[]})");
  ASSERT_EQ(updated.status, 200);
  EXPECT_EQ(json(updated)->getValue<std::string>("presence"), "away");
  EXPECT_EQ(json(updated)->getArray("queues")->size(), 0u);
  EXPECT_EQ(json(updated)->getValue<std::string>("name"), "Alice");  // kept

  EXPECT_EQ(call("GET", "/v1/agents", supervisor_).status, 200);
  EXPECT_EQ(call("POST", "/v1/agents", supervisor_, R"({"id":"x"})").status, 403);
  EXPECT_EQ(call("DELETE", "/v1/agents/alice", supervisor_).status, 403);
  EXPECT_EQ(call("DELETE", "/v1/agents/alice", admin_).status, 204);
  EXPECT_EQ(call("GET", "/v1/agents/alice", supervisor_).status, 404);
}

TEST_F(ApiTest, ChannelsAndOperations) {
  auto list = call("GET", "/v1/channels", supervisor_);
  ASSERT_EQ(list.status, 200);
  auto c = json(list)->getArray("items")->getObject(0);
  EXPECT_EQ(c->getValue<std::string>("id"), "wa1");
  EXPECT_EQ(c->getObject("health")->getObject("details")->getValue<int>("templates"), 3);
  EXPECT_EQ(call("GET", "/v1/channels", agent_).status, 403);

  auto op = call("POST", "/v1/channels/wa1/ops/echo", admin_, R"({"a":1})");
  ASSERT_EQ(op.status, 200) << op.body;
  EXPECT_EQ(op.body, R"({"got":{"a":1}})");
  EXPECT_EQ(call("POST", "/v1/channels/wa1/ops/echo", supervisor_, "{}").status, 403);
  EXPECT_EQ(call("POST", "/v1/channels/nope/ops/echo", admin_, "{}").status, 404);
  EXPECT_EQ(call("POST", "/v1/channels/wa1/ops/other", admin_, "{}").status, 404);
  EXPECT_EQ(error_code(call("POST", "/v1/channels/wa1/ops/echo", admin_, "{bad")),
            "malformed_json");
}

TEST_F(ApiTest, AnOperationsErrorCarriesThePluginsTextAndFieldWithoutTheRuntimesPrefix) {
  // As the runtime words a plugin's invalid argument: the field path leads the plugin's text.
  channels_.op_failure = invalid_argument(
      "invoke fail: SB_ERR_INVALID_ARG: components[1].text: must not be empty; name: too long");
  auto bad = call("POST", "/v1/channels/wa1/ops/fail", admin_, "{}");
  ASSERT_EQ(bad.status, 400) << bad.body;
  auto e = json(bad)->getObject("error");
  EXPECT_EQ(e->getValue<std::string>("code"), "invalid_argument");
  EXPECT_EQ(e->getValue<std::string>("field"), "components[1].text");
  EXPECT_EQ(e->getValue<std::string>("message"),
            "components[1].text: must not be empty; name: too long");

  channels_.op_failure = not_found("invoke fail: SB_ERR_NOT_FOUND: no such template");
  auto missing = call("POST", "/v1/channels/wa1/ops/fail", admin_, "{}");
  ASSERT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(json(missing)->getObject("error")->getValue<std::string>("message"),
            "no such template");
  EXPECT_FALSE(json(missing)->getObject("error")->has("field"));
}

}  // namespace
}  // namespace sb::api::testing
