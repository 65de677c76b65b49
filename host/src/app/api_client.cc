#include "app/api_client.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <memory>

namespace sb::app {

Result<ApiTransport> http_transport(const std::string& base_url, const std::string& token,
                                    std::chrono::seconds timeout) {
  Poco::URI uri;
  try {
    uri = Poco::URI(base_url);
  } catch (const Poco::Exception& e) {
    return invalid_argument("--url: " + e.message());
  }
  if (uri.getScheme() != "http") {
    return invalid_argument("--url: must be http://HOST:PORT (the daemon serves plain HTTP)");
  }
  if (uri.getHost().empty()) return invalid_argument("--url: no host in \"" + base_url + "\"");
  std::string prefix = uri.getPath();
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  auto host = std::make_shared<const std::string>(uri.getHost());
  const uint16_t port = uri.getPort();
  const std::string bearer = token.empty() ? "" : "Bearer " + token;
  return ApiTransport([host, port, prefix, bearer,
                       timeout](const ApiRequest& r) -> Result<ApiReply> {
    const std::string where = "http://" + *host + ":" + std::to_string(port);
    try {
      Poco::Net::HTTPClientSession session(*host, port);
      session.setTimeout(Poco::Timespan(static_cast<long>(timeout.count()), 0));
      Poco::Net::HTTPRequest req(r.method, prefix + r.path, Poco::Net::HTTPMessage::HTTP_1_1);
      req.set("Accept", "application/json");
      if (!bearer.empty()) req.set("Authorization", bearer);
      if (!r.idempotency_key.empty()) req.set("Idempotency-Key", r.idempotency_key);
      if (!r.body.empty() || r.method == "POST") {
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(r.body.size()));
      }
      session.sendRequest(req) << r.body;
      Poco::Net::HTTPResponse resp;
      std::istream& in = session.receiveResponse(resp);
      ApiReply reply;
      reply.status = static_cast<int>(resp.getStatus());
      Poco::StreamCopier::copyToString(in, reply.body);
      return reply;
    } catch (const Poco::Exception& e) {
      return unavailable("cannot reach the switchboard API at " + where + ": " + e.displayText());
    } catch (const std::exception& e) {
      return unavailable("cannot reach the switchboard API at " + where + ": " + e.what());
    }
  });
}

std::string api_error_text(const ApiReply& reply, bool verbose) {
  try {
    auto root = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Object::Ptr>();
    auto e = root ? root->getObject("error") : nullptr;
    if (e) {
      std::string text = e->optValue<std::string>("message", "");
      const std::string code = e->optValue<std::string>("code", "");
      const std::string field = e->has("field") && !e->isNull("field")
                                    ? e->optValue<std::string>("field", "")
                                    : std::string();
      if (text.empty()) text = code;
      const bool named = text.starts_with(field + ":") || text.starts_with(field + " ");
      if (!field.empty() && (!named || verbose)) text += " (field: " + field + ")";
      if (!verbose) return text;
      if (!code.empty() && !text.starts_with(code)) text = code + ": " + text;
      return text + " [HTTP " + std::to_string(reply.status) + "]";
    }
  } catch (const std::exception&) {
  }
  std::string body = reply.body.substr(0, 200);
  return "HTTP " + std::to_string(reply.status) + (body.empty() ? "" : ": " + body);
}

}  // namespace sb::app
