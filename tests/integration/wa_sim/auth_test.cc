// Transport rules: startup line, versioned paths, bearer tokens, Graph error shape, body limits.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "harness.h"

namespace wasim_test {
namespace {

constexpr const char* kText =
    R"({"messaging_product":"whatsapp","to":"+16505551234","type":"text","text":{"body":"hi"}})";

TEST(WaSimTransport, AnnouncesEphemeralPortOnFirstLine) {
  SimProcess sim;
  EXPECT_GT(sim.port(), 0);
  EXPECT_EQ(sim.firstLine(), "wa-sim listening on http://127.0.0.1:" + std::to_string(sim.port()));
}

TEST(WaSimTransport, MissingInvalidAndExpiredTokensGive190) {
  SimProcess sim;
  World w = makeWorld(sim);
  auto missing = sim.graph("POST", "/" + w.number + "/messages", kText, "");
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.code(), 190);
  auto err = missing.json->getObject("error");
  EXPECT_EQ(err->getValue<std::string>("type"), "OAuthException");
  EXPECT_FALSE(err->getValue<std::string>("fbtrace_id").empty());

  auto invalid = sim.graph("POST", "/" + w.number + "/messages", kText, "nope");
  EXPECT_EQ(invalid.status, 401);
  EXPECT_EQ(invalid.code(), 190);

  auto now = sim.control("GET", "/clock").json->getValue<int64_t>("now");
  ASSERT_EQ(sim.control("POST", "/tokens",
                        R"({"token":"short","expires_at":)" + std::to_string(now + 60) + "}")
                .status,
            200);
  EXPECT_EQ(sim.graph("GET", "/" + w.number, "", "short").status, 200);
  sim.control("POST", "/clock/advance", R"({"seconds":61})");
  auto expired = sim.graph("GET", "/" + w.number, "", "short");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.code(), 190);
  EXPECT_EQ(expired.json->getObject("error")->getValue<int>("error_subcode"), 463);
}

TEST(WaSimTransport, TokenWithoutPermissionGets403) {
  SimProcess sim;
  World w = makeWorld(sim);
  sim.control("POST", "/tokens",
              R"({"token":"mgmt","permissions":["whatsapp_business_management"]})");
  auto r = sim.graph("POST", "/" + w.number + "/messages", kText, "mgmt");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code(), 200);
  EXPECT_EQ(sim.graph("GET", "/" + w.number, "", "mgmt").status, 200);
}

TEST(WaSimTransport, AnyVersionAcceptedMalformedOrUnknownNodeRejected) {
  SimProcess sim;
  World w = makeWorld(sim);
  EXPECT_EQ(sim.call("GET", "/v25.0/" + w.number, "", "T").status, 200);
  EXPECT_EQ(sim.call("GET", "/v19.0/" + w.number, "", "T").status, 200);
  auto bad_version = sim.call("GET", "/21.0/" + w.number, "", "T");
  EXPECT_EQ(bad_version.status, 400);
  EXPECT_EQ(bad_version.code(), 100);
  auto unknown = sim.graph("GET", "/999999", "");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.code(), 100);
  EXPECT_EQ(unknown.json->getObject("error")->getValue<int>("error_subcode"), 33);
}

TEST(WaSimTransport, FormAndQueryParametersWorkLikeJson) {
  SimProcess sim;
  World w = makeWorld(sim);
  auto r = sim.call("GET", "/v21.0/" + w.number + "?fields=status&access_token=T");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json->getValue<std::string>("status"), "CONNECTED");
  auto form = sim.call(
      "POST", "/v21.0/" + w.number + "/messages",
      "messaging_product=whatsapp&to=16505551234&type=text&text=%7B%22body%22%3A%22hi%22%7D", "T",
      "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 200) << form.body;
}

TEST(WaSimTransport, OversizedBodyRefused) {
  SimProcess sim;
  World w = makeWorld(sim);
  // Announce a 2 MiB body but send only a little: the limit applies before the body is read.
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(sim.port()));
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req("POST", "/v21.0/" + w.number + "/messages",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer T");
  req.setContentType("application/json");
  req.setContentLength(2 * 1024 * 1024);
  session.sendRequest(req) << std::string(1024, ' ');
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
  EXPECT_EQ(resp.getStatus(), 413);
  EXPECT_EQ(parse(body)->getObject("error")->getValue<int>("code"), 100);
}

}  // namespace
}  // namespace wasim_test
