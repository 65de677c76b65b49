// GET /v1/reports/costs on the API's in-process fixture: roles, parameter errors, grouping and
// totals over ledger rows written through the ledger.
#include "costs/ledger.h"
#include "fixture.h"
#include "store/cost_store.h"

namespace sb::api::testing {
namespace {

constexpr int64_t kJul1 = 1782864000000;  // 2026-07-01T00:00:00Z
constexpr int64_t kDay = 86400000;

class CostReportTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    auto config = costs::parse_costs_config(R"({"currency":"USD","rate_card":[
        {"category":"marketing","country_calling_code":"49","price":0.1365},
        {"category":"utility","country_calling_code":"49","price":0.0456}]})");
    ASSERT_TRUE(config.is_ok());
    ledger_ = std::make_unique<costs::Ledger>(std::move(*config));
  }

  // An outbound message on `instance` from `from`, priced by a report on `at_ms`.
  void priced(const std::string& instance, const std::string& from, const std::string& category,
              int64_t at_ms, bool billable = true) {
    store::OutboundMessage m;
    m.instance_id = instance;
    m.from = from;
    m.to = "+4915112345678";
    m.content_type = "template";
    auto id = store_->insert_outbound(m);
    ASSERT_TRUE(id.is_ok());
    store::DeliveryUpdate u;
    u.message_id = *id;
    u.status = store::DeliveryStatus::kSent;
    u.timestamp_ms = at_ms;
    u.extra_json = std::string(R"({"pricing":{"billable":)") + (billable ? "true" : "false") +
                   R"(,"category":")" + category + R"("}})";
    ASSERT_TRUE(store_->apply_delivery(u).is_ok());
    ASSERT_TRUE(ledger_->record(*store_, u, at_ms).is_ok());
    ASSERT_TRUE(ledger_->record(*store_, u, at_ms).is_ok());  // a duplicate changes nothing
  }

  void seed() {
    priced("wa1", "+4930111", "marketing", kJul1);
    priced("wa1", "+4930111", "marketing", kJul1 + 1000);
    priced("wa1", "+4930222", "utility", kJul1 + kDay);
    priced("wa2", "+4930333", "marketing", kJul1 + kDay);
    priced("wa2", "+4930333", "service", kJul1 + kDay, false);
    priced("wa1", "+4930111", "marketing", kJul1 + 40 * kDay);  // outside July
  }

  std::unique_ptr<costs::Ledger> ledger_;
};

TEST_F(CostReportTest, SupervisorAndAdminOnly) {
  const std::string target = "/v1/reports/costs?from=2026-07-01&to=2026-07-31";
  EXPECT_EQ(call("GET", target, "").status, 401);
  EXPECT_EQ(call("GET", target, agent_).status, 403);
  EXPECT_EQ(call("GET", target, supervisor_).status, 200);
  EXPECT_EQ(call("GET", target, admin_).status, 200);
  EXPECT_EQ(call("POST", target, admin_).status, 405);
}

TEST_F(CostReportTest, ParameterErrorsNameTheField) {
  auto field = [&](const std::string& query) {
    auto r = call("GET", "/v1/reports/costs?" + query, supervisor_);
    EXPECT_EQ(r.status, 400) << query;
    return json(r)->getObject("error")->getValue<std::string>("field");
  };
  EXPECT_EQ(field("to=2026-07-31"), "from");
  EXPECT_EQ(field("from=2026-07-01"), "to");
  EXPECT_EQ(field("from=2026-02-30&to=2026-03-01"), "from");
  EXPECT_EQ(field("from=2026-7-1&to=2026-07-31"), "from");
  EXPECT_EQ(field("from=2026-07-31&to=2026-07-01"), "to");
  EXPECT_EQ(field("from=2026-01-01&to=2027-01-02"), "to");
  EXPECT_EQ(field("from=2026-07-01&to=2026-07-31&group_by=channel,queue"), "group_by");
  EXPECT_EQ(field("from=2026-07-01&to=2026-07-31&group_by=channel,"), "group_by");
}

TEST_F(CostReportTest, TotalsOnlyWithoutGroupBy) {
  seed();
  auto r = call("GET", "/v1/reports/costs?from=2026-07-01&to=2026-07-31", supervisor_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json(r);
  EXPECT_EQ(body->getArray("group_by")->size(), 0u);
  auto totals = body->getArray("totals");
  ASSERT_EQ(totals->size(), 1u);
  auto t = totals->getObject(0);
  EXPECT_EQ(t->getValue<std::string>("currency"), "USD");
  EXPECT_EQ(t->getValue<int64_t>("messages"), 5);
  EXPECT_EQ(t->getValue<int64_t>("billable"), 4);
  EXPECT_EQ(t->getValue<int64_t>("unpriced"), 0);
  EXPECT_NEAR(t->getValue<double>("amount"), 3 * 0.1365 + 0.0456, 1e-9);
  ASSERT_EQ(body->getArray("groups")->size(), 1u);  // one group: everything
}

TEST_F(CostReportTest, GroupsByChannelAndCategory) {
  seed();
  auto r = call("GET", "/v1/reports/costs?from=2026-07-01&to=2026-07-31&group_by=category,channel",
                supervisor_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json(r);
  auto dims = body->getArray("group_by");
  ASSERT_EQ(dims->size(), 2u);
  EXPECT_EQ(dims->getElement<std::string>(0), "channel");  // canonical order
  EXPECT_EQ(dims->getElement<std::string>(1), "category");
  auto groups = body->getArray("groups");
  ASSERT_EQ(groups->size(), 4u);
  struct Want {
    std::string channel, category;
    int64_t messages;
    double amount;
  };
  const Want want[] = {{"wa1", "marketing", 2, 0.273},
                       {"wa1", "utility", 1, 0.0456},
                       {"wa2", "marketing", 1, 0.1365},
                       {"wa2", "service", 1, 0}};
  for (size_t i = 0; i < 4; ++i) {
    auto g = groups->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(g->getValue<std::string>("channel"), want[i].channel) << i;
    EXPECT_EQ(g->getValue<std::string>("category"), want[i].category) << i;
    EXPECT_FALSE(g->has("day"));
    EXPECT_FALSE(g->has("number"));
    EXPECT_EQ(g->getValue<int64_t>("messages"), want[i].messages) << i;
    EXPECT_NEAR(g->getValue<double>("amount"), want[i].amount, 1e-9) << i;
  }
}

TEST_F(CostReportTest, GroupsByNumberAndDayWithinTheRange) {
  seed();
  auto r = call("GET", "/v1/reports/costs?from=2026-07-02&to=2026-08-31&group_by=day,number",
                supervisor_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto groups = json(r)->getArray("groups");
  ASSERT_EQ(groups->size(), 3u);
  auto g = groups->getObject(0);
  EXPECT_EQ(g->getValue<std::string>("number"), "+4930111");
  EXPECT_EQ(g->getValue<std::string>("day"), "2026-08-10");
  g = groups->getObject(1);
  EXPECT_EQ(g->getValue<std::string>("number"), "+4930222");
  EXPECT_EQ(g->getValue<std::string>("day"), "2026-07-02");
  g = groups->getObject(2);
  EXPECT_EQ(g->getValue<std::string>("number"), "+4930333");
  EXPECT_EQ(g->getValue<int64_t>("messages"), 2);
  EXPECT_EQ(g->getValue<int64_t>("billable"), 1);
}

TEST_F(CostReportTest, EmptyRangeAnswersNoGroups) {
  seed();
  auto r =
      call("GET", "/v1/reports/costs?from=2025-01-01&to=2025-01-31&group_by=channel", supervisor_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json(r)->getArray("groups")->size(), 0u);
  EXPECT_EQ(json(r)->getArray("totals")->size(), 0u);
}

}  // namespace
}  // namespace sb::api::testing
