#include "plugin/loaded_plugin.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <system_error>

#include "core/text_input.h"

namespace sb::plugin {

struct LoadedPlugin::Key {};

namespace {

// Copies min(declared, sizeof(T)) bytes into a zeroed T: fields the plugin does not know read as 0.
template <class T>
T copy_struct(const T* from, uint32_t declared) {
  T out{};
  std::memcpy(&out, from, std::min<size_t>(declared, sizeof(T)));
  return out;
}

constexpr size_t kEntryMinSize =
    offsetof(sb_plugin_entry, vtable) + sizeof(sb_plugin_entry::vtable);
constexpr size_t kVtableMinSize =
    offsetof(sb_channel_vtable, send) + sizeof(sb_channel_vtable::send);

LoadError entry_invalid(const Manifest& m, std::string what) {
  return {LoadErrorKind::kEntryInvalid, m.library_path.string() + ": " + std::move(what)};
}

// Checks one string of the entry: valid UTF-8, and equal to the manifest's value when one is given.
std::optional<LoadError> check_string(const Manifest& m, const char* field, sb_str value,
                                      const std::string* expected) {
  if (value.data == nullptr && value.size != 0) {
    return entry_invalid(
        m, std::string("entry.") + field + " has NULL data and size " + std::to_string(value.size));
  }
  const std::string_view v = view(value);
  if (!is_valid_utf8(v)) return entry_invalid(m, std::string("entry.") + field + " is not UTF-8");
  if (expected != nullptr && v != *expected) {
    return entry_invalid(m, std::string("entry.") + field + " is \"" + std::string(v) +
                                "\" but manifest " + m.manifest_path.string() + " says \"" +
                                *expected + "\"");
  }
  return std::nullopt;
}

std::optional<LoadError> validate_entry(const Manifest& m, const sb_plugin_entry* raw) {
  if (raw == nullptr)
    return entry_invalid(m, std::string(SB_PLUGIN_ENTRY_SYMBOL) + "() returned NULL");
  if (raw->struct_size < kEntryMinSize) {
    return entry_invalid(m, "entry struct_size is " + std::to_string(raw->struct_size) +
                                ", expected at least " + std::to_string(kEntryMinSize));
  }
  const sb_plugin_entry e = copy_struct(raw, raw->struct_size);
  if (e.abi_major != SB_ABI_MAJOR) {
    return entry_invalid(m, "entry.abi_major is " + std::to_string(e.abi_major) + ", expected " +
                                std::to_string(SB_ABI_MAJOR) + " as the manifest says");
  }
  if (e.abi_minor_required > SB_ABI_MINOR) {
    return LoadError{LoadErrorKind::kAbiMinorTooNew,
                     m.library_path.string() + ": entry needs ABI 1." +
                         std::to_string(e.abi_minor_required) + ", this host provides ABI 1." +
                         std::to_string(SB_ABI_MINOR)};
  }
  if (auto err = check_string(m, "id", e.id, &m.id)) return err;
  if (auto err = check_string(m, "version", e.version, &m.version)) return err;
  if (auto err = check_string(m, "channel_kind", e.channel_kind, &m.channel_kind)) return err;
  if (auto err = check_string(m, "description", e.description, nullptr)) return err;
  if (e.init == nullptr) return entry_invalid(m, "required slot entry.init is NULL");
  if (e.create == nullptr) return entry_invalid(m, "required slot entry.create is NULL");
  if (e.vtable == nullptr) return entry_invalid(m, "required slot entry.vtable is NULL");
  if (e.vtable->struct_size < kVtableMinSize) {
    return entry_invalid(m, "vtable struct_size is " + std::to_string(e.vtable->struct_size) +
                                ", expected at least " + std::to_string(kVtableMinSize));
  }
  const sb_channel_vtable vt = copy_struct(e.vtable, e.vtable->struct_size);
  if (vt.destroy == nullptr) return entry_invalid(m, "required slot vtable.destroy is NULL");
  if (vt.start == nullptr) return entry_invalid(m, "required slot vtable.start is NULL");
  if (vt.stop == nullptr) return entry_invalid(m, "required slot vtable.stop is NULL");
  if (vt.send == nullptr) return entry_invalid(m, "required slot vtable.send is NULL");
  return std::nullopt;
}

}  // namespace

LoadedPlugin::LoadedPlugin(const Key&, Manifest manifest, boost::dll::shared_library library,
                           const sb_plugin_entry& entry)
    : manifest_(std::move(manifest)), library_(std::move(library)) {
  entry_size_ = entry.struct_size;
  entry_ = copy_struct(&entry, entry_size_);
  vtable_size_ = entry_.vtable->struct_size;
  vtable_ = copy_struct(entry_.vtable, vtable_size_);
}

LoadedPlugin::~LoadedPlugin() = default;

std::optional<LoadError> LoadedPlugin::init(const sb_host_api* host_api) {
  if (init_attempted_) return init_error_;
  init_attempted_ = true;
  struct Capture {
    bool set = false;
    std::string message;
  } capture;
  sb_error_sink sink{sizeof(sb_error_sink), &capture, [](void* ctx, const sb_error_info* info) {
                       auto* c = static_cast<Capture*>(ctx);
                       if (info == nullptr || c->set) return;
                       c->set = true;
                       c->message = std::string(view(info->message));
                     }};
  const int32_t rc = entry_.init(host_api, &sink);
  if (rc < 0) {
    init_error_ =
        LoadError{LoadErrorKind::kInitFailed,
                  manifest_.library_path.string() + ": init returned " + std::to_string(rc) +
                      (capture.message.empty() ? "" : ": " + capture.message)};
    return init_error_;
  }
  initialized_ = true;
  return std::nullopt;
}

void LoadedPlugin::deinit() {
  if (!initialized_ || deinitialized_) return;
  deinitialized_ = true;
  if (entry_.deinit != nullptr) entry_.deinit();
}

std::vector<std::string> LoadedPlugin::capability_names() const {
  static constexpr const char* kNames[] = {"send_text",     "receive",     "delivery_reports",
                                           "attachments",   "templates",   "webhooks",
                                           "read_receipts", "interactive", "threading"};
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((entry_.capabilities & (1ull << bit)) == 0) continue;
    names.push_back(bit < std::size(kNames) ? kNames[bit] : "bit_" + std::to_string(bit));
  }
  return names;
}

std::vector<std::string> LoadedPlugin::vtable_slots() const {
  std::vector<std::string> slots;
  auto add = [&](const char* name, const void* fn) {
    if (fn != nullptr) slots.emplace_back(name);
  };
  add("destroy", reinterpret_cast<const void*>(vtable_.destroy));
  add("start", reinterpret_cast<const void*>(vtable_.start));
  add("stop", reinterpret_cast<const void*>(vtable_.stop));
  add("send", reinterpret_cast<const void*>(vtable_.send));
  add("handle_webhook", reinterpret_cast<const void*>(vtable_.handle_webhook));
  add("config_schema", reinterpret_cast<const void*>(vtable_.config_schema));
  add("validate_config", reinterpret_cast<const void*>(vtable_.validate_config));
  add("can_send", reinterpret_cast<const void*>(vtable_.can_send));
  add("invoke", reinterpret_cast<const void*>(vtable_.invoke));
  add("health", reinterpret_cast<const void*>(vtable_.health));
  return slots;
}

std::variant<std::shared_ptr<LoadedPlugin>, LoadError> load_plugin(const Manifest& manifest) {
  // Refuse before mapping anything the manifest already tells us we cannot run.
  if (manifest.abi_major != SB_ABI_MAJOR) {
    return LoadError{LoadErrorKind::kAbiMajorMismatch,
                     manifest.manifest_path.string() + ": plugin needs ABI major " +
                         std::to_string(manifest.abi_major) + ", this host provides " +
                         std::to_string(SB_ABI_MAJOR)};
  }
  if (manifest.abi_minor_required > SB_ABI_MINOR) {
    return LoadError{LoadErrorKind::kAbiMinorTooNew,
                     manifest.manifest_path.string() + ": plugin needs ABI 1." +
                         std::to_string(manifest.abi_minor_required) + ", this host provides 1." +
                         std::to_string(SB_ABI_MINOR)};
  }
  namespace mode = boost::dll::load_mode;
  const auto flags = mode::rtld_now | mode::rtld_local | static_cast<mode::type>(RTLD_NODELETE);
  std::error_code ec;
  boost::dll::shared_library library(manifest.library_path, ec, flags);
  if (ec || !library.is_loaded()) {
    const char* detail = dlerror();
    return LoadError{LoadErrorKind::kEntryMissing,
                     manifest.library_path.string() + ": cannot open library: " +
                         (detail != nullptr ? std::string(detail) : ec.message())};
  }
  if (!library.has(SB_PLUGIN_ENTRY_SYMBOL)) {
    return LoadError{LoadErrorKind::kEntryMissing, manifest.library_path.string() +
                                                       ": no exported symbol " +
                                                       SB_PLUGIN_ENTRY_SYMBOL +
                                                       " (built for another ABI major, or not a "
                                                       "Switchboard plugin)"};
  }
  auto& entry_fn = library.get<const sb_plugin_entry*()>(SB_PLUGIN_ENTRY_SYMBOL);
  const sb_plugin_entry* raw = entry_fn();
  if (auto err = validate_entry(manifest, raw)) return *err;
  return std::make_shared<LoadedPlugin>(LoadedPlugin::Key{}, manifest, std::move(library), *raw);
}

}  // namespace sb::plugin
