// An agent gets message content only of conversations it may see, through every route (issue 8):
// one customer with two conversations, one in alice's queue and one in bob's. Also: the
// conversation listing's reference/phone/email filters, and hostile search text.
#include <set>

#include "fixture.h"

namespace sb::api::testing {
namespace {

class VisibilityApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    for (const char* q : {"sales", "support"}) {
      ASSERT_EQ(call("POST", "/v1/queues", admin_, std::string(R"({"id":")") + q + "\"}").status,
                201);
    }
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"alice","queues":["sales"]})").status,
              201);
    ASSERT_EQ(call("POST", "/v1/agents", admin_, R"({"id":"bob","queues":["support"]})").status,
              201);
    // Ann writes to two of our numbers: two conversations of one contact.
    const auto a = inbound("a1", "+4915111111111", "alpha secret", "Ann", "+4930123456");
    ann_ = a.resolution.contact_id;
    alice_conv_ = a.resolution.conversation_id;
    alice_msg_ = a.message_id;
    for (int i = 1; i <= 3; ++i) {
      const auto b = inbound("b" + std::to_string(i), "+4915111111111",
                             "bravo secret " + std::to_string(i), "Ann", "+4930999999");
      ASSERT_EQ(b.resolution.contact_id, ann_);
      bob_conv_ = b.resolution.conversation_id;
      bob_msgs_.push_back(b.message_id);
    }
    ASSERT_NE(alice_conv_, bob_conv_);
    move(alice_conv_, "sales");
    move(bob_conv_, "support");
  }

  void move(int64_t conv, const std::string& queue) {
    ASSERT_EQ(call("POST", "/v1/conversations/" + std::to_string(conv) + "/assign", supervisor_,
                   R"({"agent":null,"queue":")" + queue + "\"}")
                  .status,
              200);
  }

  // Every item of every page of a listing, following next_cursor.
  std::vector<Poco::JSON::Object::Ptr> all_pages(const std::string& target,
                                                 const std::string& token) {
    std::vector<Poco::JSON::Object::Ptr> out;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      const std::string sep = target.find('?') == std::string::npos ? "?" : "&";
      auto r = call("GET", target + (cursor.empty() ? "" : sep + "cursor=" + cursor), token);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      auto body = json(r);
      auto items = body->getArray("items");
      for (size_t i = 0; i < items->size(); ++i) out.push_back(items->getObject(i));
      cursor = body->getValue<std::string>("next_cursor");
      if (cursor.empty()) break;
    }
    return out;
  }

  std::string reference(int64_t conv) {
    return json(call("GET", "/v1/conversations/" + std::to_string(conv), supervisor_))
        ->getValue<std::string>("reference");
  }

  std::set<int64_t> listed(const std::string& target, const std::string& token) {
    std::set<int64_t> ids;
    for (const auto& c : all_pages(target, token)) ids.insert(c->getValue<int64_t>("id"));
    return ids;
  }

  static std::string field(const http::Response& r) {
    return json(r)->getObject("error")->getValue<std::string>("field");
  }

  int64_t ann_ = 0, alice_conv_ = 0, bob_conv_ = 0, alice_msg_ = 0;
  std::vector<int64_t> bob_msgs_;
};

TEST_F(VisibilityApi, TimelineHoldsOnlyTheAgentsConversations) {
  const std::string timeline = "/v1/contacts/" + std::to_string(ann_) + "/timeline";
  auto alice = all_pages(timeline, agent_);
  ASSERT_EQ(alice.size(), 1u);  // page size 2: bob's three newer messages must not fill it
  EXPECT_EQ(alice[0]->getValue<int64_t>("id"), alice_msg_);
  EXPECT_EQ(alice[0]->getValue<std::string>("text"), "alpha secret");

  auto bob = all_pages(timeline, other_agent_);
  ASSERT_EQ(bob.size(), 3u);
  for (const auto& m : bob) EXPECT_EQ(m->getValue<int64_t>("conversation_id"), bob_conv_);

  EXPECT_EQ(all_pages(timeline, supervisor_).size(), 4u);
  EXPECT_EQ(all_pages(timeline, admin_).size(), 4u);

  // Taking bob's conversation away from his queue takes its messages out of his timeline.
  move(bob_conv_, "sales");
  EXPECT_EQ(call("GET", timeline, other_agent_).status, 403);
  EXPECT_EQ(all_pages(timeline, agent_).size(), 4u);
}

TEST_F(VisibilityApi, NoOtherRouteGivesAnAgentAnotherAgentsMessage) {
  for (int64_t id : bob_msgs_) {
    const std::string m = "/v1/messages/" + std::to_string(id);
    EXPECT_EQ(call("GET", m, agent_).status, 403) << m;  // content and status history
    EXPECT_EQ(call("GET", m + "/attachments/0", agent_).status, 403) << m;
    EXPECT_EQ(call("GET", m, other_agent_).status, 200) << m;
    EXPECT_EQ(call("GET", m, supervisor_).status, 200) << m;
  }
  const std::string bob_conv = "/v1/conversations/" + std::to_string(bob_conv_);
  EXPECT_EQ(call("GET", bob_conv, agent_).status, 403);
  EXPECT_EQ(call("POST", bob_conv + "/read", agent_, "{}").status, 403);
  EXPECT_EQ(call("GET", bob_conv + "/can-send", agent_).status, 403);
  // Search and the contact listing are supervisor routes.
  EXPECT_EQ(call("GET", "/v1/search?q=bravo", agent_).status, 403);
  EXPECT_EQ(call("GET", "/v1/contacts?q=Ann", agent_).status, 403);
  EXPECT_EQ(json(call("GET", "/v1/search?q=secret", supervisor_))->getArray("items")->size(),
            2u);  // page size 2; all four match
  // The contact's detail lists only her own conversation.
  auto detail = json(call("GET", "/v1/contacts/" + std::to_string(ann_), agent_));
  ASSERT_EQ(detail->getArray("conversations")->size(), 1u);
  EXPECT_EQ(detail->getArray("conversations")->getObject(0)->getValue<int64_t>("id"), alice_conv_);
  // Looking the other conversation up by its reference or the customer's number finds nothing.
  EXPECT_TRUE(listed("/v1/conversations?reference=" + reference(bob_conv_), agent_).empty());
  EXPECT_EQ(listed("/v1/conversations?phone=%2B4915111111111", agent_),
            (std::set<int64_t>{alice_conv_}));
}

TEST_F(VisibilityApi, ConversationsByReference) {
  const std::string ref = reference(bob_conv_);  // "SB-XXXXXC"
  ASSERT_EQ(ref.size(), 9u);
  std::string lower = ref;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string& typed : {ref, lower, ref.substr(3), "sb%20" + lower.substr(3)}) {
    EXPECT_EQ(listed("/v1/conversations?reference=" + typed, supervisor_),
              (std::set<int64_t>{bob_conv_}))
        << typed;
  }
  EXPECT_EQ(listed("/v1/conversations?reference=" + ref, other_agent_),
            (std::set<int64_t>{bob_conv_}));
  // A wrong check character is caught, not answered with everything.
  std::string wrong = ref;
  wrong.back() = wrong.back() == '3' ? '4' : '3';
  for (const std::string& bad : {wrong, std::string("nonsense"), std::string("SB-%00")}) {
    auto r = call("GET", "/v1/conversations?reference=" + bad, supervisor_);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(field(r), "reference") << bad;
  }
  // Combined with the other filters.
  EXPECT_TRUE(listed("/v1/conversations?queue=sales&reference=" + ref, supervisor_).empty());
}

TEST_F(VisibilityApi, ConversationsByPhoneAndEmail) {
  const std::set<int64_t> both{alice_conv_, bob_conv_};
  // E.164, national with the default region (DE), spaces and dashes: one normaliser.
  for (std::string phone :
       {"%2B4915111111111", "015111111111", "0151%20111-111%2011", "%2B49%20151%2011111111"}) {
    EXPECT_EQ(listed("/v1/conversations?phone=" + phone, supervisor_), both) << phone;
  }
  EXPECT_TRUE(listed("/v1/conversations?phone=%2B4915199999999", supervisor_).empty());
  EXPECT_EQ(listed("/v1/conversations?phone=015111111111", other_agent_),
            (std::set<int64_t>{bob_conv_}));
  for (std::string bad : {"abc", "", "%2B49%00151"}) {
    auto r = call("GET", "/v1/conversations?phone=" + bad, supervisor_);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(field(r), "phone") << bad;
  }

  const int64_t dora =
      inbound("e1", "Dora.Doe@Example.COM", "by mail", "Dora", "help@shop.example", "email")
          .resolution.conversation_id;
  for (std::string email : {"dora.doe@example.com", "DORA.DOE%40EXAMPLE.COM"}) {
    EXPECT_EQ(listed("/v1/conversations?email=" + email, supervisor_), (std::set<int64_t>{dora}))
        << email;
  }
  EXPECT_TRUE(listed("/v1/conversations?email=dora.doe@example.com", agent_).empty());
  EXPECT_TRUE(listed("/v1/conversations?email=nobody@example.com", supervisor_).empty());
  // Two addresses of two different people: nobody's conversation.
  EXPECT_TRUE(listed("/v1/conversations?email=dora.doe@example.com&phone=015111111111", supervisor_)
                  .empty());
  auto bad = call("GET", "/v1/conversations?email=not-an-address", supervisor_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(field(bad), "email");
}

TEST_F(VisibilityApi, UnknownQueryParametersAreRefused) {
  for (const std::string& target : std::vector<std::string>{
           "/v1/conversations?refrence=SB-X", "/v1/conversations?status=open&limit=5",
           "/v1/contacts?name=Ann", "/v1/search?q=secret&text=x",
           "/v1/contacts/" + std::to_string(ann_) + "/timeline?conversation=1"}) {
    auto r = call("GET", target, supervisor_);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_EQ(error_code(r), "invalid_field") << target;
  }
  EXPECT_EQ(field(call("GET", "/v1/conversations?refrence=SB-X", supervisor_)), "refrence");
}

// User text is never query syntax: FTS5 operators, quotes, column filters, prefix and initial
// markers are words (or dropped punctuation), control characters are refused, never a 500.
TEST_F(VisibilityApi, HostileSearchText) {
  struct Case {
    std::string q;
    int status;
    int hits;  // -1: any
  };
  const Case cases[] = {
      {"%00x", 400, -1},
      {"%00", 400, -1},
      {"bravo%00", 400, -1},
      {"%01bravo", 400, -1},
      {"bravo%0Asecret", 400, -1},
      {"bravo%09secret", 400, -1},
      {"%7F", 400, -1},
      {"%22", 400, -1},     // "
      {"%22%22", 400, -1},  // ""
      {"*", 400, -1},       // punctuation only: no word
      {"^%20-%20%2B%20(%20)", 400, -1},
      {"bravo%22", 200, 2},  // bravo" : the quote is not syntax
      {"%22bravo", 200, 2},
      {"bra%22vo", 200, 0},
      {"bravo*", 200, 2},  // not a prefix query: matches the word bravo
      {"brav*", 200, 0},
      {"^alpha", 200, 1},
      {"alpha%20OR%20nothing", 200, 0},  // OR is a word that must occur
      {"NOT%20alpha", 200, 0},
      {"alpha%20AND", 200, 0},
      {"NEAR(alpha%20secret)", 200, 0},  // the phrase "near alpha", not NEAR()
      {"text:alpha", 200, 0},            // "text" is a word, not the column
      {"%7Btext%7D:alpha", 200, 0},
      {"alpha%20-secret", 200, 1},
      {"(alpha", 200, 1},
      {"alpha%20%2B%20secret", 200, 1},
      {"%F0%9F%98%80", 200, 0},  // an emoji: no token, no match
      {"%FF%FE", 400, 0},        // not UTF-8: refused as input, before any search
  };
  for (const auto& c : cases) {
    auto r = call("GET", "/v1/search?q=" + c.q, supervisor_);
    EXPECT_EQ(r.status, c.status) << c.q << ": " << r.body;
    if (r.status == 400) {
      EXPECT_EQ(field(r), "q") << c.q;
    } else if (r.status == 200 && c.hits >= 0) {
      EXPECT_EQ(static_cast<int>(json(r)->getArray("items")->size()), c.hits) << c.q;
    }
  }
  auto range = call("GET", "/v1/search?q=alpha&from=10&to=5", supervisor_);
  EXPECT_EQ(range.status, 400);
  EXPECT_EQ(field(range), "to");
}

TEST_F(VisibilityApi, HostileContactSearchText) {
  for (std::string q : {"%00", "Ann%00", "%0A", "%1B"}) {
    auto r = call("GET", "/v1/contacts?q=" + q, supervisor_);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(field(r), "q") << q;
  }
  // LIKE's wildcards and escape character are literal text.
  for (std::string q : {"%25", "_", "%5C", "A_n", "A%25", "%22", "'"}) {
    auto r = call("GET", "/v1/contacts?q=" + q, supervisor_);
    ASSERT_EQ(r.status, 200) << q;
    EXPECT_EQ(json(r)->getArray("items")->size(), 0u) << q;
  }
  EXPECT_EQ(json(call("GET", "/v1/contacts?q=nn", supervisor_))->getArray("items")->size(), 1u);
}

}  // namespace
}  // namespace sb::api::testing
