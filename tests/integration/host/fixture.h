// A scratch directory with a config for `switchboard serve`, and a tiny HTTP client.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "process.h"

namespace sbtest {

struct HttpResult {
  int status = 0;
  std::string content_type, body;
};

inline HttpResult http(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!body.empty() || method == "POST")
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  HttpResult r;
  r.status = static_cast<int>(resp.getStatus());
  r.content_type = resp.getContentType();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

class HostFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("sb-host-it-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Writes config.jsonc; `instances` and `extra` are spliced in verbatim.
  std::filesystem::path write_config(
      const std::string& instances =
          R"([{"id":"t1","plugin":"rt_test","config":{},"secrets":{"token":"literal:tok-123"}}])",
      const std::string& extra = "", uint16_t port = 0, const std::string& level = "info") {
    const auto path = dir_ / "config.jsonc";
    std::ofstream(path) << "{\n  // written by the test\n"
                        << "  \"data_dir\": \"data\",\n"
                        << "  \"http\": {\"host\": \"127.0.0.1\", \"port\": " << port
                        << ", \"max_body_bytes\": 4096, \"max_webhook_body_bytes\": 4096},\n"
                        << "  \"plugin_dirs\": [\"" << SBT_RT_PLUGIN_DIR << "\"],\n"
                        << "  \"log\": {\"level\": \"" << level << "\"},\n"
                        << extra << "  \"instances\": " << instances << "\n}\n";
    return path;
  }

  std::filesystem::path dir_;
};

}  // namespace sbtest
