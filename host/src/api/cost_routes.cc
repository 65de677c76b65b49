// GET /v1/reports/costs: the cost ledger (store/cost_store.h) summed per group over a day range.
#include <array>
#include <chrono>
#include <map>
#include <tuple>

#include <Poco/JSON/Array.h>

#include "api/routes_common.h"
#include "store/cost_store.h"

namespace sb::api {
namespace {

using auth::Role;

constexpr int kMaxRangeDays = 366;
constexpr std::array<std::string_view, 4> kDimensions{"channel", "number", "category", "day"};

// A valid calendar day "YYYY-MM-DD" as days since the epoch, or nullopt.
std::optional<int64_t> parse_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t j = 0; j < lengths[i]; ++j) {
      const char c = text[starts[i] + j];
      if (c < '0' || c > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  using namespace std::chrono;
  const year_month_day ymd{year{parts[0]}, month{static_cast<unsigned>(parts[1])},
                           day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

// The requested dimensions in canonical order, or the field error.
std::variant<std::array<bool, 4>, http::Response> parse_group_by(std::string_view text) {
  std::array<bool, 4> on{};
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view name = text.substr(0, comma);
    size_t i = 0;
    while (i < kDimensions.size() && kDimensions[i] != name) ++i;
    if (i == kDimensions.size()) {
      return field_error("group_by", "takes channel, number, category and day, comma-separated");
    }
    on[i] = true;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return field_error("group_by", "ends with a comma");
  }
  return on;
}

struct Totals {
  int64_t messages = 0, billable = 0, unpriced = 0, amount_micros = 0;
  void add(const store::CostSum& s) {
    messages += s.messages;
    billable += s.billable;
    unpriced += s.unpriced;
    amount_micros += s.amount_micros;
  }
  void put(Poco::JSON::Object& o) const {
    o.set("messages", messages);
    o.set("billable", billable);
    o.set("unpriced", unpriced);
    o.set("amount", static_cast<double>(amount_micros) / 1e6);
  }
};

http::Response cost_report(const ApiDeps& deps, const Call& call) {
  const std::string from = call.request.query_param("from").value_or("");
  const std::string to = call.request.query_param("to").value_or("");
  const auto from_day = parse_day(from);
  if (!from_day) return field_error("from", "must be a day like 2026-07-01");
  const auto to_day = parse_day(to);
  if (!to_day) return field_error("to", "must be a day like 2026-07-31");
  if (*to_day < *from_day) return field_error("to", "is before from");
  if (*to_day - *from_day >= kMaxRangeDays) {
    return field_error("to", "is more than 366 days after from");
  }
  auto group_by = parse_group_by(call.request.query_param("group_by").value_or(""));
  if (auto* r = std::get_if<http::Response>(&group_by)) return std::move(*r);
  const auto on = std::get<std::array<bool, 4>>(group_by);

  store::CostStore* costs = deps.store->costs();
  if (costs == nullptr) return error_response(503, "unavailable", "the store keeps no costs");
  auto sums = costs->cost_sums(from, to);
  if (!sums) return status_response(sums.status());

  // Fold the stored sums onto the requested dimensions; currency always separates groups,
  // amounts in different currencies are never added.
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  std::map<Key, Totals> groups;
  std::map<std::string, Totals> totals;
  for (const auto& s : *sums) {
    Key key{on[0] ? s.instance_id : "", on[1] ? s.business_number : "", on[2] ? s.category : "",
            on[3] ? s.day : "", s.currency};
    groups[key].add(s);
    totals[s.currency].add(s);
  }
  Poco::JSON::Array group_list;
  for (const auto& [key, t] : groups) {
    Poco::JSON::Object g;
    const auto& [channel, number, category, day, currency] = key;
    if (on[0]) g.set("channel", channel);
    if (on[1]) g.set("number", number);
    if (on[2]) g.set("category", category);
    if (on[3]) g.set("day", day);
    g.set("currency", currency);
    t.put(g);
    group_list.add(g);
  }
  Poco::JSON::Array total_list;
  for (const auto& [currency, t] : totals) {
    Poco::JSON::Object o;
    o.set("currency", currency);
    t.put(o);
    total_list.add(o);
  }
  Poco::JSON::Array dims;
  for (size_t i = 0; i < kDimensions.size(); ++i) {
    if (on[i]) dims.add(std::string(kDimensions[i]));
  }
  Poco::JSON::Object body;
  body.set("from", from);
  body.set("to", to);
  body.set("group_by", dims);
  body.set("groups", group_list);
  body.set("totals", total_list);
  return json_response(200, body);
}

}  // namespace

void add_cost_routes(ApiRouter& router, Deps deps) {
  router.add("GET", "/v1/reports/costs", Role::kSupervisor,
             [deps](const Call& call) { return cost_report(*deps, call); });
}

}  // namespace sb::api
