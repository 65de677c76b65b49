// The ledger behind a real SQLite store: one row per priced message, counted once, corrected in
// place, priced by the recipient's country calling code.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "costs/ledger.h"
#include "store/cost_store.h"

namespace sb::costs {
namespace {

constexpr int64_t kJul1 = 1782864000000;  // 2026-07-01T00:00:00Z

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("sb_costs_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    auto opened = store::open_sqlite_store(dir_ / "sb.db");
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    auto config = parse_costs_config(R"({"currency":"USD","rate_card":[
        {"category":"marketing","country_calling_code":"49","price":0.1365},
        {"category":"utility","country_calling_code":"49","price":0.0456},
        {"category":"marketing","country_calling_code":"1","price":0.025}],
        "default":{"authentication":0.03}})");
    ASSERT_TRUE(config.is_ok()) << config.status().message();
    store_ = make_cost_recording_store(std::move(opened).value(),
                                       std::make_shared<const Ledger>(std::move(*config)));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t outbound(const std::string& to, const std::string& provider_id,
                   const std::string& instance = "wa1") {
    store::OutboundMessage m;
    m.instance_id = instance;
    m.from = "+4930111222";
    m.to = to;
    m.content_type = "template";
    auto id = store_->insert_outbound(m);
    EXPECT_TRUE(id.is_ok());
    EXPECT_TRUE(store_->set_provider_id(*id, provider_id).is_ok());
    return *id;
  }

  Status report(const std::string& provider_id, store::DeliveryStatus status,
                const std::string& extra_json, int64_t at_ms = kJul1 + 3600000) {
    store::DeliveryUpdate u;
    u.instance_id = "wa1";
    u.provider_message_id = provider_id;
    u.status = status;
    u.timestamp_ms = at_ms;
    u.extra_json = extra_json;
    return store_->apply_delivery(u);
  }

  std::optional<store::CostEntry> cost(int64_t id) {
    auto r = store_->costs()->cost_of(id);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    return r.is_ok() ? *r : std::nullopt;
  }

  int64_t total_micros() {
    auto sums = store_->costs()->cost_sums("2000-01-01", "2100-01-01");
    EXPECT_TRUE(sums.is_ok());
    int64_t total = 0;
    for (const auto& s : *sums) total += s.amount_micros;
    return total;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

const std::string kMarketing =
    R"({"meta_status":"sent","pricing":{"billable":true,"pricing_model":"PMP","type":"regular",)"
    R"("category":"marketing"}})";

TEST_F(LedgerTest, PricedReportBecomesOneRowWithTheCardRate) {
  const int64_t id = outbound("+4915112345678", "wamid.1");
  ASSERT_TRUE(report("wamid.1", store::DeliveryStatus::kSent, kMarketing).is_ok());
  auto c = cost(id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->instance_id, "wa1");
  EXPECT_EQ(c->business_number, "+4930111222");
  EXPECT_EQ(c->country_calling_code, "49");
  EXPECT_EQ(c->category, "marketing");
  EXPECT_EQ(c->pricing_model, "PMP");
  EXPECT_EQ(c->pricing_type, "regular");
  EXPECT_TRUE(c->billable);
  EXPECT_EQ(c->price_micros, 136500);
  EXPECT_EQ(c->rate_source, "rate_card");
  EXPECT_EQ(c->currency, "USD");
  EXPECT_EQ(c->day, "2026-07-01");
  // The delivery itself was stored as usual.
  auto m = store_->get_message(id);
  ASSERT_TRUE(m.is_ok() && m->has_value());
  EXPECT_EQ((*m)->status, store::DeliveryStatus::kSent);
}

TEST_F(LedgerTest, DuplicateWebhooksAndSentPlusDeliveredCountOnce) {
  const int64_t id = outbound("+4915112345678", "wamid.2");
  ASSERT_TRUE(report("wamid.2", store::DeliveryStatus::kSent, kMarketing).is_ok());
  ASSERT_TRUE(report("wamid.2", store::DeliveryStatus::kSent, kMarketing).is_ok());
  ASSERT_TRUE(report("wamid.2", store::DeliveryStatus::kDelivered, kMarketing,
                     kJul1 + 86400000 + 5)  // next day: the first day stays
                  .is_ok());
  EXPECT_EQ(total_micros(), 136500);
  auto sums = store_->costs()->cost_sums("2026-07-01", "2026-07-31");
  ASSERT_TRUE(sums.is_ok());
  ASSERT_EQ(sums->size(), 1u);
  EXPECT_EQ((*sums)[0].messages, 1);
  EXPECT_EQ(cost(id)->day, "2026-07-01");
}

TEST_F(LedgerTest, ALaterCorrectionReplacesInsteadOfAdding) {
  const int64_t id = outbound("+4915112345678", "wamid.3");
  ASSERT_TRUE(report("wamid.3", store::DeliveryStatus::kSent, kMarketing).is_ok());
  ASSERT_TRUE(report("wamid.3", store::DeliveryStatus::kDelivered,
                     R"({"pricing":{"billable":true,"type":"regular","category":"utility"}})")
                  .is_ok());
  auto c = cost(id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->category, "utility");
  EXPECT_EQ(c->price_micros, 45600);
  EXPECT_EQ(total_micros(), 45600);
}

TEST_F(LedgerTest, NonBillableCostsNothing) {
  const int64_t a = outbound("+4915112345678", "wamid.4");
  const int64_t b = outbound("+4915112345679", "wamid.5");
  ASSERT_TRUE(report("wamid.4", store::DeliveryStatus::kSent,
                     R"({"pricing":{"billable":false,"pricing_model":"PMP",)"
                     R"("type":"free_customer_service","category":"service"}})")
                  .is_ok());
  // PMP dropped `billable`: a free_* type is not billable even for marketing.
  ASSERT_TRUE(report("wamid.5", store::DeliveryStatus::kSent,
                     R"({"pricing":{"pricing_model":"PMP","type":"free_entry_point",)"
                     R"("category":"marketing"}})")
                  .is_ok());
  for (int64_t id : {a, b}) {
    auto c = cost(id);
    ASSERT_TRUE(c.has_value());
    EXPECT_FALSE(c->billable);
    EXPECT_EQ(c->price_micros, 0);
    EXPECT_EQ(c->rate_source, "free");
  }
}

TEST_F(LedgerTest, UnknownCountryOrCategoryUsesTheDefaultOrIsFlaggedUnpriced) {
  const int64_t uk = outbound("+447700900123", "wamid.6");  // no marketing rate for 44
  const int64_t auth = outbound("+4915112345678", "wamid.7");
  ASSERT_TRUE(report("wamid.6", store::DeliveryStatus::kSent, kMarketing).is_ok());
  ASSERT_TRUE(report("wamid.7", store::DeliveryStatus::kSent,
                     R"({"pricing":{"billable":true,"category":"authentication"}})")
                  .is_ok());
  auto c = cost(uk);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->country_calling_code, "44");
  EXPECT_TRUE(c->billable);
  EXPECT_EQ(c->price_micros, 0);
  EXPECT_EQ(c->rate_source, "unpriced");
  c = cost(auth);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->price_micros, 30000);
  EXPECT_EQ(c->rate_source, "default");
  auto sums = store_->costs()->cost_sums("2026-07-01", "2026-07-01");
  ASSERT_TRUE(sums.is_ok());
  int64_t unpriced = 0;
  for (const auto& s : *sums) unpriced += s.unpriced;
  EXPECT_EQ(unpriced, 1);
}

TEST_F(LedgerTest, ReportsWithoutPricingRecordNothing) {
  const int64_t id = outbound("+4915112345678", "wamid.8");
  ASSERT_TRUE(report("wamid.8", store::DeliveryStatus::kRead, R"({"meta_status":"read"})").is_ok());
  ASSERT_TRUE(report("wamid.8", store::DeliveryStatus::kRead, "").is_ok());
  EXPECT_FALSE(cost(id).has_value());
}

TEST_F(LedgerTest, AnUnknownMessageStaysTheStoresError) {
  EXPECT_EQ(report("wamid.none", store::DeliveryStatus::kSent, kMarketing).code(), Code::kNotFound);
  EXPECT_EQ(total_micros(), 0);
}

TEST_F(LedgerTest, ReportByMessageIdToo) {
  const int64_t id = outbound("14155550123", "wamid.9");  // digits without '+'
  store::DeliveryUpdate u;
  u.message_id = id;
  u.status = store::DeliveryStatus::kSent;
  u.timestamp_ms = kJul1;
  u.extra_json = kMarketing;
  ASSERT_TRUE(store_->apply_delivery(u).is_ok());
  auto c = cost(id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->country_calling_code, "1");
  EXPECT_EQ(c->price_micros, 25000);
}

TEST(LedgerParts, FromTheConfigSection) {
  auto absent = ledger_from_config("");
  ASSERT_TRUE(absent.is_ok());
  EXPECT_EQ((*absent)->config().currency, "USD");
  EXPECT_TRUE((*absent)->config().rate_card.empty());
  auto eur = ledger_from_config(R"({"currency":"EUR"})");
  ASSERT_TRUE(eur.is_ok());
  EXPECT_EQ((*eur)->config().currency, "EUR");
  auto bad = ledger_from_config(R"({"rate_card":[{"category":"x"}]})");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("$.costs.rate_card[0]"), std::string::npos);
}

TEST(LedgerParts, PricingParsing) {
  auto none = parse_pricing(R"({"meta_status":"sent"})");
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  auto legacy = parse_pricing(R"({"pricing":{"billable":true,"pricing_model":"CBP",)"
                              R"("category":"service"}})");
  ASSERT_TRUE(legacy.is_ok() && legacy->has_value());
  EXPECT_TRUE((*legacy)->billable);  // an explicit billable wins
  auto service = parse_pricing(R"({"pricing":{"category":"service"}})");
  ASSERT_TRUE(service.is_ok() && service->has_value());
  EXPECT_FALSE((*service)->billable);
  EXPECT_FALSE(parse_pricing(R"({"pricing":{"billable":true}})").is_ok());
  EXPECT_FALSE(parse_pricing(R"({"pricing": )").is_ok());
}

TEST(LedgerParts, CountryCallingCodeAndDay) {
  EXPECT_EQ(country_calling_code("+4915112345678"), "49");
  EXPECT_EQ(country_calling_code("447700900123"), "44");
  EXPECT_EQ(country_calling_code("+12125550100"), "1");
  EXPECT_EQ(country_calling_code("+971501234567"), "971");
  EXPECT_EQ(country_calling_code("not a number"), "");
  EXPECT_EQ(utc_day(kJul1), "2026-07-01");
  EXPECT_EQ(utc_day(kJul1 - 1), "2026-06-30");
  EXPECT_EQ(utc_day(0), "1970-01-01");
}

}  // namespace
}  // namespace sb::costs
