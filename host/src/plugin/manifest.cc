#include "plugin/manifest.h"

#include <fstream>
#include <limits>
#include <sstream>

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>
#include <switchboard/abi.h>

#include "config/jsonc.h"
#include "core/text_input.h"

namespace sb::plugin {
namespace {

// A manifest is a handful of short fields; anything bigger is not one.
constexpr std::uintmax_t kMaxManifestBytes = 64 * 1024;

LoadError invalid(const std::filesystem::path& file, std::string what) {
  return {LoadErrorKind::kManifestInvalid, file.string() + ": " + std::move(what)};
}

std::string type_name(const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return "null";
  if (v.isString()) return "a string";
  if (v.isBoolean()) return "a boolean";
  if (v.isInteger()) return "an integer";
  if (v.isNumeric()) return "a number";
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) return "an object";
  return "an array";
}

// Reads a required (or optional, with fallback) string field; nullopt-like through the error out.
bool read_string(const Poco::JSON::Object& obj, const std::string& key, bool required,
                 std::string& out, std::string& error) {
  if (!obj.has(key)) {
    if (!required) return true;
    error = "missing field \"" + key + "\" (expected a string)";
    return false;
  }
  const Poco::Dynamic::Var v = obj.get(key);
  if (!v.isString()) {
    error = "field \"" + key + "\" must be a string, found " + type_name(v);
    return false;
  }
  out = v.extract<std::string>();
  if (!is_valid_utf8(out)) {
    error = "field \"" + key + "\" is not valid UTF-8";
    return false;
  }
  return true;
}

bool read_uint32(const Poco::JSON::Object& obj, const std::string& key, uint32_t& out,
                 std::string& error) {
  if (!obj.has(key)) {
    error = "missing field \"" + key + "\" (expected a non-negative integer)";
    return false;
  }
  const Poco::Dynamic::Var v = obj.get(key);
  if (!v.isInteger() || v.isBoolean()) {
    error = "field \"" + key + "\" must be a non-negative integer, found " + type_name(v);
    return false;
  }
  const auto n = v.convert<Poco::Int64>();
  if (n < 0 || n > std::numeric_limits<uint16_t>::max()) {
    error = "field \"" + key + "\" must be between 0 and 65535, found " + std::to_string(n);
    return false;
  }
  out = static_cast<uint32_t>(n);
  return true;
}

bool is_plain_file_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." &&
         name.find_first_of("/\\") == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

}  // namespace

std::string_view to_string(LoadErrorKind kind) {
  switch (kind) {
    case LoadErrorKind::kManifestInvalid:
      return "ManifestInvalid";
    case LoadErrorKind::kAbiMajorMismatch:
      return "AbiMajorMismatch";
    case LoadErrorKind::kAbiMinorTooNew:
      return "AbiMinorTooNew";
    case LoadErrorKind::kEntryMissing:
      return "EntryMissing";
    case LoadErrorKind::kEntryInvalid:
      return "EntryInvalid";
    case LoadErrorKind::kInitFailed:
      return "InitFailed";
  }
  return "Unknown";
}

bool is_valid_plugin_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::variant<Manifest, LoadError> read_manifest(const std::filesystem::path& manifest_json) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(manifest_json, ec);
  if (ec) return invalid(manifest_json, "cannot read manifest: " + ec.message());
  if (size > kMaxManifestBytes) {
    return invalid(manifest_json, "manifest is " + std::to_string(size) +
                                      " bytes, expected at most " +
                                      std::to_string(kMaxManifestBytes));
  }
  std::ifstream in(manifest_json, std::ios::binary);
  if (!in) return invalid(manifest_json, "cannot open manifest");
  std::ostringstream text;
  text << in.rdbuf();

  // The project's parser: Poco's would read an abi_major of 2^64 + 1 as 1.
  auto root = config::parse_json(text.str());
  if (!root) return invalid(manifest_json, "not valid JSON: " + root.status().message());
  if (root->type() != typeid(Poco::JSON::Object::Ptr)) {
    return invalid(manifest_json, "expected a JSON object, found " + type_name(*root));
  }
  const Poco::JSON::Object::Ptr obj = root->extract<Poco::JSON::Object::Ptr>();

  Manifest m;
  m.manifest_path = manifest_json;
  std::string error;
  const bool fields_ok = read_string(*obj, "id", true, m.id, error) &&
                         read_string(*obj, "library", true, m.library, error) &&
                         read_uint32(*obj, "abi_major", m.abi_major, error) &&
                         read_uint32(*obj, "abi_minor_required", m.abi_minor_required, error) &&
                         read_string(*obj, "version", true, m.version, error) &&
                         read_string(*obj, "channel_kind", true, m.channel_kind, error) &&
                         read_string(*obj, "description", false, m.description, error);
  if (!fields_ok) return invalid(manifest_json, error);
  if (!is_valid_plugin_id(m.id)) {
    return invalid(manifest_json,
                   "field \"id\" must match [a-z0-9_-]{1,64}, found \"" + m.id + "\"");
  }
  if (!is_plain_file_name(m.library)) {
    return invalid(manifest_json,
                   "field \"library\" must be a file name in the manifest's "
                   "directory, found \"" +
                       m.library + "\"");
  }
  if (m.abi_major != SB_ABI_MAJOR) {
    return LoadError{LoadErrorKind::kAbiMajorMismatch,
                     manifest_json.string() + ": plugin \"" + m.id + "\" needs ABI major " +
                         std::to_string(m.abi_major) + ", this host provides ABI major " +
                         std::to_string(SB_ABI_MAJOR)};
  }
  if (m.abi_minor_required > SB_ABI_MINOR) {
    return LoadError{LoadErrorKind::kAbiMinorTooNew,
                     manifest_json.string() + ": plugin \"" + m.id + "\" needs ABI 1." +
                         std::to_string(m.abi_minor_required) + ", this host provides ABI 1." +
                         std::to_string(SB_ABI_MINOR)};
  }
  m.library_path = manifest_json.parent_path() / m.library;
  if (!std::filesystem::is_regular_file(m.library_path, ec)) {
    return invalid(manifest_json, "library \"" + m.library_path.string() +
                                      "\" does not exist or "
                                      "is not a regular file");
  }
  return m;
}

}  // namespace sb::plugin
