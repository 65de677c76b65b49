#include "request.h"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <istream>
#include <sstream>

namespace wasim {

namespace {

class FilePartHandler : public Poco::Net::PartHandler {
 public:
  explicit FilePartHandler(std::optional<Upload>& out) : out_(out) {}
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                              params);
    Upload up;
    up.filename = params.get("filename", "");
    up.content_type = header.get("Content-Type", "application/octet-stream");
    Poco::StreamCopier::copyToString(stream, up.data);
    if (params.get("name", "") == "file") out_ = std::move(up);
  }

 private:
  std::optional<Upload>& out_;
};

std::string readBody(std::istream& in, size_t max_body) {
  std::string body;
  char buf[8192];
  while (in) {
    in.read(buf, sizeof buf);
    body.append(buf, static_cast<size_t>(in.gcount()));
    if (body.size() > max_body) throw BodyTooLarge{max_body};
  }
  return body;
}

}  // namespace

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '/') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Request parseRequest(Poco::Net::HTTPServerRequest& req, size_t max_body) {
  if (req.hasContentLength() && req.getContentLength64() > static_cast<int64_t>(max_body))
    throw BodyTooLarge{max_body};
  Request r;
  r.method = req.getMethod();
  Poco::URI uri(req.getURI());
  r.path = uri.getPath();
  r.segments = splitPath(r.path);
  r.params = newObj();
  for (const auto& [k, v] : uri.getQueryParameters()) r.params->set(k, v);
  r.body = readBody(req.stream(), max_body);

  const std::string type = Poco::toLower(req.getContentType());
  if (type.starts_with("application/json")) {
    if (!r.body.empty()) {
      auto body = parseObject(r.body);
      if (!body) throw err(100, "The request body is not a valid JSON object");
      for (const auto& [k, v] : **body) r.params->set(k, v);
    }
  } else if (auto json = type.starts_with("multipart/") ? std::nullopt : parseObject(r.body)) {
    // A JSON body under a form or missing content type (curl -d, Meta's own samples).
    for (const auto& [k, v] : **json) r.params->set(k, v);
  } else if (type.starts_with("application/x-www-form-urlencoded") ||
             type.starts_with("multipart/form-data")) {
    Poco::Net::HTMLForm form;
    FilePartHandler files(r.file);
    std::istringstream in(r.body);
    form.load(req, in, files);
    for (const auto& [k, v] : form) r.params->set(k, v);
  }

  const std::string auth = req.get("Authorization", "");
  if (Poco::icompare(auth.substr(0, 7), "Bearer ") == 0) {
    r.bearer = Poco::trim(auth.substr(7));
  } else if (auto token = getStr(r.params, "access_token")) {
    r.bearer = *token;
  }
  return r;
}

}  // namespace wasim
