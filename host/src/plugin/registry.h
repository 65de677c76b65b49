// Discovers plugins in directories, keeps the loaded ones (and their libraries) for the process.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "plugin/loaded_plugin.h"

namespace sb::plugin {

struct ScanResult {
  std::filesystem::path path;  // the manifest (or the directory, when it cannot be read)
  std::string declared_id;     // the manifest's "id" when it has one, even if the load failed
  std::variant<std::shared_ptr<LoadedPlugin>, LoadError> outcome;

  bool ok() const { return std::holds_alternative<std::shared_ptr<LoadedPlugin>>(outcome); }
  const std::shared_ptr<LoadedPlugin>& plugin() const {
    return std::get<std::shared_ptr<LoadedPlugin>>(outcome);
  }
  const LoadError& error() const { return std::get<LoadError>(outcome); }
};

struct InitFailure {
  std::string plugin_id;
  LoadError error;
};

// Not thread-safe: filled at startup on one thread, read-only afterwards.
class Registry {
 public:
  // Finds manifests (manifest.json or *.manifest.json) in each dir and its direct subdirectories,
  // in sorted order, and loads each. The first plugin with an id wins; a later one with the same id
  // is refused as ManifestInvalid. Loaded plugins are kept; results report every manifest.
  std::vector<ScanResult> scan(const std::vector<std::filesystem::path>& dirs);

  // Inits every loaded plugin once. A plugin whose init fails is dropped from the registry (its
  // library stays mapped) and reported as InitFailed with the plugin's message.
  std::vector<InitFailure> init_all(const sb_host_api* host_api);

  std::shared_ptr<LoadedPlugin> find(std::string_view id) const;
  std::vector<std::shared_ptr<LoadedPlugin>> list() const;  // sorted by id

  // deinit on every initialised plugin; call after every instance is destroyed.
  void deinit_all();

 private:
  std::map<std::string, std::shared_ptr<LoadedPlugin>, std::less<>> plugins_;
};

// The "id" string of a manifest file, read leniently (empty when there is none); for messages
// about plugins that failed to load.
std::string peek_manifest_id(const std::filesystem::path& manifest_json);

// Manifest files a scan of dir finds, sorted (exposed for `plugins list`).
std::vector<std::filesystem::path> find_manifests(const std::filesystem::path& dir);

}  // namespace sb::plugin
