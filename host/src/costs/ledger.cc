#include "costs/ledger.h"

#include <chrono>
#include <cstdio>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "store/cost_store.h"

namespace sb::costs {
namespace {

using Poco::JSON::Object;

std::string field(const Object& o, const std::string& key) {
  if (!o.has(key)) return {};
  auto v = o.get(key);
  return v.isString() ? v.extract<std::string>() : std::string();
}

bool billable_of(const Object& pricing, const Pricing& p) {
  if (pricing.has("billable")) {
    auto v = pricing.get("billable");
    if (v.isBoolean()) return v.extract<bool>();
  }
  if (p.type == "regular") return true;
  if (p.type.starts_with("free_")) return false;
  return p.category != "service";
}

}  // namespace

Result<std::optional<Pricing>> parse_pricing(std::string_view extra_json) {
  // Cheap test first: most reports (read, failed, non-WhatsApp channels) carry no pricing.
  if (extra_json.find("\"pricing\"") == std::string_view::npos) return std::optional<Pricing>();
  Object::Ptr root;
  try {
    auto v = Poco::JSON::Parser().parse(std::string(extra_json));
    if (v.type() != typeid(Object::Ptr)) return std::optional<Pricing>();
    root = v.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return invalid_argument("delivery extra_json is not JSON: " + e.message());
  }
  auto pricing = root->getObject("pricing");
  if (!pricing) return std::optional<Pricing>();
  Pricing p;
  p.category = field(*pricing, "category");
  if (p.category.empty()) return invalid_argument("pricing without a category");
  p.pricing_model = field(*pricing, "pricing_model");
  p.type = field(*pricing, "type");
  p.billable = billable_of(*pricing, p);
  return std::optional<Pricing>(std::move(p));
}

std::string country_calling_code(std::string_view e164) {
  std::string number(e164);
  if (!number.starts_with('+')) number.insert(0, "+");
  using i18n::phonenumbers::PhoneNumberUtil;
  const auto* util = PhoneNumberUtil::GetInstance();
  i18n::phonenumbers::PhoneNumber parsed;
  if (util->Parse(number, "ZZ", &parsed) != PhoneNumberUtil::NO_PARSING_ERROR) return {};
  if (parsed.country_code() <= 0) return {};
  return std::to_string(parsed.country_code());
}

std::string utc_day(int64_t unix_ms) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(sys_time<milliseconds>(milliseconds(unix_ms)));
  const year_month_day ymd(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Result<std::shared_ptr<const Ledger>> ledger_from_config(std::string_view costs_json) {
  if (costs_json.empty()) return std::make_shared<const Ledger>(CostsConfig{});
  auto config = parse_costs_config(costs_json);
  if (!config) return config.status();
  return std::make_shared<const Ledger>(std::move(*config));
}

Status Ledger::record(store::Store& store, const store::DeliveryUpdate& update,
                      int64_t now_ms) const {
  auto pricing = parse_pricing(update.extra_json);
  if (!pricing) return pricing.status();
  if (!*pricing) return {};
  store::CostStore* costs = store.costs();
  if (costs == nullptr) return failed_precondition("the store keeps no cost ledger");

  int64_t id = update.message_id;
  if (id == 0) {
    auto found = costs->outbound_id(update.instance_id, update.provider_message_id);
    if (!found) return found.status();
    if (!*found) {
      return not_found("no outbound message with provider id " + update.provider_message_id);
    }
    id = **found;
  }
  auto message = store.get_message(id);
  if (!message) return message.status();
  if (!*message) return not_found("no message with id " + std::to_string(id));

  const Pricing& p = **pricing;
  store::CostEntry e;
  e.message_id = id;
  e.instance_id = (*message)->instance_id;
  e.business_number = (*message)->from;
  e.country_calling_code = country_calling_code((*message)->to);
  e.category = p.category;
  e.pricing_model = p.pricing_model;
  e.pricing_type = p.type;
  e.billable = p.billable;
  const Price price = price_of(config_, p.category, e.country_calling_code, p.billable);
  e.price_micros = price.micros;
  e.rate_source = std::string(to_string(price.source));
  e.currency = config_.currency;
  e.day = utc_day(update.timestamp_ms != 0 ? update.timestamp_ms : now_ms);
  e.recorded_at_ms = now_ms;
  return costs->put_cost(e);
}

}  // namespace sb::costs
