// The sidecar manifest.json beside each plugin library and the errors a load can end in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

namespace sb::plugin {

enum class LoadErrorKind {
  kManifestInvalid,
  kAbiMajorMismatch,
  kAbiMinorTooNew,
  kEntryMissing,
  kEntryInvalid,
  kInitFailed,
};

// Exactly "ManifestInvalid", "AbiMajorMismatch", ... (operators and tests grep for these).
std::string_view to_string(LoadErrorKind kind);

// message names the file, what was expected and what was found.
struct LoadError {
  LoadErrorKind kind;
  std::string message;
};

struct Manifest {
  std::string id, library, version, channel_kind, description;
  uint32_t abi_major = 0, abi_minor_required = 0;
  std::filesystem::path manifest_path, library_path;
};

// Parses and validates manifest.json. Never opens the library, so a foreign or newer-major plugin
// is refused before any of its code is mapped.
std::variant<Manifest, LoadError> read_manifest(const std::filesystem::path& manifest_json);

// Plugin ids: [a-z0-9_-]+ (the ABI's rule).
bool is_valid_plugin_id(std::string_view id);

}  // namespace sb::plugin
