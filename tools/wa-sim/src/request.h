// One HTTP request reduced to what handlers need: method, path segments, and a single parameter
// object merged from the query string, form fields (urlencoded or multipart) and a JSON body,
// because Graph accepts all of them interchangeably (docs/whatsapp-cloud-api.md §0).
#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <optional>
#include <string>
#include <vector>

#include "errors.h"
#include "json.h"

namespace wasim {

struct Upload {
  std::string filename;
  std::string content_type;
  std::string data;
};

struct Request {
  std::string method;
  std::string path;  // without the query string
  std::vector<std::string> segments;
  Obj params;
  std::string body;
  std::optional<std::string> bearer;  // Authorization: Bearer, or access_token=
  std::optional<Upload> file;         // multipart part named "file"
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

struct BodyTooLarge {
  size_t limit;
};

// Reads at most `max_body` bytes of body; larger bodies are refused before they are buffered.
// Throws BodyTooLarge or GraphError (malformed JSON body).
Request parseRequest(Poco::Net::HTTPServerRequest& req, size_t max_body);

std::vector<std::string> splitPath(const std::string& path);

}  // namespace wasim
