#include "log/log.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb_log_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    (void)sb::log::init_logging({});  // back to stderr only, releasing the file
    fs::remove_all(dir_);
  }
  std::vector<std::string> read_lines(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  fs::path dir_;
};

TEST_F(LogTest, JsonLinesAreValidJsonWithAllFields) {
  sb::log::LogOptions opts;
  opts.json = true;
  opts.level = "debug";
  opts.file = dir_ / "out.log";
  ASSERT_TRUE(sb::log::init_logging(opts).is_ok());

  auto lg = sb::log::logger("wa-sales");
  const std::string tricky = "quote \" backslash \\ newline\n tab\t ctl\x01 bell\x7f utf8 é € 😀";
  lg->info("{}", tricky);
  lg->debug("bad utf8 \xC3\x28 and \xFF end");
  lg->trace("filtered out at debug");
  lg->flush();

  auto lines = read_lines(dir_ / "out.log");
  ASSERT_EQ(lines.size(), 2u);
  Poco::JSON::Parser parser;
  auto first = parser.parse(lines[0]).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(first->getValue<std::string>("msg"), tricky);
  EXPECT_EQ(first->getValue<std::string>("level"), "info");
  EXPECT_EQ(first->getValue<std::string>("logger"), "wa-sales");
  auto ts = first->getValue<std::string>("ts");
  EXPECT_EQ(ts.size(), 24u) << ts;  // 2026-01-02T03:04:05.678Z
  EXPECT_EQ(ts.back(), 'Z');

  parser.reset();
  auto second = parser.parse(lines[1]).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(second->getValue<std::string>("level"), "debug");
  EXPECT_EQ(second->getValue<std::string>("msg"), "bad utf8 \xEF\xBF\xBD( and \xEF\xBF\xBD end");
}

TEST_F(LogTest, TextFormatAndReinitChangesLevelOfExistingLoggers) {
  auto lg = sb::log::logger("store");
  sb::log::LogOptions opts;
  opts.level = "warn";
  opts.file = dir_ / "text.log";
  ASSERT_TRUE(sb::log::init_logging(opts).is_ok());
  lg->info("hidden");
  lg->warn("shown {}", 42);
  lg->flush();
  auto lines = read_lines(dir_ / "text.log");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("[store] shown 42"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("warning"), std::string::npos) << lines[0];
}

TEST_F(LogTest, RedactedSecretsNeverReachTheSinks) {
  sb::log::LogOptions opts;
  opts.json = true;
  opts.file = dir_ / "redacted.log";
  ASSERT_TRUE(sb::log::init_logging(opts).is_ok());
  sb::log::set_redacted_secrets({"EAAGtoken123", ""});
  auto lg = sb::log::logger("wa-sales");
  lg->info("calling graph with Bearer EAAGtoken123 twice EAAGtoken123");
  sb::log::set_redacted_secrets({});
  lg->info("after clearing: EAAGtoken123");
  lg->flush();
  auto lines = read_lines(dir_ / "redacted.log");
  ASSERT_EQ(lines.size(), 2u);
  Poco::JSON::Parser parser;
  auto first = parser.parse(lines[0]).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(first->getValue<std::string>("msg"), "calling graph with Bearer *** twice ***");
  EXPECT_NE(lines[1].find("EAAGtoken123"), std::string::npos);
}

TEST_F(LogTest, LoggerIsSharedByName) {
  EXPECT_EQ(sb::log::logger("a").get(), sb::log::logger("a").get());
  EXPECT_NE(sb::log::logger("a").get(), sb::log::logger("b").get());
}

TEST_F(LogTest, InvalidLevelAndUnopenableFileAreErrors) {
  sb::log::LogOptions opts;
  opts.level = "verbose";
  auto st = sb::log::init_logging(opts);
  EXPECT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(),
            "invalid log level \"verbose\": expected trace, debug, info, warn or error");

  std::ofstream(dir_ / "not_a_dir") << "x";
  opts.level = "info";
  opts.file = dir_ / "not_a_dir" / "x.log";
  st = sb::log::init_logging(opts);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("cannot open log file"), std::string::npos);
}

TEST(Redact, ReplacesEveryOccurrenceOfEverySecret) {
  std::vector<std::string> secrets = {"tok123", "", "pw"};
  EXPECT_EQ(sb::log::redact("a tok123 b tok123 pw", secrets), "a *** b *** ***");
  EXPECT_EQ(sb::log::redact("nothing here", secrets), "nothing here");
}

TEST(Redact, LongerSecretWinsOverContainedOne) {
  std::vector<std::string> secrets = {"abc", "xxabcxx"};
  EXPECT_EQ(sb::log::redact("[xxabcxx] [abc]", secrets), "[***] [***]");
}

TEST(JsonEscape, EscapesControlCharacters) {
  EXPECT_EQ(sb::log::json_escape("a\"b\\c\n\x02"), "a\\\"b\\\\c\\n\\u0002");
}

}  // namespace
