// POST /v1/channels/{id}/media: an agent uploads a file (the raw bytes, its MIME type as the
// Content-Type) so a later send can reference it by the provider's media id. The bytes go to the
// channel's "media_upload" operation (base64 inside its JSON input); the channel checks the
// provider's per-type limits, the API only the overall size.
#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "api/routes_common.h"

namespace sb::api {
namespace {

using auth::Role;

constexpr size_t kMaxFilename = 240, kMaxMime = 127, kMaxFrom = 64;

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder enc(out);
  enc.rdbuf()->setLineLength(0);
  enc << bytes;
  enc.close();
  return out.str();
}

http::Response upload(const ApiDeps& deps, const Call& call) {
  if (deps.channels == nullptr) return error_response(503, "unavailable", "no channels");
  const std::string& id = call.params[0];
  if (!deps.channels->exists(id)) return bad_id("channel");
  const http::Request& req = call.request;
  if (req.body.empty()) return field_error("body", "the file's bytes are required");
  if (req.body.size() > deps.options.max_upload_bytes) {
    return error_response(
        413, "payload_too_large",
        "media above " + std::to_string(deps.options.max_upload_bytes) + " bytes");
  }
  std::string mime(req.header("Content-Type"));
  if (auto semi = mime.find(';'); semi != std::string::npos) mime.resize(semi);
  while (!mime.empty() && mime.back() == ' ') mime.pop_back();
  if (mime.empty() || mime.size() > kMaxMime || mime.find('/') == std::string::npos) {
    return error_response(400, "invalid_field", "Content-Type: the file's MIME type is required",
                          "Content-Type");
  }
  const std::string filename = req.query_param("filename").value_or("");
  const std::string from = req.query_param("from").value_or("");
  if (filename.size() > kMaxFilename) return field_error("filename", "is too long");
  if (from.size() > kMaxFrom) return field_error("from", "is too long");

  Poco::JSON::Object in;
  in.set("mime_type", mime);
  if (!filename.empty()) in.set("filename", filename);
  if (!from.empty()) in.set("phone_number_id", from);
  in.set("data_base64", base64(req.body));
  std::ostringstream json;
  Poco::JSON::Stringifier::condense(in, json);
  auto answer = deps.channels->invoke(id, "media_upload", json.str());
  if (!answer) return status_response(answer.status());
  Poco::JSON::Object body;
  try {
    auto parsed = Poco::JSON::Parser().parse(*answer).extract<Poco::JSON::Object::Ptr>();
    if (parsed) body = *parsed;
  } catch (const std::exception&) {
    return error_response(502, "bad_channel_answer", "the channel's answer is not a JSON object");
  }
  body.set("channel", id);
  body.set("mime_type", mime);
  body.set("filename", filename);
  return json_response(201, body);
}

}  // namespace

void add_upload_routes(ApiRouter& router, Deps deps) {
  router.add("POST", "/v1/channels/{}/media", Role::kAgent,
             [deps](const Call& call) { return upload(*deps, call); });
}

}  // namespace sb::api
