// `plugins list` and `plugins inspect`: they open libraries and call the entry function only.
#include <ostream>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include "app/cli.h"
#include "config/config.h"
#include "plugin/registry.h"

namespace sb::app {
namespace {

namespace fs = std::filesystem;

std::string abi_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// PATH may be the manifest, the library or the directory; the manifest is what is read first.
std::variant<fs::path, plugin::LoadError> resolve_manifest(const fs::path& path) {
  std::error_code ec;
  auto invalid = [&](const std::string& what) {
    return plugin::LoadError{plugin::LoadErrorKind::kManifestInvalid, path.string() + ": " + what};
  };
  if (fs::is_directory(path, ec)) {
    if (fs::exists(path / "manifest.json", ec)) return path / "manifest.json";
    auto found = plugin::find_manifests(path);
    std::erase_if(found, [&](const fs::path& p) { return p.parent_path() != path; });
    if (found.size() == 1) return found[0];
    return invalid(found.empty() ? "no manifest.json in this directory"
                                 : "several manifests in this directory; name one");
  }
  if (!fs::exists(path, ec)) return invalid("no such file or directory");
  if (path.extension() == ".json") return path;
  // A library: the manifest beside it that names it.
  for (const auto& candidate : plugin::find_manifests(path.parent_path())) {
    if (candidate.parent_path() != path.parent_path()) continue;
    auto m = plugin::read_manifest(candidate);
    if (auto* ok = std::get_if<plugin::Manifest>(&m); ok && ok->library == path.filename()) {
      return candidate;
    }
    if (candidate.filename() == "manifest.json") return candidate;  // report its own error
  }
  return invalid(
      "no manifest.json beside the library (the host never loads a library without one)");
}

Poco::JSON::Array::Ptr to_array(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr a = Poco::makeShared<Poco::JSON::Array>();
  for (const auto& s : items) a->add(s);
  return a;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "(none)" : out;
}

}  // namespace

int plugins_list(const fs::path& config_file, std::ostream& out, std::ostream& err) {
  auto config = config::load_config(config_file);
  if (!config) {
    err << "error: " << config.status().message() << "\n";
    return kExitFailure;
  }
  plugin::Registry registry;
  const auto results = registry.scan(config->plugin_dirs);
  bool all_ok = true;
  if (results.empty()) out << "no plugins found in plugin_dirs\n";
  for (const auto& r : results) {
    if (r.ok()) {
      const auto& p = *r.plugin();
      const auto& m = p.manifest();
      out << m.id << "  version=" << m.version << "  kind=" << m.channel_kind
          << "  abi=" << abi_text(m.abi_major, m.abi_minor_required) << "  status=ok  "
          << m.manifest_path.string() << "\n";
    } else {
      all_ok = false;
      out << (r.declared_id.empty() ? "?" : r.declared_id)
          << "  status=" << plugin::to_string(r.error().kind) << ": " << r.error().message << "\n";
    }
  }
  return all_ok ? kExitOk : kExitFailure;
}

int plugins_inspect(const fs::path& path, bool json, std::ostream& out, std::ostream& err) {
  auto fail = [&](const plugin::LoadError& e) {
    err << "error: " << plugin::to_string(e.kind) << ": " << e.message << "\n";
    return kExitIncompatible;
  };
  auto manifest_path = resolve_manifest(path);
  if (auto* e = std::get_if<plugin::LoadError>(&manifest_path)) return fail(*e);
  auto manifest = plugin::read_manifest(std::get<fs::path>(manifest_path));
  if (auto* e = std::get_if<plugin::LoadError>(&manifest)) return fail(*e);
  auto loaded = plugin::load_plugin(std::get<plugin::Manifest>(manifest));
  if (auto* e = std::get_if<plugin::LoadError>(&loaded)) return fail(*e);
  const auto& p = *std::get<std::shared_ptr<plugin::LoadedPlugin>>(loaded);
  const auto& m = p.manifest();
  const auto& e = p.entry();
  const std::string host_abi = abi_text(SB_ABI_MAJOR, SB_ABI_MINOR);

  if (json) {
    Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
    o.set("id", m.id);
    o.set("version", std::string(plugin::view(e.version)));
    o.set("channel_kind", std::string(plugin::view(e.channel_kind)));
    o.set("description", std::string(plugin::view(e.description)));
    o.set("abi_major", static_cast<int>(e.abi_major));
    o.set("abi_minor_required", static_cast<int>(e.abi_minor_required));
    o.set("host_abi_major", SB_ABI_MAJOR);
    o.set("host_abi_minor", SB_ABI_MINOR);
    o.set("capabilities", to_array(p.capability_names()));
    o.set("capability_bits", static_cast<Poco::UInt64>(e.capabilities));
    o.set("vtable_slots", to_array(p.vtable_slots()));
    o.set("entry_struct_size", p.entry_struct_size());
    o.set("host_entry_struct_size", static_cast<uint32_t>(sizeof(sb_plugin_entry)));
    o.set("vtable_struct_size", p.vtable_struct_size());
    o.set("host_vtable_struct_size", static_cast<uint32_t>(sizeof(sb_channel_vtable)));
    o.set("has_deinit", e.deinit != nullptr);
    o.set("manifest", m.manifest_path.string());
    o.set("library", m.library_path.string());
    o.set("status", "ok");
    std::ostringstream text;
    Poco::JSON::Stringifier::stringify(o, text, 2);
    out << text.str() << "\n";
    return kExitOk;
  }
  out << "id:                 " << m.id << "\n"
      << "version:            " << plugin::view(e.version) << "\n"
      << "kind:               " << plugin::view(e.channel_kind) << "\n"
      << "description:        " << plugin::view(e.description) << "\n"
      << "abi required:       " << abi_text(e.abi_major, e.abi_minor_required) << "\n"
      << "host abi:           " << host_abi << "\n"
      << "capabilities:       " << join(p.capability_names()) << "\n"
      << "vtable slots:       " << join(p.vtable_slots()) << "\n"
      << "entry struct_size:  " << p.entry_struct_size() << " (host " << sizeof(sb_plugin_entry)
      << ")\n"
      << "vtable struct_size: " << p.vtable_struct_size() << " (host " << sizeof(sb_channel_vtable)
      << ")\n"
      << "deinit:             " << (e.deinit != nullptr ? "yes" : "no") << "\n"
      << "manifest:           " << m.manifest_path.string() << "\n"
      << "library:            " << m.library_path.string() << "\n"
      << "status:             ok\n";
  return kExitOk;
}

}  // namespace sb::app
