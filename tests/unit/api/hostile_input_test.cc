// Hostile numbers and text against the API: integers past 64 bits (Poco 1.11 wraps them), negative,
// fractional, exponent, string and boolean values where an integer is expected, and text that is
// not valid UTF-8 (or holds control characters) in headers, bodies, queries and paths. Every one is
// a 400 naming the input, and nothing is stored, merged or handed to a channel.
#include "core/host_clock.h"
#include "fixture.h"

namespace sb::api::testing {
namespace {

// Each is refused where an integer is expected; the first two wrap to 2 and 0 in Poco 1.11.
const std::vector<std::string> kHostileIntegers = {
    "18446744073709551618",  // 2^64 + 2
    "18446744073709551616",  // 2^64
    "18446744073709551617",  // 2^64 + 1
    "9223372036854775808",   // 2^63
    "-9223372036854775809",  // -2^63 - 1
    "100000000000000000000000000000002",
    "-1",
    "1.5",
    "2.0",
    "1e3",
    "2E0",
    "1e400",
    "-1e400",
    "\"2\"",
    "true",
    "[2]",
    "{\"n\":2}",
};

class HostileInput : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ann_ = inbound("m1", "+4915111111111", "hello", "Ann").resolution.contact_id;
    auto ben = inbound("m2", "+4915122222222", "hi", "Ben").resolution;
    ben_ = ben.contact_id;
    conv_ = ben.conversation_id;
    ASSERT_EQ(ben_, 2);  // the id the wrapped 2^64 + 2 used to reach
    ASSERT_EQ(
        call("POST", "/v1/agents", admin_, R"({"id":"carl","name":"Carl","max_concurrent":3})")
            .status,
        201);
  }
  void customize(ApiDeps& deps) override { deps.clock = &clock_; }

  // 400 invalid_field naming `field`.
  void expect_refused(const http::Response& r, const std::string& field, const std::string& what) {
    EXPECT_EQ(r.status, 400) << what << ": " << r.body;
    if (r.status != 400) return;
    auto error = json(r)->getObject("error");
    EXPECT_EQ(error->getValue<std::string>("code"), "invalid_field") << what << ": " << r.body;
    EXPECT_EQ(error->optValue<std::string>("field", ""), field) << what << ": " << r.body;
  }
  int64_t max_concurrent() {
    return json(call("GET", "/v1/agents/carl", admin_))->getValue<int64_t>("max_concurrent");
  }
  std::string send(const std::string& body, const std::string& key = "k1") {
    return std::to_string(call("POST", "/v1/conversations/" + std::to_string(conv_) + "/messages",
                               admin_, body, {{"Idempotency-Key", key}})
                              .status);
  }

  HostClock clock_{true};
  int64_t ann_ = 0, ben_ = 0, conv_ = 0;
};

TEST_F(HostileInput, IntegersInBodiesAreRangeCheckedFromTheirText) {
  for (const auto& n : kHostileIntegers) {
    expect_refused(call("POST", "/v1/contacts/" + std::to_string(ann_) + "/merge", supervisor_,
                        R"({"other_id":)" + n + R"(,"reason":"x"})"),
                   "other_id", "other_id " + n);
    expect_refused(call("PUT", "/v1/agents/carl", admin_, R"({"max_concurrent":)" + n + "}"),
                   "max_concurrent", "max_concurrent " + n);
    expect_refused(call("POST", "/v1/admin/clock", admin_, R"({"advance_ms":)" + n + "}"),
                   "advance_ms", "advance_ms " + n);
  }
  // Nothing moved: no merge, the agent's limit and the clock as they were.
  auto merged = call("GET", "/v1/contacts/" + std::to_string(ben_), supervisor_);
  ASSERT_EQ(merged.status, 200);
  EXPECT_TRUE(json(merged)->isNull("merged_into")) << merged.body;
  EXPECT_EQ(max_concurrent(), 3);
  EXPECT_EQ(clock_.offset_ms(), 0);
}

TEST_F(HostileInput, ANestedOutOfRangeIntegerNamesItsPlace) {
  auto r = call("POST", "/v1/channels/wa1/ops/echo", admin_,
                R"({"a":{"list":[1,18446744073709551618]}})");
  expect_refused(r, "a.list[1]", "nested");
  EXPECT_NE(json(r)->getObject("error")->getValue<std::string>("message").find("out of range"),
            std::string::npos);
  // The largest and smallest 64-bit integers are still integers.
  auto edge = call("POST", "/v1/channels/wa1/ops/echo", admin_,
                   R"({"a":9223372036854775807,"b":-9223372036854775808})");
  ASSERT_EQ(edge.status, 200) << edge.body;
  EXPECT_EQ(edge.body, R"({"got":{"a":9223372036854775807,"b":-9223372036854775808}})");
}

TEST_F(HostileInput, IdsInPathsAndQueriesAreRangeChecked) {
  for (const std::string id : {"18446744073709551618", "18446744073709551616", "+2", " 2", "2 ",
                               "0x2", "2.0", "-2", "0"}) {
    for (const std::string base : {"/v1/contacts/", "/v1/conversations/"}) {
      auto r = call("GET", base + id, supervisor_);
      EXPECT_TRUE(r.status == 404 || r.status == 400) << base << id << ": " << r.body;
    }
  }
  for (const std::string n : {"18446744073709551618", "+2", " 2", "2e0", "1.5", "0x2"}) {
    expect_refused(call("GET", "/v1/search?q=hi&contact=" + n, supervisor_), "contact",
                   "contact " + n);
    expect_refused(call("GET", "/v1/search?q=hi&from=" + n, supervisor_), "from", "from " + n);
    expect_refused(call("GET", "/v1/contacts?cursor=" + n, supervisor_), "cursor", "cursor " + n);
    expect_refused(call("GET", "/v1/conversations?cursor=" + n, supervisor_), "cursor",
                   "cursor " + n);
  }
}

// Invalid UTF-8 of every kind, and the control characters refused in headers, queries and paths.
const std::vector<std::pair<std::string, std::string>> kBadText = {
    {"lone continuation byte", "a\x80z"},    {"invalid byte", "a\xFFz"},
    {"truncated sequence", "a\xE2\x82"},     {"overlong slash", "a\xC0\xAFz"},
    {"overlong NUL", "a\xC0\x80z"},          {"overlong three-byte", "a\xE0\x80\xAFz"},
    {"surrogate U+D800", "a\xED\xA0\x80z"},  {"surrogate U+DFFF", "a\xED\xBF\xBFz"},
    {"past U+10FFFF", "a\xF4\x90\x80\x80z"}, {"five-byte form", "a\xF8\x88\x80\x80\x80z"},
};

TEST_F(HostileInput, IdempotencyKeysMustBeCleanUtf8) {
  auto bad = kBadText;
  bad.emplace_back("NUL", std::string("a\0z", 3));
  bad.emplace_back("newline", "a\nz");
  bad.emplace_back("escape", "a\x1bz");
  bad.emplace_back("DEL", "a\x7fz");
  for (const auto& [what, key] : bad) {
    auto r = call("POST", "/v1/conversations/" + std::to_string(conv_) + "/messages", admin_,
                  R"({"text":"hi"})", {{"Idempotency-Key", key}});
    expect_refused(r, "Idempotency-Key", what);
    auto start = call("POST", "/v1/conversations", admin_,
                      R"({"instance_id":"wa1","to":{"address":"+4915199999999"},)"
                      R"("message":{"content_type":"text","text":"hi"}})",
                      {{"Idempotency-Key", key}});
    expect_refused(start, "Idempotency-Key", what);
  }
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(send(R"({"text":"hi"})", "k-\xC3\xA9-\xF0\x9F\x98\x80"), "202");  // é and an emoji
}

TEST_F(HostileInput, BodyStringsMustBeValidUtf8) {
  for (const auto& [what, text] : kBadText) {
    auto r = call("POST", "/v1/conversations/" + std::to_string(conv_) + "/messages", admin_,
                  R"({"text":")" + text + R"("})", {{"Idempotency-Key", "k-" + what}});
    expect_refused(r, "text", what);
    // Payloads forwarded to a plugin as they are: the same check, anywhere inside.
    expect_refused(
        call("POST", "/v1/channels/wa1/ops/echo", admin_, R"({"deep":[{"s":")" + text + R"("}]})"),
        "deep[0].s", what);
  }
  for (const std::string escape : {R"(\ud800)", R"(\udfff)", R"(\ud83d)", R"(\ud83dx)",
                                   R"(\ude00\ud83d)", R"(\u0000)", R"(a\u0000b)"}) {
    auto r = call("POST", "/v1/conversations/" + std::to_string(conv_) + "/messages", admin_,
                  R"({"text":")" + escape + R"("})", {{"Idempotency-Key", "k-esc"}});
    expect_refused(r, "text", escape);
  }
  // Keys are text too (a key cannot be named in the error, so it is a malformed body).
  auto key = call("PUT", "/v1/agents/carl", admin_, "{\"na\xFFme\":\"x\"}");
  EXPECT_EQ(key.status, 400) << key.body;
  EXPECT_TRUE(sent_.empty());
  // A paired surrogate escape is fine and arrives as UTF-8.
  EXPECT_EQ(send(R"({"text":"ok \ud83d\ude00 \u00e9"})"), "202");
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].text, "ok \xF0\x9F\x98\x80 \xC3\xA9");
}

TEST_F(HostileInput, QueryParametersAndPathSegmentsMustBeCleanUtf8) {
  for (const std::string q : {"%FF", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "a%00b", "a%0Ab"}) {
    expect_refused(call("GET", "/v1/contacts?q=" + q, supervisor_), "q", q);
    expect_refused(call("GET", "/v1/search?q=" + q, supervisor_), "q", q);
    expect_refused(call("GET", "/v1/conversations?queue=" + q, supervisor_), "queue", q);
  }
  expect_refused(call("GET", "/v1/contacts?q=%ZZ", supervisor_), "query", "malformed escape");
  expect_refused(call("GET", "/v1/contacts?%FF=1", supervisor_), "query", "bad name");
  // Paths arrive decoded from the server: a segment can hold any byte.
  expect_refused(call("GET", "/v1/agents/car\xFFl", supervisor_), "path", "agent id");
  expect_refused(call("GET", std::string("/v1/queues/a\0b", 14), supervisor_), "path", "NUL");
  expect_refused(call("POST", "/v1/channels/wa1/ops/ec\xC0\xAFho", admin_, "{}"), "path", "op");
  EXPECT_EQ(call("GET", "/v1/contacts?q=%C3%A9", supervisor_).status, 200);
}

}  // namespace
}  // namespace sb::api::testing
