#include <switchboard/json.hpp>

#include <gtest/gtest.h>

#include <string>

namespace json = switchboard::json;

TEST(Json, ParsesNestedDocument) {
  auto v = json::parse(R"( {"a": [1, -2.5, true, null, "x"], "b": {"c": "d"}} )");
  ASSERT_TRUE(v);
  ASSERT_TRUE(v->is_object());
  const json::Value* a = v->find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items().size(), 5u);
  EXPECT_EQ(a->items()[0].as_int(), 1);
  EXPECT_TRUE(a->items()[0].is_int());
  EXPECT_DOUBLE_EQ(a->items()[1].as_double(), -2.5);
  EXPECT_TRUE(a->items()[2].as_bool());
  EXPECT_TRUE(a->items()[3].is_null());
  EXPECT_EQ(a->items()[4].as_string(), "x");
  EXPECT_EQ(v->find("b")->find("c")->as_string(), "d");
  EXPECT_EQ(v->find("missing"), nullptr);
}

TEST(Json, DecodesEscapesToUtf8) {
  auto v = json::parse(R"("a\"b\\c\n\u00e9\ud83d\ude00")");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_string(), "a\"b\\c\n\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(Json, RejectsInvalidDocumentsWithOffset) {
  for (const char* bad : {"{\"a\":1,}", "[1,]", "01", "\"\\ud800\"", "\"a\nb\"",
                          "{\"a\":1,\"a\":2}", "tru", "{} x", "", "{\"a\" 1}", "1.", "-", "1e"}) {
    std::string error;
    EXPECT_FALSE(json::parse(bad, &error)) << bad;
    EXPECT_NE(error.find("offset"), std::string::npos) << bad;
  }
}

TEST(Json, LimitsNesting) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  std::string error;
  EXPECT_FALSE(json::parse(deep, &error));
  EXPECT_NE(error.find("deep"), std::string::npos);
  EXPECT_TRUE(json::parse(std::string(30, '[') + std::string(30, ']')));
}

TEST(Json, HugeIntegerBecomesDouble) {
  auto v = json::parse("123456789012345678901234567890");
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->is_int());
  EXPECT_TRUE(v->is_number());
  EXPECT_GT(v->as_double(), 1e29);
}

TEST(Json, DumpEscapesAndRoundTrips) {
  json::Value v = json::Value::object();
  v.set("text", "quote \" backslash \\ tab \t bell \x07").set("n", 42).set("ok", false);
  v.set("list", json::Value::array().push(1.5).push(nullptr));
  std::string out = v.dump();
  EXPECT_EQ(out, R"({"text":"quote \" backslash \\ tab \t bell \u0007","n":42,"ok":false,)"
                 R"("list":[1.5,null]})");
  auto back = json::parse(out);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->dump(), out);
}

TEST(Json, SetReplacesExistingMember) {
  json::Value v;
  v.set("a", 1).set("a", 2);
  EXPECT_EQ(v.dump(), R"({"a":2})");
}
