// GSM 03.38 / UCS-2 / Latin-1 encoding and splitting of outbound SMS text, and decoding of MO text.
#include "text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sms {
namespace {

std::string rep(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

Plan must_plan(std::string_view text, SplitOptions o = {}) {
  PlanError e;
  auto p = plan_text(text, o, &e);
  EXPECT_TRUE(p.has_value()) << e.message;
  return p.value_or(Plan{});
}

TEST(SmsText, EveryExtensionCharacterIsAnEscapePairAndRoundTrips) {
  const std::pair<const char*, char> ext[] = {{"\f", 0x0A}, {"^", 0x14}, {"{", 0x28}, {"}", 0x29},
                                              {"\\", 0x2F}, {"[", 0x3C}, {"~", 0x3D}, {"]", 0x3E},
                                              {"|", 0x40},  {"€", 0x65}};
  for (const auto& [ch, septet] : ext) {
    auto cps = utf8_decode(ch);
    ASSERT_TRUE(cps && cps->size() == 1);
    EXPECT_EQ(gsm_encode_char((*cps)[0]), std::string({0x1B, septet})) << ch;
    EXPECT_EQ(gsm_decode(std::string({0x1B, septet})), ch);
    Plan p = must_plan(ch);
    EXPECT_EQ(p.encoding, Encoding::kGsm7);
    EXPECT_EQ(p.units, 2u) << ch;
  }
}

TEST(SmsText, BaseTableSpecialPositions) {
  EXPECT_EQ(gsm_encode_char(U'@'), std::string(1, '\0'));
  EXPECT_EQ(gsm_encode_char(U'$'), "\x02");
  EXPECT_EQ(gsm_encode_char(U'_'), "\x11");
  EXPECT_EQ(gsm_encode_char(0xA4), "\x24");  // ¤
  EXPECT_EQ(gsm_encode_char(0xA1), "\x40");  // ¡
  EXPECT_EQ(gsm_encode_char(0xBF), "\x60");  // ¿
  EXPECT_TRUE(gsm_encode_char(U'`').empty());
  EXPECT_TRUE(gsm_encode_char(0xE7).empty());  // ç is not in the table
  // Every base septet decodes and encodes back to itself (except ESC).
  for (int s = 0; s < 128; ++s) {
    if (s == 0x1B) continue;
    std::string dec = gsm_decode(std::string(1, static_cast<char>(s)));
    auto cps = utf8_decode(dec);
    ASSERT_TRUE(cps && cps->size() == 1) << s;
    EXPECT_EQ(gsm_encode_char((*cps)[0]), std::string(1, static_cast<char>(s))) << s;
  }
}

TEST(SmsText, GsmDecodeQuirks) {
  EXPECT_EQ(gsm_decode("\x1B\x41"), "A");  // reserved escape reads as the base character
  EXPECT_EQ(gsm_decode("\x1B\x1B"), " ");  // ESC ESC
  EXPECT_EQ(gsm_decode("ab\x1B"), "ab");   // trailing lone ESC dropped
  EXPECT_EQ(gsm_decode("Hi \x1B\x65"), "Hi €");
}

TEST(SmsText, GsmBoundaries160And161And153) {
  Plan p160 = must_plan(rep("a", 160));
  EXPECT_EQ(p160.parts.size(), 1u);
  EXPECT_EQ(p160.units_left, 0u);
  Plan p161 = must_plan(rep("a", 161));
  ASSERT_EQ(p161.parts.size(), 2u);
  EXPECT_EQ(p161.parts[0].size(), 153u);
  EXPECT_EQ(p161.parts[1].size(), 8u);
  EXPECT_EQ(p161.units_left, 145u);
  Plan p306 = must_plan(rep("a", 306));
  EXPECT_EQ(p306.parts.size(), 2u);
  EXPECT_EQ(must_plan(rep("a", 307)).parts.size(), 3u);
  Plan p200 = must_plan(rep("a", 200));
  EXPECT_EQ(p200.parts[0].size(), 153u);
  EXPECT_EQ(p200.parts[1].size(), 47u);
}

TEST(SmsText, EscapePairIsNeverSplit) {
  // 152 x a + € + 10 x b = 164 septets: parts of 152 and 12.
  Plan p = must_plan(rep("a", 152) + "€" + rep("b", 10));
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(p.parts[0].size(), 152u);
  EXPECT_EQ(p.parts[1].size(), 12u);
  EXPECT_EQ(p.parts[1].substr(0, 2), "\x1B\x65");
  // 159 x a + € = 161 septets: does not fit one part of 160.
  EXPECT_EQ(must_plan(rep("a", 159) + "€").parts.size(), 2u);
  EXPECT_EQ(must_plan(rep("a", 158) + "€").parts.size(), 1u);
}

TEST(SmsText, Ucs2Boundaries70And71And67) {
  Plan p70 = must_plan(rep("ж", 70));
  EXPECT_EQ(p70.encoding, Encoding::kUcs2);
  EXPECT_EQ(p70.data_coding, 0x08);
  EXPECT_EQ(p70.parts.size(), 1u);
  EXPECT_EQ(p70.parts[0].size(), 140u);
  Plan p71 = must_plan(rep("ж", 71));
  ASSERT_EQ(p71.parts.size(), 2u);
  EXPECT_EQ(p71.parts[0].size(), 134u);  // 67 units
  EXPECT_EQ(p71.parts[1].size(), 8u);
  EXPECT_EQ(p71.units_left, 63u);
  EXPECT_EQ(must_plan(rep("ж", 134)).parts.size(), 2u);
  EXPECT_EQ(must_plan(rep("ж", 135)).parts.size(), 3u);
}

TEST(SmsText, EmojiIsASurrogatePairNeverSplit) {
  Plan e = must_plan("😀");
  EXPECT_EQ(e.units, 2u);
  EXPECT_EQ(e.parts[0], std::string("\xD8\x3D\xDE\x00", 4));
  // 66 x a + 😀 + 10 x b = 78 units: parts of 66 and 12 units.
  Plan p = must_plan(rep("a", 66) + "😀" + rep("b", 10));
  ASSERT_EQ(p.parts.size(), 2u);
  EXPECT_EQ(p.parts[0].size(), 132u);
  EXPECT_EQ(p.parts[1].size(), 24u);
  EXPECT_EQ(ucs2_decode(p.parts[1]).substr(0, 4), "😀");
  // One emoji turns a 100-character GSM text into 2 UCS-2 parts.
  EXPECT_EQ(must_plan(rep("a", 100)).parts.size(), 1u);
  EXPECT_EQ(must_plan(rep("a", 99) + "😀").parts.size(), 2u);
  EXPECT_EQ(ucs2_decode(std::string("\xD8\x3D\xDE\x00", 4)), "😀");
  EXPECT_EQ(ucs2_decode(std::string("\xD8\x3D", 2)), "\xEF\xBF\xBD");  // lone surrogate
}

TEST(SmsText, Udh16AndSarAndPayloadCapacities) {
  SplitOptions o;
  o.concat = Concat::kUdh16;
  Plan p = must_plan(rep("a", 161), o);
  EXPECT_EQ(p.parts[0].size(), 152u);
  o.concat = Concat::kSar;
  EXPECT_EQ(must_plan(rep("a", 161), o).parts[0].size(), 153u);
  o.concat = Concat::kPayload;
  Plan one = must_plan(rep("a", 1000), o);
  EXPECT_EQ(one.parts.size(), 1u);
  EXPECT_EQ(one.parts[0].size(), 1000u);
}

TEST(SmsText, Latin1WhenAllowedAndTooManyPartsRefused) {
  SplitOptions o;
  o.allow_latin1 = true;
  Plan p = must_plan("garçon", o);
  EXPECT_EQ(p.encoding, Encoding::kLatin1);
  EXPECT_EQ(p.data_coding, 0x03);
  EXPECT_EQ(p.parts[0], "gar\xE7on");
  EXPECT_EQ(latin1_decode("gar\xE7on"), "garçon");
  EXPECT_EQ(must_plan("garçon").encoding, Encoding::kUcs2);
  o.max_parts = 2;
  PlanError e;
  EXPECT_FALSE(plan_text(rep("a", 400), o, &e));
  EXPECT_NE(e.message.find("3 parts"), std::string::npos);
  EXPECT_FALSE(plan_text("", {}, &e));
  EXPECT_FALSE(plan_text("\xC3", {}, &e));
  EXPECT_FALSE(plan_text("\xED\xA0\x80", {}, &e));  // encoded surrogate
}

TEST(SmsText, DecodeByDataCoding) {
  bool binary = false;
  EXPECT_EQ(decode_text(0x00, "Hello"), "Hello");
  EXPECT_EQ(decode_text(0x08, std::string("\x00h\x00i", 4)), "hi");
  EXPECT_EQ(decode_text(0x03, "\xE9"), "é");
  EXPECT_EQ(decode_text(0x01, "ab\x80"), "ab?");
  EXPECT_EQ(decode_text(0x04, "\x01\xFF", &binary), "01ff");
  EXPECT_TRUE(binary);
  EXPECT_EQ(decode_text(0xF0, "A"), "A");
  EXPECT_EQ(decode_text(0x18, std::string("\x00h", 2)), "h");
  EXPECT_EQ(decoding_of(0x19), Decoding::kUcs2);  // general group, bits 3-2 = 10
}

}  // namespace
}  // namespace sms
