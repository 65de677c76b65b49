// The golden layout may only grow by appends relative to what the frozen 1.0 headers produce.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "layout_diff.h"

namespace sb::abi_test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string run_and_capture(const std::string& command) {
  struct Closer {
    void operator()(FILE* f) const { pclose(f); }
  };
  std::unique_ptr<FILE, Closer> pipe(popen(command.c_str(), "r"));
  if (!pipe) return {};
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

Layout parse_ok(std::string_view text) {
  std::vector<std::string> errors;
  Layout layout = parse_layout(text, errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  return layout;
}

TEST(LayoutAppendOnly, GoldenKeepsEveryOneDotZeroEntry) {
  Layout frozen = parse_ok(run_and_capture(SB_ABI_LAYOUT_DUMP_V1_0));
  Layout golden = parse_ok(read_file(SB_ABI_GOLDEN_FILE));
  // A broken dumper or an empty file must not pass as "nothing changed".
  ASSERT_GT(frozen.size(), 300u);
  ASSERT_GT(golden.size(), 300u);
  ASSERT_EQ(frozen.at("value SB_ABI_MAJOR"), 1);
  ASSERT_EQ(frozen.at("value SB_ABI_MINOR"), 0);
  for (const auto& v : append_only_violations(frozen, golden)) ADD_FAILURE() << v;
}

// The checker itself, on small layouts: it must accept appends and catch everything else.
const char* const kFrozen = R"(# comment
sizeof sb_str 16
offsetof sb_str.data 0
offsetof sb_str.size 8
sizeof sb_thing 16
alignof sb_thing 8
offsetof sb_thing.struct_size 0
sizeof sb_thing.struct_size 4
offsetof sb_thing.fn 8
value SB_ERR_AUTH -5
value SB_ABI_MINOR 0
)";

std::vector<std::string> violations_after(const std::string& from, const std::string& to) {
  std::string changed = kFrozen;
  changed.replace(changed.find(from), from.size(), to);
  return append_only_violations(parse_ok(kFrozen), parse_ok(changed));
}

TEST(LayoutAppendOnly, AcceptsAnAppendedFieldAndANewMinor) {
  std::string grown = std::string(kFrozen) + "offsetof sb_thing.added 16\nvalue SB_NEW 7\n";
  auto v = append_only_violations(
      parse_ok(kFrozen),
      parse_ok(grown.replace(grown.find("sizeof sb_thing 16"), 18, "sizeof sb_thing 24")));
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(violations_after("value SB_ABI_MINOR 0", "value SB_ABI_MINOR 1").empty());
}

TEST(LayoutAppendOnly, RejectsMovedFieldsShrinksRenumberingAndRemovals) {
  EXPECT_EQ(violations_after("offsetof sb_thing.fn 8", "offsetof sb_thing.fn 16").size(), 1u);
  EXPECT_EQ(violations_after("sizeof sb_thing 16", "sizeof sb_thing 8").size(), 1u);
  EXPECT_EQ(violations_after("sizeof sb_str 16", "sizeof sb_str 24").size(), 1u);
  EXPECT_EQ(violations_after("value SB_ERR_AUTH -5", "value SB_ERR_AUTH -6").size(), 1u);
  EXPECT_EQ(
      violations_after("sizeof sb_thing.struct_size 4", "sizeof sb_thing.struct_size 8").size(),
      1u);
  EXPECT_EQ(violations_after("offsetof sb_thing.fn 8\n", "").size(), 1u);
}

TEST(LayoutAppendOnly, RejectsAFieldInsertedInsideTheFrozenStruct) {
  auto v =
      violations_after("offsetof sb_thing.fn 8", "offsetof sb_thing.fn 8\noffsetof sb_thing.x 4");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].find("sb_thing.x"), std::string::npos);
}

TEST(LayoutAppendOnly, ReportsMalformedLines) {
  std::vector<std::string> errors;
  parse_layout("sizeof sb_str sixteen\nsizeof\n", errors);
  EXPECT_EQ(errors.size(), 2u);
}

}  // namespace
}  // namespace sb::abi_test
