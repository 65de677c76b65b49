#include "costs/rate_card.h"

#include <array>
#include <cctype>
#include <cmath>
#include <set>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include "config/jsonc.h"

namespace sb::costs {
namespace {

using Poco::JSON::Object;

constexpr std::array<std::string_view, 7> kCategories{
    "authentication", "authentication_international", "marketing", "marketing_lite", "utility",
    "service",        "referral_conversion"};
constexpr double kMaxPrice = 1000.0;  // per message; anything above is a typo
constexpr size_t kMaxRates = 10000;

Status bad(const std::string& path, std::string_view what) {
  return invalid_argument(path + " " + std::string(what));
}

Status only(const Object& o, const std::string& path, std::set<std::string_view> known) {
  for (const auto& [key, value] : o) {
    if (!known.contains(key)) return bad(path + "." + key, "is not a known field");
  }
  return {};
}

Result<int64_t> price(const Poco::Dynamic::Var& v, const std::string& path) {
  if (v.isBoolean() || !v.isNumeric()) return bad(path, "must be a number");
  const double d = v.convert<double>();
  if (!std::isfinite(d) || d < 0 || d > kMaxPrice) {
    return bad(path, "must be between 0 and 1000");
  }
  return static_cast<int64_t>(std::llround(d * 1e6));
}

Result<std::string> string(const Object& o, const std::string& path, const std::string& key) {
  if (!o.has(key)) return bad(path + "." + key, "is required");
  auto v = o.get(key);
  if (!v.isString()) return bad(path + "." + key, "must be a string");
  return v.extract<std::string>();
}

bool is_calling_code(std::string_view s) {
  if (s.empty() || s.size() > 3 || s[0] == '0') return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Status parse_rates(const Object& root, CostsConfig& out) {
  if (!root.has("rate_card")) return {};
  auto a = root.getArray("rate_card");
  if (!a) return bad("$.costs.rate_card", "must be a list");
  if (a->size() > kMaxRates) return bad("$.costs.rate_card", "has more than 10000 entries");
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < a->size(); ++i) {
    const std::string path = "$.costs.rate_card[" + std::to_string(i) + "]";
    auto o = a->getObject(static_cast<unsigned>(i));
    if (!o) return bad(path, "must be an object");
    if (auto st = only(*o, path, {"category", "country_calling_code", "price"}); !st) return st;
    Rate r;
    auto category = string(*o, path, "category");
    if (!category) return category.status();
    if (!is_known_category(*category)) return bad(path + ".category", "is not a known category");
    r.category = *category;
    auto code = string(*o, path, "country_calling_code");
    if (!code) return code.status();
    if (!is_calling_code(*code)) {
      return bad(path + ".country_calling_code", "must be 1 to 3 digits like \"49\"");
    }
    r.country_calling_code = *code;
    if (!o->has("price")) return bad(path + ".price", "is required");
    auto p = price(o->get("price"), path + ".price");
    if (!p) return p.status();
    r.price_micros = *p;
    if (!seen.emplace(r.category, r.country_calling_code).second) {
      return bad(path, "repeats the category and country_calling_code of an earlier entry");
    }
    out.rate_card.push_back(std::move(r));
  }
  return {};
}

}  // namespace

bool is_known_category(std::string_view category) {
  for (auto c : kCategories) {
    if (c == category) return true;
  }
  return false;
}

std::string_view to_string(RateSource source) {
  switch (source) {
    case RateSource::kRateCard:
      return "rate_card";
    case RateSource::kDefault:
      return "default";
    case RateSource::kFree:
      return "free";
    case RateSource::kUnpriced:
      break;
  }
  return "unpriced";
}

Result<CostsConfig> parse_costs_config(std::string_view json) {
  // The project's parser: Poco's would wrap an integer past 2^64 into a small price.
  auto v = config::parse_json(json);
  if (!v) return bad("$.costs", "is not valid JSON: " + v.status().message());
  if (v->type() != typeid(Object::Ptr)) return bad("$.costs", "must be an object");
  const Object::Ptr root = v->extract<Object::Ptr>();
  if (auto st = only(*root, "$.costs", {"currency", "rate_card", "default"}); !st) return st;
  CostsConfig out;
  if (root->has("currency")) {
    auto c = string(*root, "$.costs", "currency");
    if (!c) return c.status();
    if (c->size() != 3 || !std::isupper(static_cast<unsigned char>((*c)[0])) ||
        !std::isupper(static_cast<unsigned char>((*c)[1])) ||
        !std::isupper(static_cast<unsigned char>((*c)[2]))) {
      return bad("$.costs.currency", "must be an ISO 4217 code like \"USD\"");
    }
    out.currency = *c;
  }
  if (auto st = parse_rates(*root, out); !st) return st;
  if (root->has("default")) {
    auto d = root->getObject("default");
    if (!d) return bad("$.costs.default", "must be an object of category -> price");
    for (const auto& [key, value] : *d) {
      const std::string path = "$.costs.default." + key;
      if (key != "*" && !is_known_category(key)) return bad(path, "is not a known category");
      auto p = price(value, path);
      if (!p) return p.status();
      out.defaults.emplace(key, *p);
    }
  }
  return out;
}

Price price_of(const CostsConfig& config, std::string_view category,
               std::string_view country_calling_code, bool billable) {
  if (!billable) return {0, RateSource::kFree};
  for (const auto& r : config.rate_card) {
    if (r.category == category && r.country_calling_code == country_calling_code) {
      return {r.price_micros, RateSource::kRateCard};
    }
  }
  if (auto it = config.defaults.find(category); it != config.defaults.end()) {
    return {it->second, RateSource::kDefault};
  }
  if (auto it = config.defaults.find("*"); it != config.defaults.end()) {
    return {it->second, RateSource::kDefault};
  }
  return {0, RateSource::kUnpriced};
}

double micros_to_amount(int64_t micros) {
  return static_cast<double>(micros) / 1e6;
}

}  // namespace sb::costs
