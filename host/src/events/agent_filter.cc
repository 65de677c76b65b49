#include "events/agent_filter.h"

#include <map>
#include <utility>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "api/visibility.h"

namespace sb::events {
namespace {

// The event's data, or null when it is not a JSON object (never written by the host).
Poco::JSON::Object::Ptr parse_data(const std::string& json) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::optional<std::string> string_field(const Poco::JSON::Object& o, const std::string& name) {
  if (!o.has(name) || o.isNull(name)) return std::nullopt;
  const Poco::Dynamic::Var v = o.get(name);
  if (!v.isString()) return std::nullopt;
  return v.extract<std::string>();
}

int64_t id_field(const Poco::JSON::Object& o, const std::string& name) {
  if (!o.has(name) || o.isNull(name)) return 0;
  const Poco::Dynamic::Var v = o.get(name);
  if (!v.isInteger()) return 0;
  return v.convert<int64_t>();
}

}  // namespace

AgentEventFilter::AgentEventFilter(std::string agent_id, AgentLookups lookups)
    : agent_id_(std::move(agent_id)), lookups_(std::move(lookups)) {}

Result<std::vector<bool>> AgentEventFilter::visible(const std::vector<Event>& batch) {
  std::vector<bool> shown(batch.size(), false);
  std::optional<std::vector<std::string>> queues;  // read when first needed
  std::map<int64_t, bool> sees;                    // conversation id -> visible, for this batch
  for (size_t i = 0; i < batch.size(); ++i) {
    Poco::JSON::Object::Ptr data = parse_data(batch[i].data_json);
    if (!data) continue;
    // About the agent itself: assigned to it, or taken away from it.
    if (string_field(*data, "agent_id") == agent_id_ ||
        string_field(*data, "previous_agent_id") == agent_id_) {
      shown[i] = true;
      continue;
    }
    int64_t conversation_id = id_field(*data, "conversation_id");
    if (conversation_id == 0) {
      // message.status carries only the message.
      const int64_t message_id = id_field(*data, "message_id");
      if (message_id == 0) continue;
      auto of = lookups_.conversation_of_message(message_id);
      if (!of) return of.status();
      conversation_id = *of;
    }
    if (conversation_id == 0) continue;
    if (auto known = sees.find(conversation_id); known != sees.end()) {
      shown[i] = known->second;
      continue;
    }
    auto conversation = lookups_.conversation(conversation_id);
    if (!conversation) return conversation.status();
    bool visible = false;
    if (*conversation) {
      if (!queues) {
        auto q = lookups_.queues_of(agent_id_);
        if (!q) return q.status();
        queues = std::move(*q);
      }
      visible = api::agent_sees(agent_id_, *queues, **conversation);
    }
    sees[conversation_id] = visible;
    shown[i] = visible;
  }
  return shown;
}

AgentLookups agent_lookups(api::ApiStore& api_store, store::Store& store) {
  AgentLookups l;
  l.queues_of = [&api_store](const std::string& agent_id) {
    return api_store.agent_queue_ids(agent_id);
  };
  l.conversation = [&store](int64_t conversation_id) -> Result<std::optional<store::Conversation>> {
    store::ModelStore* model = store.model();
    if (model == nullptr) return failed_precondition("the store has no conversations");
    return model->get_conversation(conversation_id);
  };
  l.conversation_of_message = [&store](int64_t message_id) -> Result<int64_t> {
    auto m = store.get_message(message_id);
    if (!m) return m.status();
    return *m ? (*m)->conversation_id : 0;
  };
  return l;
}

}  // namespace sb::events
