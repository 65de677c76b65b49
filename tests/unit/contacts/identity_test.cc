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

// Issue 8: digits without '+' that are a valid international number and no valid national one
// of the default region are read internationally; a valid national number stays national; valid
// both ways prefers national.
TEST(NormalizePhone, ChoosesBetweenNationalAndInternationalReadings) {
  struct Case {
    const char* raw;
    const char* region;
    const char* e164;
  };
  const Case cases[] = {
      // international digits without '+' (valid abroad, not valid national)
      {"5511912345678", "DE", "+5511912345678"},     // BR mobile, not +49 5511912345678
      {"447911123456", "US", "+447911123456"},       // GB mobile
      {"14155552671", "GB", "+14155552671"},         // US
      {"4915123456789", "BR", "+4915123456789"},     // DE mobile
      {"55 11 91234 5678", "GB", "+5511912345678"},  // separators do not matter
      // valid national numbers stay national
      {"030 123456", "DE", "+4930123456"},
      {"0151 23456789", "DE", "+4915123456789"},
      {"11 91234 5678", "BR", "+5511912345678"},
      {"(415) 555-2671", "US", "+14155552671"},
      {"020 7946 0958", "GB", "+442079460958"},
      // a leading 00 or the region's international prefix is international
      {"0055 11 91234 5678", "DE", "+5511912345678"},
      {"011 44 7911 123456", "US", "+447911123456"},
      {"00 1 415 555 2671", "GB", "+14155552671"},
      // the region's own country code without '+'
      {"49 30 123456", "DE", "+4930123456"},
      // a mobile written without its trunk 0 is no valid international number: still national
      {"7911 123456", "GB", "+447911123456"},
      // valid both ways: national (BR area 49, landline), not +49 33612345 (DE)
      {"4933612345", "BR", "+554933612345"},
  };
  for (const Case& c : cases) {
    auto r = normalize_phone(c.raw, c.region);
    ASSERT_TRUE(r.is_ok()) << c.raw << " in " << c.region << ": " << r.status().to_string();
    EXPECT_EQ(*r, c.e164) << c.raw << " in " << c.region;
  }
}

TEST(NormalizePhone, WithoutDefaultRegionValidInternationalDigitsStillParse) {
  auto r = normalize_phone("5511912345678", "");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(*r, "+5511912345678");
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
