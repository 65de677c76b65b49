// A plugin library mapped into the process, its entry validated against its manifest.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <switchboard/abi.h>
#include <boost/dll/shared_library.hpp>

#include "plugin/manifest.h"

namespace sb::plugin {

class LoadedPlugin {
 public:
  struct Key;  // only load_plugin constructs one
  LoadedPlugin(const Key&, Manifest manifest, boost::dll::shared_library library,
               const sb_plugin_entry& entry);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const std::string& id() const { return manifest_.id; }
  const Manifest& manifest() const { return manifest_; }
  // Host-side copies, zero-extended: slots the plugin's (older) struct lacks read as NULL.
  const sb_plugin_entry& entry() const { return entry_; }
  const sb_channel_vtable& vtable() const { return vtable_; }
  // struct_size as the plugin declared them.
  uint32_t entry_struct_size() const { return entry_size_; }
  uint32_t vtable_struct_size() const { return vtable_size_; }

  // Calls the plugin's init once; later calls return the first outcome. kInitFailed carries the
  // plugin's own error message. [load] thread only.
  std::optional<LoadError> init(const sb_host_api* host_api);
  bool initialized() const { return initialized_; }
  // Calls deinit (if any) once, only after a successful init. Every instance must be destroyed.
  void deinit();

  // "send_text", "receive", ...; unknown bits as "bit_N".
  std::vector<std::string> capability_names() const;
  // Names of the non-NULL vtable slots, in declaration order.
  std::vector<std::string> vtable_slots() const;

 private:
  Manifest manifest_;
  // Opened with RTLD_NODELETE: even when this handle closes, the code stays mapped for the process
  // lifetime, so a stray pointer into the plugin can never reach unmapped memory.
  boost::dll::shared_library library_;
  sb_plugin_entry entry_{};
  sb_channel_vtable vtable_{};
  uint32_t entry_size_ = 0, vtable_size_ = 0;
  bool init_attempted_ = false, initialized_ = false, deinitialized_ = false;
  std::optional<LoadError> init_error_;
};

// Opens the library (RTLD_NOW | RTLD_LOCAL), binds sb_plugin_entry_v1, calls it and validates the
// entry against the manifest. Does not call init.
std::variant<std::shared_ptr<LoadedPlugin>, LoadError> load_plugin(const Manifest& manifest);

// The ABI's str as a view (NULL data is empty).
inline std::string_view view(sb_str s) {
  return s.data == nullptr ? std::string_view{} : std::string_view{s.data, s.size};
}

}  // namespace sb::plugin
