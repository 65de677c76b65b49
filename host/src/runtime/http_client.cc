#include "runtime/http_client.h"

#include <istream>
#include <memory>
#include <string_view>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include "runtime/sinks.h"

namespace sb::runtime {
namespace {

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= 32 || c >= 127 || c == ':') return false;
  }
  return true;
}

// "Name: value\r\n" lines into the request; false for a malformed or injected line.
bool add_headers(std::string_view text, Poco::Net::HTTPRequest& req) {
  while (!text.empty()) {
    size_t end = text.find("\r\n");
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 2);
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    if (!is_token(name) || value.find_first_of("\r\n") != std::string_view::npos) return false;
    req.add(std::string(name), std::string(value));
  }
  return true;
}

std::unique_ptr<Poco::Net::HTTPClientSession> make_session(const Poco::URI& uri) {
  if (uri.getScheme() == "https") {
    // Verifies the server against the system CAs; a plugin cannot turn verification off.
    Poco::Net::Context::Ptr context =
        Poco::makeAuto<Poco::Net::Context>(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                           Poco::Net::Context::VERIFY_RELAXED, 9, true);
    return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
  }
  return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
}

}  // namespace

int32_t perform_http_request(const sb_http_request& request, const sb_http_response_sink& sink,
                             const HttpClientLimits& limits, HttpClientError& error) {
  try {
    const std::string method(view(request.method));
    if (!is_token(method)) {
      error.message = "invalid HTTP method";
      return SB_ERR_INVALID_ARG;
    }
    Poco::URI uri{std::string(view(request.url))};
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty()) {
      error.message = "URL must be absolute http:// or https://";
      return SB_ERR_INVALID_ARG;
    }
    const std::string_view body = view(request.body);
    if (body.size() > limits.max_request_body_bytes) {
      error.message = "request body too large";
      return SB_ERR_INVALID_ARG;
    }
    Poco::Net::HTTPRequest req(method, uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                               Poco::Net::HTTPMessage::HTTP_1_1);
    if (!add_headers(view(request.headers), req)) {
      error.message = "malformed request headers";
      return SB_ERR_INVALID_ARG;
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    auto session = make_session(uri);
    const uint32_t timeout_ms =
        request.timeout_ms != 0 ? request.timeout_ms : limits.default_timeout_ms;
    session->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout_ms) * 1000));
    std::ostream& out = session->sendRequest(req);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse resp;
    std::istream& in = session->receiveResponse(resp);

    if (sink.status != nullptr) sink.status(sink.ctx, static_cast<int32_t>(resp.getStatus()));
    if (sink.header != nullptr) {
      for (const auto& [name, value] : resp) {
        sink.header(sink.ctx, name.data(), name.size(), value.data(), value.size());
      }
    }
    char buf[16 * 1024];
    size_t total = 0;
    while (in) {
      in.read(buf, sizeof buf);
      const auto n = static_cast<size_t>(in.gcount());
      if (n == 0) break;
      total += n;
      if (total > limits.max_response_bytes) {
        error.message =
            "response body larger than " + std::to_string(limits.max_response_bytes) + " bytes";
        return SB_ERR_TRANSIENT;
      }
      if (sink.body != nullptr) sink.body(sink.ctx, buf, n);
    }
    return SB_OK;
  } catch (const Poco::TimeoutException& e) {
    error.message = "timeout: " + e.displayText();
    error.retryable = true;
    return SB_ERR_TIMEOUT;
  } catch (const Poco::SyntaxException& e) {
    error.message = "invalid URL: " + e.displayText();
    return SB_ERR_INVALID_ARG;
  } catch (const Poco::Exception& e) {
    error.message = e.displayText();
    error.retryable = true;
    return SB_ERR_TRANSIENT;
  } catch (const std::exception& e) {
    error.message = e.what();
    error.retryable = true;
    return SB_ERR_TRANSIENT;
  }
}

}  // namespace sb::runtime
