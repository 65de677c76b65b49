// Where the fixtures are built, and loading them through the real loader.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "plugin/loaded_plugin.h"
#include "plugin/manifest.h"

namespace sb::abi_test {

inline std::filesystem::path fixture_manifest(std::string_view name) {
  return std::filesystem::path(SB_ABI_FIXTURE_DIR) / name / "manifest.json";
}

// read_manifest, then load_plugin: what the host does for every manifest it finds.
inline std::variant<std::shared_ptr<plugin::LoadedPlugin>, plugin::LoadError> load_fixture(
    std::string_view name) {
  auto manifest = plugin::read_manifest(fixture_manifest(name));
  if (auto* error = std::get_if<plugin::LoadError>(&manifest)) return *error;
  return plugin::load_plugin(std::get<plugin::Manifest>(manifest));
}

}  // namespace sb::abi_test
