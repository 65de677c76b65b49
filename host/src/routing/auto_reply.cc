// Auto-replies and the placeholders they and canned responses fill in.
#include <cstdio>
#include <limits>

#include "routing/router.h"
#include "switchboard/abi.h"

namespace sb::routing {
namespace {

using namespace std::chrono;

// "2026-03-30 09:00 (Europe/Berlin)": when the queue opens next, on its own clock.
std::string format_local(const BusinessHours& hours, Millis at) {
  const auto local = hours.zone().to_local(floor<seconds>(at));
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss hms(floor<minutes>(local - day));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return std::string(buf) + " (" + hours.zone().name() + ")";
}

store::OutboundMessage reply(const store::InboundMessage& m, int64_t message_id,
                             std::string_view kind, std::string text) {
  store::OutboundMessage out;
  out.instance_id = m.instance_id;
  out.to = m.from;
  out.from = m.to;
  out.content_type = "text";
  out.text = std::move(text);
  out.idempotency_key = "auto:" + std::string(kind) + ":" + std::to_string(message_id);
  out.sender_kind = "auto";
  return out;
}

}  // namespace

sb::Result<Placeholders> Router::placeholders(const store::Conversation& conversation,
                                              const QueueConfig* queue, int64_t now) {
  Placeholders values;
  values["conversation.reference"] = conversation.reference;
  auto contact = model_.get_contact(conversation.contact_id);
  if (!contact) return contact.status();
  values["contact.name"] = *contact ? (*contact)->display_name : std::string();
  if (queue) {
    values["queue.name"] = queue->name.empty() ? queue->id : queue->name;
    auto hours = config_.schedules.find(queue->hours);
    if (hours != config_.schedules.end()) {
      if (auto next = hours->second.next_open(Millis(milliseconds(now)))) {
        values["hours.next_open"] = format_local(hours->second, *next);
      }
    }
  }
  if (conversation.assignee) {
    auto agent = routing_.get_agent(*conversation.assignee);
    if (!agent) return agent.status();
    if (*agent) {
      values["agent.name"] = (*agent)->display_name.empty() ? (*agent)->id : (*agent)->display_name;
    }
  }
  return values;
}

sb::Result<std::vector<store::OutboundMessage>> Router::auto_replies(
    const store::InboundMessage& message, const store::InboundResult& result,
    const store::Conversation& conversation, const QueueConfig& queue, int64_t now) {
  std::vector<store::OutboundMessage> out;
  // Loop protection: machines (auto-replies, bounces) and provider notices are never answered.
  if (message.flags & (SB_INBOUND_AUTOMATED | SB_INBOUND_SYSTEM)) return out;
  auto values = placeholders(conversation, &queue, now);
  if (!values) return values.status();

  auto claim = [&](std::string_view kind, int64_t period) {
    return routing_.claim_auto_reply_for(result.message_id, conversation.id, kind, period, now);
  };
  if (result.resolution.opened_new && !queue.welcome.empty()) {
    auto ok = claim(kWelcome, std::numeric_limits<int64_t>::max() / 4);  // once, ever
    if (!ok) return ok.status();
    if (*ok)
      out.push_back(reply(message, result.message_id, kWelcome, render(queue.welcome, *values)));
  }
  auto hours = config_.schedules.find(queue.hours);
  if (!queue.away.empty() && hours != config_.schedules.end() &&
      !hours->second.is_open(Millis(milliseconds(now)))) {
    auto ok = claim(kAway, config_.away_period.count());
    if (!ok) return ok.status();
    if (*ok) out.push_back(reply(message, result.message_id, kAway, render(queue.away, *values)));
  }
  for (size_t i = 0; i < config_.keyword_answers.size(); ++i) {
    const auto& answer = config_.keyword_answers[i];
    if (!contains_any_keyword(message.text, answer.keywords)) continue;
    const std::string kind = "keyword:" + std::to_string(i);
    auto ok = claim(kind, config_.keyword_period.count());
    if (!ok) return ok.status();
    if (*ok) out.push_back(reply(message, result.message_id, kind, render(answer.answer, *values)));
    break;  // first match answers
  }
  return out;
}

}  // namespace sb::routing
