#include <atomic>
#include <chrono>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "http/connection.h"
#include "http/metrics.h"
#include "http/server.h"
#include "raw_client.h"

namespace sb::http {
namespace {

struct Reply {
  int status = 0;
  std::string content_type, body, allow;
};

Poco::JSON::Object::Ptr parse(const std::string& body) {
  Poco::JSON::Parser p;
  return p.parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string error_code(const std::string& body) {
  return parse(body)->getObject("error")->getValue<std::string>("code");
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    router->add("GET", "/healthz", [](const Request&) {
      return Response{200, "application/json", {}, "{\"ok\":true}"};
    });
    router->add("POST", "/echo", [](const Request& r) {
      Response resp;
      resp.content_type = "text/plain";
      resp.headers.emplace_back("X-Query-Name", r.query_param("name").value_or("-"));
      resp.headers.emplace_back("X-Header", std::string(r.header("x-custom")));
      resp.headers.emplace_back("X-Remote", r.remote_addr);
      resp.body = r.body;
      return resp;
    });
    router->add_prefix("*", "/webhooks/", [](const Request& r) {
      return Response{202, "text/plain", {}, "generic " + r.method + " " + r.path};
    });
    router->add_prefix("POST", "/webhooks/wa/", [](const Request& r) {
      return Response{200, "text/plain", {}, "wa " + r.path};
    });
    router->add("GET", "/boom",
                [](const Request&) -> Response { throw std::runtime_error("handler bug"); });
    router->add("GET", "/stream", [this](const Request&) {
      Response r;
      r.content_type = "text/plain";
      r.stream = [this](std::ostream& out, const std::function<bool()>& client_gone) {
        out << "hello\n" << std::flush;
        while (!client_gone()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        stream_saw_hangup_ = true;
      };
      return r;
    });
    metrics_ = std::make_shared<MetricsRegistry>();
    router->add("GET", "/metrics", metrics_handler(metrics_));
    ServerOptions opts;
    opts.port = 0;
    opts.max_body_bytes = 1024;
    opts.body_limits.emplace_back("/webhooks/wa/", 8192);
    opts.threads = 4;
    opts.metrics = metrics_;
    server_ = std::make_unique<Server>(opts, router);
    auto st = server_->start();
    ASSERT_TRUE(st.is_ok()) << st.message();
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override { server_->stop(); }

  std::unique_ptr<Poco::Net::HTTPClientSession> session() {
    auto s = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", server_->port());
    s->setTimeout(Poco::Timespan(10, 0));
    return s;
  }

  Reply call(Poco::Net::HTTPClientSession& s, const std::string& method, const std::string& uri,
             const std::string& body = "", bool chunked = false,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    Poco::Net::HTTPRequest req(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (chunked) {
      req.setChunkedTransferEncoding(true);
    } else if (!body.empty() || method == "POST") {
      req.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    std::ostream& out = s.sendRequest(req);
    out << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    r.content_type = resp.getContentType();
    r.allow = resp.get("Allow", "");
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
  }
  Reply call(const std::string& method, const std::string& uri, const std::string& body = "") {
    auto s = session();
    return call(*s, method, uri, body);
  }

  std::shared_ptr<MetricsRegistry> metrics_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> stream_saw_hangup_{false};
};

TEST_F(ServerTest, RoutesExactAndLongestPrefix) {
  auto r = call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"ok\":true}");

  r = call("POST", "/webhooks/wa/hook", "x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "wa /webhooks/wa/hook");
  // The longer prefix only takes POST; other methods fall back to the shorter "*" prefix.
  r = call("GET", "/webhooks/wa/hook");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "generic GET /webhooks/wa/hook");
  r = call("PUT", "/webhooks/sms/x");
  EXPECT_EQ(r.body, "generic PUT /webhooks/sms/x");
}

TEST_F(ServerTest, RequestFieldsReachTheHandler) {
  auto s = session();
  auto r = call(*s, "POST", "/echo?a=1&name=J%C3%B6rg+M", "payload", false, {{"X-Custom", "v1"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "payload");
  Poco::Net::HTTPRequest req("POST", "/echo?name=x", "HTTP/1.1");
  req.setContentLength(2);
  req.set("x-CUSTOM", "case");
  s->sendRequest(req) << "ab";
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(s->receiveResponse(resp), body);
  EXPECT_EQ(resp.get("X-Header"), "case");
  EXPECT_EQ(resp.get("X-Query-Name"), "x");
  EXPECT_EQ(resp.get("X-Remote").rfind("127.0.0.1:", 0), 0u);

  auto again = call(*s, "POST", "/echo?name=J%C3%B6rg+M", "x");
  EXPECT_EQ(again.status, 200);
}

TEST_F(ServerTest, QueryParamsAreDecoded) {
  Request r;
  r.query = "a=1&name=J%C3%B6rg+M&empty=&flag";
  EXPECT_EQ(r.query_param("name"), "J\xC3\xB6rg M");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_EQ(r.query_param("flag"), "");
  EXPECT_EQ(r.query_param("missing"), std::nullopt);
}

TEST_F(ServerTest, UnknownRouteIs404JsonAndWrongMethodIs405Json) {
  auto r = call("GET", "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(error_code(r.body), "not_found");

  r = call("DELETE", "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(error_code(r.body), "method_not_allowed");
  EXPECT_EQ(r.allow, "GET");
}

TEST_F(ServerTest, OversizedContentLengthBodyIs413) {
  auto s = session();
  auto r = call(*s, "POST", "/echo", std::string(4096, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r.body), "payload_too_large");
  // The connection is still usable after the server discarded the body.
  r = call(*s, "POST", "/echo", std::string(1024, 'y'));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 1024u);
}

TEST_F(ServerTest, OversizedChunkedBodyIs413) {
  auto s = session();
  auto r = call(*s, "POST", "/echo", std::string(5000, 'x'), /*chunked=*/true);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(error_code(r.body), "payload_too_large");
  // A chunked body within the limit arrives whole.
  auto s2 = session();
  r = call(*s2, "POST", "/echo", std::string(1000, 'z'), /*chunked=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(1000, 'z'));
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerLivesOn) {
  auto r = call("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_code(r.body), "internal");
  EXPECT_EQ(r.body.find("handler bug"), std::string::npos);  // internals stay in the log
  EXPECT_EQ(call("GET", "/healthz").status, 200);
}

TEST_F(ServerTest, ConcurrentClientsAllGetTheirOwnAnswers) {
  constexpr int kClients = 8, kRequests = 40;  // more clients than server threads
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto s = session();
      for (int i = 0; i < kRequests; ++i) {
        std::string body = "client " + std::to_string(c) + " request " + std::to_string(i);
        auto r = call(*s, "POST", "/echo", body);
        if (r.status == 200 && r.body == body) ++good;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST_F(ServerTest, PortInUseIsOneClearLine) {
  ServerOptions opts;
  opts.port = server_->port();
  Server second(opts, std::make_shared<Router>());
  auto st = second.start();
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.message(),
            "cannot listen on 127.0.0.1:" + std::to_string(server_->port()) + ": address in use");
  EXPECT_FALSE(second.running());
}

TEST_F(ServerTest, StopIsCleanAndIdempotent) {
  uint16_t port = server_->port();
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  server_->stop();
  server_->stop();
  EXPECT_FALSE(server_->running());
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  s.setTimeout(Poco::Timespan(2, 0));
  Poco::Net::HTTPRequest req("GET", "/healthz", "HTTP/1.1");
  EXPECT_THROW(
      {
        s.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        s.receiveResponse(resp);
      },
      Poco::Exception);
  // And it can start again.
  ASSERT_TRUE(server_->start().is_ok());
  EXPECT_EQ(call("GET", "/healthz").status, 200);
}

TEST_F(ServerTest, MetricsEndpointServesPrometheusText) {
  metrics_->describe("sb_inbound_total", MetricType::kCounter, "Inbound messages stored.");
  metrics_->inc("sb_inbound_total", {{"instance", "wa"}}, 3);
  auto s = session();
  Poco::Net::HTTPRequest req("GET", "/metrics", "HTTP/1.1");
  s->sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(s->receiveResponse(resp), body);
  EXPECT_EQ(resp.getContentType(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(body.find("sb_inbound_total{instance=\"wa\"} 3\n"), std::string::npos) << body;
  // The server counts what it answered, including its own errors.
  EXPECT_EQ(call("GET", "/nope").status, 404);
  EXPECT_EQ(call("POST", "/echo", std::string(2000, 'x')).status, 413);
  EXPECT_EQ(metrics_->value("sb_http_requests_total", {{"method", "GET"}, {"code", "200"}}), 1);
  EXPECT_EQ(metrics_->value("sb_http_requests_total", {{"method", "GET"}, {"code", "404"}}), 1);
  EXPECT_EQ(metrics_->value("sb_http_requests_total", {{"method", "POST"}, {"code", "413"}}), 1);
}

TEST_F(ServerTest, StatusLinesCarryTheirReasonPhrase) {
  using test::raw_exchange;
  EXPECT_EQ(
      raw_exchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          .status_line,
      "HTTP/1.1 200 OK");
  auto r =
      raw_exchange(server_->port(), "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(error_code(r.body), "not_found");
  EXPECT_EQ(raw_exchange(server_->port(),
                         "DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .status_line,
            "HTTP/1.1 405 Method Not Allowed");
  EXPECT_EQ(raw_exchange(server_->port(),
                         "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                         "2000\r\n\r\n" +
                             std::string(2000, 'x'))
                .status_line,
            "HTTP/1.1 413 Content Too Large");
  EXPECT_EQ(detail::reason_phrase(422), "Unprocessable Content");
  EXPECT_EQ(detail::reason_phrase(503), "Service Unavailable");
}

TEST_F(ServerTest, OverlongRequestLineIs414Json) {
  auto r = test::raw_exchange(server_->port(), "GET /healthz?q=" + std::string(20'000, 'a') +
                                                   " HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 414 URI Too Long");
  EXPECT_NE(r.head.find("Content-Type: application/json"), std::string::npos) << r.head;
  EXPECT_EQ(error_code(r.body), "uri_too_long");
  EXPECT_EQ(call("GET", "/healthz").status, 200);  // the server lives on
}

TEST_F(ServerTest, OverlongHeaderIs431Json) {
  auto r = test::raw_exchange(server_->port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                   std::string(9 * 1024, 'b') + "\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(error_code(r.body), "headers_too_large");
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 150; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  r = test::raw_exchange(server_->port(), many + "\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(error_code(r.body), "headers_too_large");
}

TEST_F(ServerTest, GarbageRequestIs400Json) {
  auto r = test::raw_exchange(server_->port(), "GET /healthz HTTP/1.1-and-more\r\n\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(error_code(r.body), "bad_request");
}

TEST_F(ServerTest, PathPrefixesHaveTheirOwnBodyLimit) {
  // /webhooks/wa/ takes up to 8192 bytes; everything else keeps max_body_bytes (1024).
  auto r = call("POST", "/webhooks/wa/x", std::string(5000, 'w'));
  EXPECT_EQ(r.status, 200);
  r = call("POST", "/webhooks/wa/x", std::string(9000, 'w'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("8192"), std::string::npos) << r.body;
  EXPECT_EQ(call("POST", "/webhooks/other", std::string(2000, 'w')).status, 413);
  EXPECT_EQ(call("POST", "/echo", std::string(2000, 'w')).status, 413);
}

TEST_F(ServerTest, AStreamingAnswerNoticesItsClientHangingUp) {
  {
    Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", server_->port()));
    const std::string req = "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n";
    s.sendBytes(req.data(), static_cast<int>(req.size()));
    char buf[256];
    ASSERT_GT(s.receiveBytes(buf, sizeof buf), 0);  // headers (and "hello") arrived
  }                                                 // hang up without ever reading again
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!stream_saw_hangup_ && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(stream_saw_hangup_);
}

}  // namespace
}  // namespace sb::http
