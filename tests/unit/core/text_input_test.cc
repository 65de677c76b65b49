// The host's one integer reader and one UTF-8 validator.
#include "core/text_input.h"

#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(ParseInteger, ReadsTheWholeTextWithoutWrapping) {
  EXPECT_EQ(*parse_integer("0"), 0);
  EXPECT_EQ(*parse_integer("-42"), -42);
  EXPECT_EQ(*parse_integer("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(*parse_integer("-9223372036854775808"), INT64_MIN);
  for (const char* bad : {"9223372036854775808", "18446744073709551616", "18446744073709551618",
                          "-9223372036854775809", "99999999999999999999999999"}) {
    auto r = parse_integer(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().message(), "is out of range (64-bit integers only)") << bad;
  }
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "1_000", "--1", "١"}) {
    auto r = parse_integer(bad);
    ASSERT_FALSE(r.is_ok()) << bad;
    EXPECT_EQ(r.status().message(), "must be an integer") << bad;
  }
}

TEST(ParseInteger, ChecksTheRange) {
  EXPECT_EQ(*parse_integer("7", 1, 10), 7);
  EXPECT_EQ(parse_integer("0", 1, 10).status().message(), "must be between 1 and 10");
  EXPECT_EQ(parse_integer("18446744073709551618", 1, 10).status().message(),
            "must be between 1 and 10");
  EXPECT_EQ(parse_integer("0", 1).status().message(), "must be at least 1");
}

TEST(Utf8, RefusesEveryMalformedForm) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  for (const char* bad : {"\x80", "\xFF", "\xC3", "\xE2\x82", "\xC0\xAF", "\xC1\xBF",
                          "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xED\xA0\x80", "\xED\xBF\xBF",
                          "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xC3\x28"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << bad;
  }
}

TEST(CleanText, RefusesControlCharacters) {
  EXPECT_EQ(text_problem("key-\xC3\xA9"), "");
  EXPECT_EQ(text_problem(std::string_view("a\0b", 3)), "contains a control character");
  EXPECT_EQ(text_problem("a\tb"), "contains a control character");
  EXPECT_EQ(text_problem("a\x7F"), "contains a control character");
  EXPECT_EQ(text_problem("a\xFF"), "is not valid UTF-8");
  EXPECT_FALSE(is_clean_text("\r\n"));
  EXPECT_TRUE(is_clean_text("Idempotency 123"));
}

}  // namespace
}  // namespace sb
