#include "contacts/identity.h"

#include <gtest/gtest.h>

namespace sb::contacts {
namespace {

TEST(NormalizePhone, NationalFormatUsesDefaultRegion) {
  auto r = normalize_phone("030 1234567", "DE");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(*r, "+49301234567");
}

TEST(NormalizePhone, InternationalFormatIgnoresDefaultRegion) {
  auto r = normalize_phone("+1 (650) 253-0000", "DE");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "+16502530000");
}

TEST(NormalizePhone, SpellingsOfOneNumberAgree) {
  const char* spellings[] = {"+44 20 7946 0958", "020 7946 0958", "0044 20 7946 0958",
                             "+442079460958"};
  for (const char* s : spellings) {
    auto r = normalize_phone(s, "GB");
    ASSERT_TRUE(r.is_ok()) << s;
    EXPECT_EQ(*r, "+442079460958") << s;
  }
}

TEST(NormalizePhone, RejectsGarbage) {
  EXPECT_EQ(normalize_phone("hello", "DE").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(normalize_phone("", "DE").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(normalize_phone("1", "DE").status().code(), Code::kInvalidArgument);
}

TEST(NormalizeInternationalDigits, WhatsAppWaIdMatchesE164FromSms) {
  auto wa = normalize_international_digits("16505551234");
  auto sms = normalize_phone("(650) 555-1234", "US");
  ASSERT_TRUE(wa.is_ok());
  ASSERT_TRUE(sms.is_ok());
  EXPECT_EQ(*wa, *sms);
  EXPECT_FALSE(normalize_international_digits("12ab").is_ok());
}

TEST(NormalizeEmail, LowerCasesAndStripsDisplayName) {
  auto r = normalize_email("  Ann Example <Ann.Example@Example.ORG> ");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "ann.example@example.org");
}

TEST(NormalizeEmail, RejectsMalformed) {
  for (const char* bad :
       {"", "no-at-sign", "@x.org", "ann@", "a@b@c", "a b@c.org", "Ann <ann@x.org"}) {
    EXPECT_FALSE(normalize_email(bad).is_ok()) << bad;
  }
}

}  // namespace
}  // namespace sb::contacts
