// docs/openapi.json parses, is what the binary serves, and documents every route.
#include <fstream>
#include <sstream>

#include "fixture.h"

namespace sb::api::testing {
namespace {

std::string read_doc() {
  std::ifstream in(SBT_OPENAPI_FILE);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(OpenApi, DocumentParsesAndIsTheCompiledOne) {
  const std::string text = read_doc();
  ASSERT_FALSE(text.empty());
  auto doc = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(doc->getValue<std::string>("openapi").substr(0, 2), "3.");
  EXPECT_EQ(std::string(openapi_document()), text);
}

TEST(OpenApi, EveryRouteAndMethodIsDocumented) {
  auto doc = Poco::JSON::Parser().parse(read_doc()).extract<Poco::JSON::Object::Ptr>();
  auto paths = doc->getObject("paths");
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"/v1/contacts", "get"},
      {"/v1/contacts/{id}", "get"},
      {"/v1/contacts/{id}/timeline", "get"},
      {"/v1/contacts/{id}/merge", "post"},
      {"/v1/merges/{id}/unmerge", "post"},
      {"/v1/conversations", "get"},
      {"/v1/conversations", "post"},
      {"/v1/conversations/{id}", "get"},
      {"/v1/conversations/{id}/assign", "post"},
      {"/v1/conversations/{id}/resolve", "post"},
      {"/v1/conversations/{id}/reopen", "post"},
      {"/v1/conversations/{id}/messages", "post"},
      {"/v1/conversations/{id}/can-send", "get"},
      {"/v1/conversations/{id}/read", "post"},
      {"/v1/conversations/{id}/handover", "post"},
      {"/v1/messages/{id}", "get"},
      {"/v1/messages/{id}/attachments/{index}", "get"},
      {"/v1/search", "get"},
      {"/v1/agents", "get"},
      {"/v1/agents", "post"},
      {"/v1/agents/{id}", "get"},
      {"/v1/agents/{id}", "put"},
      {"/v1/agents/{id}", "delete"},
      {"/v1/queues", "get"},
      {"/v1/queues", "post"},
      {"/v1/queues/{id}", "get"},
      {"/v1/queues/{id}", "put"},
      {"/v1/queues/{id}", "delete"},
      {"/v1/channels", "get"},
      {"/v1/channels/{id}/ops/{op}", "post"},
      {"/v1/admin/clock", "get"},
      {"/v1/admin/clock", "post"},
      {"/v1/channels/{id}/media", "post"},
      {"/v1/reports/costs", "get"},
      {"/v1/events", "get"},
      {"/openapi.json", "get"}};
  for (const auto& [path, method] : routes) {
    ASSERT_TRUE(paths->has(path)) << path;
    EXPECT_TRUE(paths->getObject(path)->has(method)) << method << " " << path;
  }
  EXPECT_EQ(paths->size(), 28u) << "a documented path that the API does not serve?";
}

TEST_F(ApiTest, OpenApiIsServedWithoutAToken) {
  http::Request r;
  r.method = "GET";
  r.path = "/openapi.json";
  auto resp = router_.dispatch(r);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, std::string(openapi_document()));
}

}  // namespace
}  // namespace sb::api::testing
