// Rules abi.h keeps in every version (architecture brief, section 2), checked mechanically, and
// the cross-check that layout_table.h lists every struct and constant abi.h declares (the dumper's
// tiling check catches a forgotten field; this catches a forgotten struct or constant).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace sb::abi_test {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string strip_comments(const std::string& text) {
  static const std::regex kBlock(R"(/\*[\s\S]*?\*/)");
  static const std::regex kLine(R"(//[^\n]*)");
  return std::regex_replace(std::regex_replace(text, kBlock, " "), kLine, " ");
}

class AbiHeader : public ::testing::Test {
 protected:
  const std::string code_ = strip_comments(read_file(SB_ABI_HEADER));
  const std::string table_ = read_file(SB_ABI_LAYOUT_TABLE);
};

TEST_F(AbiHeader, IncludesOnlyStddefAndStdint) {
  static const std::regex kInclude(R"(#\s*include\s*([<"][^>"]+[>"]))");
  int count = 0;
  for (std::sregex_iterator it(code_.begin(), code_.end(), kInclude), end; it != end; ++it) {
    ++count;
    const std::string header = (*it)[1];
    EXPECT_TRUE(header == "<stddef.h>" || header == "<stdint.h>") << header;
  }
  EXPECT_EQ(count, 2);
}

// Fixed-width types only, so every compiler and both languages agree on sizes.
TEST_F(AbiHeader, UsesNoTypeWhoseSizeOrRepresentationVaries) {
  static const std::regex kWord(R"([A-Za-z_][A-Za-z0-9_]*)");
  const std::set<std::string> banned = {"bool", "_Bool",  "enum",     "long",  "short",
                                        "int",  "signed", "unsigned", "float", "double"};
  for (std::sregex_iterator it(code_.begin(), code_.end(), kWord), end; it != end; ++it) {
    EXPECT_FALSE(banned.contains(it->str())) << "abi.h uses '" << it->str() << "'";
  }
}

TEST_F(AbiHeader, EveryStructStartsWithStructSizeAndIsInTheLayoutTable) {
  static const std::regex kStruct(R"(typedef\s+struct\s+(\w+)\s*\{\s*([^;]*);)");
  int count = 0;
  for (std::sregex_iterator it(code_.begin(), code_.end(), kStruct), end; it != end; ++it) {
    ++count;
    const std::string name = (*it)[1];
    const std::string first = std::regex_replace((*it)[2].str(), std::regex(R"(\s+)"), " ");
    if (name != "sb_str") {  // sb_str is the frozen exception
      EXPECT_EQ(first, "uint32_t struct_size") << name;
    }
    EXPECT_NE(table_.find("SB_STRUCT(" + name + ")"), std::string::npos)
        << name << " is missing from layout_table.h";
  }
  EXPECT_GE(count, 18) << "the struct parser found too few structs";
}

TEST_F(AbiHeader, EveryNumericConstantIsInTheLayoutTable) {
  static const std::regex kDefine(R"(#\s*define\s+(SB_\w+)\s+[(0-9-])");
  int count = 0;
  for (std::sregex_iterator it(code_.begin(), code_.end(), kDefine), end; it != end; ++it) {
    ++count;
    const std::string name = (*it)[1];
    EXPECT_NE(table_.find("SB_VALUE(" + name + ")"), std::string::npos)
        << name << " is missing from layout_table.h";
  }
  EXPECT_GE(count, 40) << "the constant parser found too few constants";
}

}  // namespace
}  // namespace sb::abi_test
