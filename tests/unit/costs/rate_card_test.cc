// The "costs" configuration section: strict parsing with field-named errors, and the rate lookup.
#include <gtest/gtest.h>

#include "config/config.h"
#include "costs/rate_card.h"

namespace sb::costs {
namespace {

std::string error_of(std::string_view json) {
  auto r = parse_costs_config(json);
  EXPECT_FALSE(r.is_ok()) << json;
  return r.is_ok() ? "" : r.status().message();
}

TEST(CostsConfig, ParsesCurrencyCardAndDefaults) {
  auto r = parse_costs_config(R"({"currency":"EUR","rate_card":[
      {"category":"marketing","country_calling_code":"49","price":0.1365},
      {"category":"utility","country_calling_code":"1","price":0.004}],
      "default":{"marketing":0.0625,"*":0.01}})");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->currency, "EUR");
  ASSERT_EQ(r->rate_card.size(), 2u);
  EXPECT_EQ(r->rate_card[0].price_micros, 136500);
  EXPECT_EQ(r->rate_card[1].country_calling_code, "1");
  EXPECT_EQ(r->rate_card[1].price_micros, 4000);
  EXPECT_EQ(r->defaults.at("marketing"), 62500);
  EXPECT_EQ(r->defaults.at("*"), 10000);
}

// Poco's parser wrapped 2^64 + 1 to a price of 1; numbers are checked from their text.
TEST(CostsConfig, HostileNumbersAreRefusedWithTheirPath) {
  for (const std::string n : {"18446744073709551617", "1e400", "-1e400"}) {
    const std::string e = error_of(R"({"default":{"marketing":)" + n + "}}");
    EXPECT_NE(e.find("$.default.marketing"), std::string::npos) << n << ": " << e;
    EXPECT_NE(e.find("out of range"), std::string::npos) << n << ": " << e;
  }
  EXPECT_NE(error_of("{\"currency\":\"E\xFFR\"}").find("not valid UTF-8"), std::string::npos);
}

TEST(CostsConfig, EmptyObjectMeansUsdWithoutRates) {
  auto r = parse_costs_config("{}");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->currency, "USD");
  EXPECT_TRUE(r->rate_card.empty());
  EXPECT_TRUE(r->defaults.empty());
}

TEST(CostsConfig, ErrorsNameTheField) {
  EXPECT_EQ(error_of(R"({"currncy":"USD"})"), "$.costs.currncy is not a known field");
  EXPECT_EQ(error_of(R"({"currency":"usd"})"),
            "$.costs.currency must be an ISO 4217 code like \"USD\"");
  EXPECT_EQ(error_of(R"({"rate_card":{}})"), "$.costs.rate_card must be a list");
  EXPECT_EQ(error_of(R"({"rate_card":[{"category":"marketing","country_calling_code":"49"}]})"),
            "$.costs.rate_card[0].price is required");
  EXPECT_EQ(error_of(R"({"rate_card":[{"category":"promo","country_calling_code":"49",
                        "price":1}]})"),
            "$.costs.rate_card[0].category is not a known category");
  EXPECT_EQ(error_of(R"({"rate_card":[{"category":"utility","country_calling_code":"+49",
                        "price":1}]})"),
            "$.costs.rate_card[0].country_calling_code must be 1 to 3 digits like \"49\"");
  EXPECT_EQ(error_of(R"({"rate_card":[{"category":"utility","country_calling_code":"49",
                        "price":-1}]})"),
            "$.costs.rate_card[0].price must be between 0 and 1000");
  EXPECT_EQ(error_of(R"({"rate_card":[{"category":"utility","country_calling_code":"49",
                        "price":"0.1"}]})"),
            "$.costs.rate_card[0].price must be a number");
  EXPECT_EQ(error_of(R"({"rate_card":[{"category":"utility","country_calling_code":"49",
                        "price":1,"note":"x"}]})"),
            "$.costs.rate_card[0].note is not a known field");
  EXPECT_EQ(error_of(R"({"rate_card":[
      {"category":"utility","country_calling_code":"49","price":1},
      {"category":"utility","country_calling_code":"49","price":2}]})"),
            "$.costs.rate_card[1] repeats the category and country_calling_code of an earlier "
            "entry");
  EXPECT_EQ(error_of(R"({"default":{"promo":1}})"),
            "$.costs.default.promo is not a known category");
  EXPECT_EQ(error_of(R"({"default":{"marketing":true}})"),
            "$.costs.default.marketing must be a number");
  EXPECT_EQ(error_of(R"({"default":3})"), "$.costs.default must be an object of category -> price");
}

TEST(CostsRates, CardThenCategoryDefaultThenStarThenUnpriced) {
  auto c = parse_costs_config(R"({"rate_card":[
      {"category":"marketing","country_calling_code":"49","price":0.1365}],
      "default":{"marketing":0.0625}})");
  ASSERT_TRUE(c.is_ok());
  Price p = price_of(*c, "marketing", "49", true);
  EXPECT_EQ(p.micros, 136500);
  EXPECT_EQ(p.source, RateSource::kRateCard);
  p = price_of(*c, "marketing", "44", true);  // unknown country: the category's default
  EXPECT_EQ(p.micros, 62500);
  EXPECT_EQ(p.source, RateSource::kDefault);
  p = price_of(*c, "utility", "49", true);  // no default for utility and no "*"
  EXPECT_EQ(p.micros, 0);
  EXPECT_EQ(p.source, RateSource::kUnpriced);
  p = price_of(*c, "marketing", "49", false);  // not billable: free whatever the card says
  EXPECT_EQ(p.micros, 0);
  EXPECT_EQ(p.source, RateSource::kFree);

  c->defaults.emplace("*", 5000);
  p = price_of(*c, "utility", "49", true);
  EXPECT_EQ(p.micros, 5000);
  EXPECT_EQ(p.source, RateSource::kDefault);
}

TEST(CostsConfig, TheConfigFileKeepsTheSectionForTheStrictParser) {
  auto cfg = config::parse_config(R"({"data_dir": "d", /* rates */ "costs": {"currency": "EUR",
      "rate_card": [{"category": "utility", "country_calling_code": "33", "price": 0.03}]}})",
                                  "/");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  auto costs = parse_costs_config(cfg->costs_json);
  ASSERT_TRUE(costs.is_ok()) << costs.status().message();
  EXPECT_EQ(costs->currency, "EUR");
  ASSERT_EQ(costs->rate_card.size(), 1u);
  EXPECT_EQ(costs->rate_card[0].price_micros, 30000);

  auto without = config::parse_config(R"({"data_dir": "d"})", "/");
  ASSERT_TRUE(without.is_ok());
  EXPECT_TRUE(without->costs_json.empty());
  auto wrong = config::parse_config(R"({"data_dir": "d", "costs": []})", "/");
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_NE(wrong.status().message().find("$.costs"), std::string::npos)
      << wrong.status().message();
}

}  // namespace
}  // namespace sb::costs
