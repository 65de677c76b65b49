// Configuration parsing and validation with field-level messages.
#include "config.hpp"
#include "send.hpp"

#include <gtest/gtest.h>

namespace {

TEST(WaConfig, MinimalConfigGetsDefaults) {
  auto c = wa::parse_config(R"({"waba_id":"1","numbers":[{"phone_number_id":"2"}]})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->graph_base_url, "https://graph.facebook.com");
  EXPECT_EQ(c->api_version, "v21.0");
  EXPECT_DOUBLE_EQ(c->throughput_mps, 80);
  EXPECT_EQ(c->template_sync_interval, std::chrono::seconds(3600));
  EXPECT_NE(c->number("2"), nullptr);
}

TEST(WaConfig, ProblemsNameTheirFields) {
  auto c = wa::parse_config(
      R"({"graph_base_url":"ftp://x","api_version":"21","numbers":[{"phone_number_id":"abc","x":1}],)"
      R"("throughput_mps":5000,"default_country":"+49","bogus":true})");
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  for (const char* f : {"graph_base_url", "api_version", "waba_id: required",
                        "numbers[0].phone_number_id", "numbers[0].x: unknown field",
                        "throughput_mps", "default_country", "bogus: unknown field"}) {
    EXPECT_NE(m.find(f), std::string::npos) << f << " in " << m;
  }
}

TEST(WaConfig, DisplayNumbersMatchByDigits) {
  auto c = wa::parse_config(
      R"({"waba_id":"1","numbers":[{"phone_number_id":"2","display_phone_number":"+1 555-078-3881"}]})");
  ASSERT_TRUE(c);
  ASSERT_NE(c->number("+15550783881"), nullptr);
  EXPECT_EQ(c->number("15550783881")->phone_number_id, "2");
  EXPECT_EQ(c->number("999"), nullptr);
}

TEST(WaRecipient, Normalisation) {
  EXPECT_EQ(wa::normalize_recipient("+1 (650) 555-1234", ""), "+16505551234");
  EXPECT_EQ(wa::normalize_recipient("0049 151 123", ""), "+49151123");
  EXPECT_EQ(wa::normalize_recipient("0151 123", "49"), "+49151123");
  EXPECT_EQ(wa::normalize_recipient("6505551234", ""), "6505551234");
  EXPECT_EQ(wa::normalize_recipient("US.13491208655302741918", "49"), "US.13491208655302741918");
}

}  // namespace
