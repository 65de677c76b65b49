// An agent's event filter over fake lookups: which events an agent sees, and how often it reads
// the current state.
#include "events/agent_filter.h"

#include <map>

#include <gtest/gtest.h>

namespace sb::events {
namespace {

store::Conversation conv(int64_t id, std::optional<std::string> queue,
                         std::optional<std::string> assignee = std::nullopt) {
  store::Conversation c;
  c.id = id;
  c.queue = std::move(queue);
  c.assignee = std::move(assignee);
  return c;
}

Event ev(int64_t id, std::string type, std::string data) {
  return Event{id, std::move(type), 0, std::move(data)};
}

class AgentFilterTest : public ::testing::Test {
 protected:
  AgentLookups lookups() {
    AgentLookups l;
    l.queues_of = [this](const std::string& agent) -> Result<std::vector<std::string>> {
      ++queue_reads_;
      if (fail_) return unavailable("store down");
      return queues_[agent];
    };
    l.conversation = [this](int64_t id) -> Result<std::optional<store::Conversation>> {
      ++conversation_reads_;
      if (fail_) return unavailable("store down");
      auto it = conversations_.find(id);
      if (it == conversations_.end()) return std::optional<store::Conversation>();
      return std::optional<store::Conversation>(it->second);
    };
    l.conversation_of_message = [this](int64_t message_id) -> Result<int64_t> {
      auto it = messages_.find(message_id);
      return it == messages_.end() ? 0 : it->second;
    };
    return l;
  }

  std::map<std::string, std::vector<std::string>> queues_{{"ann", {"sales"}}, {"bob", {"support"}}};
  std::map<int64_t, store::Conversation> conversations_{
      {1, conv(1, "sales")},           // ann's queue
      {2, conv(2, "support")},         // bob's queue
      {3, conv(3, "support", "ann")},  // bob's queue, but assigned to ann
      {4, conv(4, std::nullopt)}};     // not routed yet
  std::map<int64_t, int64_t> messages_{{10, 1}, {20, 2}, {30, 3}};
  int queue_reads_ = 0, conversation_reads_ = 0;
  bool fail_ = false;
};

TEST_F(AgentFilterTest, SeesItsQueuesItsAssignmentsAndEventsNamingIt) {
  AgentEventFilter ann("ann", lookups());
  const std::vector<Event> batch = {
      ev(1, "conversation.created", R"({"conversation_id":1,"contact_id":7})"),
      ev(2, "message.created", R"({"message_id":10,"conversation_id":1,"direction":"inbound"})"),
      ev(3, "message.created", R"({"message_id":20,"conversation_id":2,"direction":"inbound"})"),
      ev(4, "message.created", R"({"message_id":30,"conversation_id":3,"direction":"outbound"})"),
      ev(5, "message.status", R"({"message_id":10,"status":"delivered"})"),
      ev(6, "message.status", R"({"message_id":20,"status":"delivered"})"),
      ev(7, "message.status", R"({"message_id":999,"status":"read"})"),  // unknown message
      ev(8, "conversation.created", R"({"conversation_id":4})"),         // no queue yet
      ev(9, "conversation.assigned",
         R"({"conversation_id":2,"agent_id":"ann","queue":"support","by":"sue"})"),
      ev(10, "conversation.assigned",
         R"({"conversation_id":2,"agent_id":"bob","previous_agent_id":"ann","queue":"support"})"),
      ev(11, "conversation.assigned",
         R"({"conversation_id":2,"agent_id":null,"queue":"support","by":"routing:waiting"})"),
      ev(12, "conversation.status", R"({"conversation_id":99,"status":"resolved"})"),  // gone
      ev(13, "message.created", "not json"),
      ev(14, "conversation.assigned", R"({"conversation_id":1,"agent_id":"annabel"})"),
  };
  auto shown = ann.visible(batch);
  ASSERT_TRUE(shown.is_ok()) << shown.status().message();
  const std::vector<bool> want = {true,  true, false, true,  true,  false, false,
                                  false, true, true,  false, false, false, true};
  EXPECT_EQ(*shown, want);
  // The state is read once per batch and conversation, not once per event.
  EXPECT_EQ(queue_reads_, 1);
  EXPECT_EQ(conversation_reads_, 5);  // 1, 2, 3, 4, 99
}

TEST_F(AgentFilterTest, FollowsTheCurrentStateFromOneBatchToTheNext) {
  AgentEventFilter bob("bob", lookups());
  const std::vector<Event> batch = {
      ev(1, "message.created", R"({"message_id":10,"conversation_id":1})")};
  EXPECT_EQ(*bob.visible(batch), std::vector<bool>{false});
  // The conversation moves to bob's queue; and then bob joins sales instead.
  conversations_[1].queue = "support";
  EXPECT_EQ(*bob.visible(batch), std::vector<bool>{true});
  conversations_[1].queue = "sales";
  queues_["bob"] = {"sales"};
  EXPECT_EQ(*bob.visible(batch), std::vector<bool>{true});
  queues_["bob"] = {};
  EXPECT_EQ(*bob.visible(batch), std::vector<bool>{false});
}

TEST_F(AgentFilterTest, AStoreErrorIsReturnedNotSwallowed) {
  AgentEventFilter ann("ann", lookups());
  fail_ = true;
  auto shown = ann.visible({ev(1, "conversation.created", R"({"conversation_id":1})")});
  EXPECT_EQ(shown.status().code(), Code::kUnavailable);
  // Events that need no lookup still pass judgement without touching the store.
  auto named =
      ann.visible({ev(2, "conversation.assigned", R"({"conversation_id":1,"agent_id":"ann"})")});
  ASSERT_TRUE(named.is_ok());
  EXPECT_EQ(*named, std::vector<bool>{true});
  EXPECT_TRUE(ann.visible({}).is_ok());
}

}  // namespace
}  // namespace sb::events
