#include "contacts/reference.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace sb::contacts {
namespace {

TEST(Reference, FormatIsPrefixPlusSixUnambiguousCharacters) {
  const std::string ref = make_reference(123456789);
  ASSERT_EQ(ref.size(), 9u);
  EXPECT_EQ(ref.substr(0, 3), "SB-");
  for (char c : ref.substr(3)) EXPECT_NE(kReferenceAlphabet.find(c), std::string_view::npos) << c;
  for (char confusable : std::string_view("0O1IL2Z5S8BUV")) {
    EXPECT_EQ(kReferenceAlphabet.find(confusable), std::string_view::npos) << confusable;
  }
}

TEST(Reference, RoundTripsThroughSpokenForms) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 1000; ++i) {
    const std::string ref = make_reference(rng());
    ASSERT_EQ(parse_reference(ref), ref);
    std::string spoken = ref.substr(3);
    for (char& c : spoken) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(parse_reference("sb " + spoken), ref);
    EXPECT_EQ(parse_reference(spoken.substr(0, 3) + " " + spoken.substr(3)), ref);
  }
}

TEST(Reference, CheckCharacterCatchesEverySingleSubstitution) {
  const std::string ref = make_reference(987654321);
  for (size_t pos = 3; pos < ref.size(); ++pos) {
    for (char c : kReferenceAlphabet) {
      if (c == ref[pos]) continue;
      std::string typo = ref;
      typo[pos] = c;
      EXPECT_FALSE(parse_reference(typo).has_value()) << typo;
    }
  }
}

TEST(Reference, CheckCharacterCatchesNeighbourSwaps) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    const std::string ref = make_reference(rng());
    for (size_t pos = 3; pos + 2 < ref.size(); ++pos) {
      if (ref[pos] == ref[pos + 1]) continue;
      std::string swapped = ref;
      std::swap(swapped[pos], swapped[pos + 1]);
      EXPECT_FALSE(parse_reference(swapped).has_value()) << ref << " vs " << swapped;
    }
  }
}

TEST(Reference, DistinctValuesGiveDistinctReferences) {
  std::set<std::string> seen;
  for (uint64_t v = 0; v < 5000; ++v) seen.insert(make_reference(v));
  EXPECT_EQ(seen.size(), 5000u);
}

TEST(Reference, FoundInFreeText) {
  const std::string ref = make_reference(55555);
  EXPECT_EQ(find_reference("Hi, my reference is " + ref + ", thanks!"), ref);
  std::string lower = ref;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(find_reference("re: " + lower), ref);
  EXPECT_FALSE(find_reference("nothing here, SB-AAAAAA is not valid").has_value());
  EXPECT_FALSE(find_reference("XSB-" + ref.substr(3)).has_value());
}

}  // namespace
}  // namespace sb::contacts
