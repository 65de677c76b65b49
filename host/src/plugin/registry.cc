#include "plugin/registry.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace sb::plugin {
namespace {

bool is_manifest_name(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  constexpr std::string_view kSuffix = ".manifest.json";
  return name == "manifest.json" || (name.size() > kSuffix.size() && name.ends_with(kSuffix));
}

void collect(const std::filesystem::path& dir, bool descend,
             std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec) && is_manifest_name(e.path())) {
      out.push_back(e.path());
    } else if (descend && e.is_directory(ec)) {
      collect(e.path(), false, out);
    }
  }
}

}  // namespace

std::string peek_manifest_id(const std::filesystem::path& manifest_json) {
  std::error_code ec;
  if (std::filesystem::file_size(manifest_json, ec) > 64 * 1024 || ec) return {};
  std::ifstream in(manifest_json, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(text.str());
    if (root.type() != typeid(Poco::JSON::Object::Ptr)) return {};
    auto id = root.extract<Poco::JSON::Object::Ptr>()->get("id");
    return id.isString() ? id.extract<std::string>() : std::string{};
  } catch (const Poco::Exception&) {
    return {};
  }
}

std::vector<std::filesystem::path> find_manifests(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  collect(dir, true, out);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ScanResult> Registry::scan(const std::vector<std::filesystem::path>& dirs) {
  std::vector<ScanResult> results;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      results.push_back({dir, "",
                         LoadError{LoadErrorKind::kManifestInvalid,
                                   dir.string() + ": plugin directory does not exist"}});
      continue;
    }
    for (const auto& manifest_path : find_manifests(dir)) {
      auto manifest = read_manifest(manifest_path);
      if (auto* err = std::get_if<LoadError>(&manifest)) {
        results.push_back({manifest_path, peek_manifest_id(manifest_path), std::move(*err)});
        continue;
      }
      const auto& m = std::get<Manifest>(manifest);
      if (auto it = plugins_.find(m.id); it != plugins_.end()) {
        results.push_back({manifest_path, m.id,
                           LoadError{LoadErrorKind::kManifestInvalid,
                                     manifest_path.string() + ": plugin id \"" + m.id +
                                         "\" is already provided by " +
                                         it->second->manifest().manifest_path.string()}});
        continue;
      }
      auto loaded = load_plugin(m);
      if (auto* plugin = std::get_if<std::shared_ptr<LoadedPlugin>>(&loaded)) {
        plugins_.emplace(m.id, *plugin);
      }
      results.push_back({manifest_path, m.id, std::move(loaded)});
    }
  }
  return results;
}

std::vector<InitFailure> Registry::init_all(const sb_host_api* host_api) {
  std::vector<InitFailure> failures;
  for (auto it = plugins_.begin(); it != plugins_.end();) {
    if (auto err = it->second->init(host_api)) {
      failures.push_back({it->first, *err});
      it = plugins_.erase(it);
    } else {
      ++it;
    }
  }
  return failures;
}

std::shared_ptr<LoadedPlugin> Registry::find(std::string_view id) const {
  auto it = plugins_.find(id);
  return it == plugins_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<LoadedPlugin>> Registry::list() const {
  std::vector<std::shared_ptr<LoadedPlugin>> out;
  out.reserve(plugins_.size());
  for (const auto& [id, plugin] : plugins_) out.push_back(plugin);
  return out;
}

void Registry::deinit_all() {
  for (const auto& [id, plugin] : plugins_) plugin->deinit();
}

}  // namespace sb::plugin
