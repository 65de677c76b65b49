// Contacts: listing and search with paging, detail, timeline, merge and un-merge; search.
#include "fixture.h"

namespace sb::api::testing {
namespace {

class ContactsApi : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ann_ = inbound("m1", "+4915111111111", "hello there", "Ann").resolution.contact_id;
    ben_ = inbound("m2", "+4915122222222", "my parcel is late", "Ben").resolution.contact_id;
    cat_ = inbound("m3", "+4915133333333", "invoice please", "Cat").resolution.contact_id;
  }
  std::string contact(int64_t id) { return "/v1/contacts/" + std::to_string(id); }
  int64_t ann_ = 0, ben_ = 0, cat_ = 0;
};

TEST_F(ContactsApi, ListPagesWithACursorAndSearches) {
  auto page1 = json(call("GET", "/v1/contacts", supervisor_));
  ASSERT_EQ(page1->getArray("items")->size(), 2u);  // page size 2 in the fixture
  const std::string cursor = page1->getValue<std::string>("next_cursor");
  ASSERT_FALSE(cursor.empty());
  auto page2 = json(call("GET", "/v1/contacts?cursor=" + cursor, supervisor_));
  ASSERT_EQ(page2->getArray("items")->size(), 1u);
  EXPECT_EQ(page2->getArray("items")->getObject(0)->getValue<int64_t>("id"), cat_);

  auto by_name = json(call("GET", "/v1/contacts?q=Ben", supervisor_));
  ASSERT_EQ(by_name->getArray("items")->size(), 1u);
  EXPECT_EQ(by_name->getArray("items")->getObject(0)->getValue<int64_t>("id"), ben_);
  auto by_number = json(call("GET", "/v1/contacts?q=33333", supervisor_));
  ASSERT_EQ(by_number->getArray("items")->size(), 1u);
  EXPECT_EQ(by_number->getArray("items")->getObject(0)->getValue<int64_t>("id"), cat_);
  EXPECT_EQ(json(call("GET", "/v1/contacts?q=%25", supervisor_))->getArray("items")->size(), 0u);

  auto bad = call("GET", "/v1/contacts?cursor=xyz", supervisor_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json(bad)->getObject("error")->getValue<std::string>("field"), "cursor");
}

TEST_F(ContactsApi, DetailAndTimeline) {
  auto r = call("GET", contact(ann_), supervisor_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto c = json(r);
  EXPECT_EQ(c->getValue<std::string>("display_name"), "Ann");
  ASSERT_EQ(c->getArray("identities")->size(), 1u);
  EXPECT_EQ(c->getArray("identities")->getObject(0)->getValue<std::string>("address"),
            "+4915111111111");
  EXPECT_EQ(c->getArray("conversations")->size(), 1u);
  EXPECT_EQ(call("GET", contact(424242), supervisor_).status, 404);
  EXPECT_EQ(call("GET", contact(ann_), agent_).status, 403);  // no conversation of hers

  auto t = json(call("GET", contact(ann_) + "/timeline", supervisor_));
  ASSERT_EQ(t->getArray("items")->size(), 1u);
  EXPECT_EQ(t->getArray("items")->getObject(0)->getValue<std::string>("text"), "hello there");
}

TEST_F(ContactsApi, MergeAndUnmergeBySupervisors) {
  const std::string body = R"({"other_id":)" + std::to_string(ben_) + R"(,"reason":"same person"})";
  EXPECT_EQ(call("POST", contact(ann_) + "/merge", agent_, body).status, 403);
  auto wrong =
      call("POST", contact(ann_) + "/merge", supervisor_, R"({"other_id":"2","reason":"x"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(json(wrong)->getObject("error")->getValue<std::string>("field"), "other_id");
  auto no_reason = call("POST", contact(ann_) + "/merge", supervisor_,
                        R"({"other_id":)" + std::to_string(ben_) + "}");
  EXPECT_EQ(json(no_reason)->getObject("error")->getValue<std::string>("field"), "reason");
  auto self = call("POST", contact(ann_) + "/merge", supervisor_,
                   R"({"other_id":)" + std::to_string(ann_) + R"(,"reason":"x"})");
  EXPECT_EQ(self.status, 400);

  auto merged = call("POST", contact(ann_) + "/merge", supervisor_, body);
  ASSERT_EQ(merged.status, 201) << merged.body;
  const int64_t merge_id = json(merged)->getValue<int64_t>("id");
  EXPECT_EQ(json(merged)->getValue<std::string>("actor"), "sue");
  EXPECT_EQ(json(call("GET", contact(ann_) + "/timeline", supervisor_))->getArray("items")->size(),
            2u);
  // Merged-away contacts leave the listing.
  EXPECT_EQ(json(call("GET", "/v1/contacts?q=Ben", supervisor_))->getArray("items")->size(), 0u);

  auto undone = call("POST", "/v1/merges/" + std::to_string(merge_id) + "/unmerge", supervisor_);
  ASSERT_EQ(undone.status, 200) << undone.body;
  EXPECT_GT(json(undone)->getValue<int64_t>("unmerged_at_ms"), 0);
  EXPECT_EQ(json(call("GET", contact(ann_) + "/timeline", supervisor_))->getArray("items")->size(),
            1u);
  EXPECT_EQ(call("POST", "/v1/merges/999/unmerge", supervisor_).status, 404);
}

TEST_F(ContactsApi, SearchWithFilters) {
  auto hits = json(call("GET", "/v1/search?q=parcel", supervisor_));
  ASSERT_EQ(hits->getArray("items")->size(), 1u);
  EXPECT_EQ(hits->getArray("items")->getObject(0)->getValue<std::string>("snippet"),
            "my [parcel] is late");
  EXPECT_EQ(json(call("GET", "/v1/search?q=parcel&contact=" + std::to_string(ann_), supervisor_))
                ->getArray("items")
                ->size(),
            0u);
  EXPECT_EQ(json(call("GET", "/v1/search?q=parcel&channel=other", supervisor_))
                ->getArray("items")
                ->size(),
            0u);
  auto bad = call("GET", "/v1/search?q=parcel&from=yesterday", supervisor_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json(bad)->getObject("error")->getValue<std::string>("field"), "from");
  EXPECT_EQ(json(call("GET", "/v1/search", supervisor_))
                ->getObject("error")
                ->getValue<std::string>("field"),
            "q");
  EXPECT_EQ(call("GET", "/v1/search?q=parcel", agent_).status, 403);
}

}  // namespace
}  // namespace sb::api::testing
