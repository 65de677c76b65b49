#include "layout_diff.h"

#include <charconv>
#include <sstream>

namespace sb::abi_test {
namespace {

std::string_view struct_of(std::string_view field_key) {
  // "offsetof sb_str.data" -> "sb_str"
  auto space = field_key.find(' ');
  auto dot = field_key.find('.');
  return field_key.substr(space + 1, dot - space - 1);
}

bool is_field_key(std::string_view key) {
  return key.find('.') != std::string_view::npos;
}

}  // namespace

Layout parse_layout(std::string_view text, std::vector<std::string>& errors) {
  Layout layout;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto last_space = line.rfind(' ');
    long long value = 0;
    const char* begin = line.data() + last_space + 1;
    const char* end = line.data() + line.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (last_space == std::string::npos || line.find(' ') == last_space || ec != std::errc{} ||
        ptr != end) {
      errors.push_back("malformed layout line: " + line);
      continue;
    }
    layout[line.substr(0, last_space)] = value;
  }
  return layout;
}

std::vector<std::string> append_only_violations(const Layout& frozen, const Layout& current) {
  std::vector<std::string> out;
  for (const auto& [key, old_value] : frozen) {
    auto it = current.find(key);
    if (it == current.end()) {
      out.push_back(key + ": present in 1.0, gone now");
      continue;
    }
    long long now = it->second;
    bool struct_size = key.starts_with("sizeof ") && !is_field_key(key);
    bool may_grow = (struct_size && key != "sizeof sb_str") || key == "value SB_ABI_MINOR";
    if (now == old_value || (may_grow && now > old_value)) continue;
    out.push_back(key + ": 1.0 has " + std::to_string(old_value) + ", now " + std::to_string(now));
  }
  for (const auto& [key, value] : current) {
    if (frozen.contains(key) || !key.starts_with("offsetof ")) continue;
    std::string struct_key = "sizeof " + std::string(struct_of(key));
    auto old_size = frozen.find(struct_key);
    if (old_size != frozen.end() && value < old_size->second) {
      out.push_back(key + ": new field at offset " + std::to_string(value) +
                    " lies inside the 1.0 struct (" + std::to_string(old_size->second) +
                    " bytes); fields may only be appended");
    }
  }
  return out;
}

}  // namespace sb::abi_test
