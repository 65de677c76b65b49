// Multipart MO reassembly: any order, duplicates, split escape/surrogate pairs, timeout with gaps.
#include "reassembly.hpp"

#include <gtest/gtest.h>

namespace sms {
namespace {

PartKey key(uint8_t total) {
  return PartKey{"+4477", "12345", false, 42, total};
}

TEST(SmsReassembly, ShuffledPartsJoinInOrder) {
  Reassembler r(600'000);
  Reassembled done;
  EXPECT_EQ(r.add(key(3), 3, 0, "ghi", "c", 0, &done), Reassembler::Added::kStored);
  EXPECT_EQ(r.add(key(3), 1, 0, "abc", "a", 1, &done), Reassembler::Added::kStored);
  EXPECT_EQ(r.add(key(3), 1, 0, "abc", "a2", 2, &done), Reassembler::Added::kDuplicate);
  EXPECT_EQ(r.add(key(3), 2, 0, "def", "b", 3, &done), Reassembler::Added::kComplete);
  EXPECT_EQ(done.text, "abcdefghi");
  EXPECT_EQ(done.part_ids, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(done.missing.empty());
  EXPECT_EQ(r.pending(), 0u);
}

TEST(SmsReassembly, EscapeAndSurrogatePairsAcrossPartsAreRejoined) {
  Reassembler r(600'000);
  Reassembled done;
  r.add(key(2), 2, 0, "\x65!", "b", 0, &done);
  ASSERT_EQ(r.add(key(2), 1, 0, "x\x1B", "a", 0, &done), Reassembler::Added::kComplete);
  EXPECT_EQ(done.text, "x€!");
  PartKey k = key(2);
  k.ref = 7;
  r.add(k, 1, 8, std::string("\xD8\x3D", 2), "a", 0, &done);
  ASSERT_EQ(r.add(k, 2, 8, std::string("\xDE\x00", 2), "b", 0, &done),
            Reassembler::Added::kComplete);
  EXPECT_EQ(done.text, "😀");
}

TEST(SmsReassembly, DifferentKeysDoNotMix) {
  Reassembler r(600'000);
  Reassembled done;
  PartKey other = key(2);
  other.source = "+4478";
  r.add(key(2), 1, 0, "a", "1", 0, &done);
  EXPECT_EQ(r.add(other, 2, 0, "b", "2", 0, &done), Reassembler::Added::kStored);
  EXPECT_EQ(r.pending(), 2u);
}

TEST(SmsReassembly, TimeoutReleasesWhatCameWithGapMarkers) {
  Reassembler r(1'000);
  Reassembled done;
  r.add(key(3), 1, 0, "Hello ", "a", 100, &done);
  r.add(key(3), 3, 0, " world", "c", 200, &done);
  EXPECT_EQ(r.next_deadline(), 1'100);
  EXPECT_TRUE(r.expire(1'099).empty());
  auto out = r.expire(1'100);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, "Hello \xE2\x80\xA6 world");
  EXPECT_EQ(out[0].missing, std::vector<uint8_t>{2});
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_FALSE(r.next_deadline());
}

TEST(SmsReassembly, TooManyOpenReleasesTheOldest) {
  Reassembler r(600'000, 2);
  Reassembled done;
  for (uint16_t ref = 1; ref <= 3; ++ref) {
    PartKey k = key(2);
    k.ref = ref;
    r.add(k, 1, 0, "p" + std::to_string(ref), "id", ref * 10, &done);
  }
  auto out = r.overflow();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key.ref, 1);
  EXPECT_EQ(out[0].text, "p1\xE2\x80\xA6");
  EXPECT_EQ(r.pending(), 2u);
  EXPECT_TRUE(r.overflow().empty());
}

}  // namespace
}  // namespace sms
