// Parses layout_dump output and finds changes that are not appends.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sb::abi_test {

// "sizeof sb_str" -> 16, "offsetof sb_str.data" -> 0, "value SB_OK" -> 0.
using Layout = std::map<std::string, long long, std::less<>>;

// Parses "kind name value" lines; '#' lines and blank lines are skipped. Malformed lines are
// reported through `errors` rather than ignored, so a truncated file cannot pass silently.
Layout parse_layout(std::string_view text, std::vector<std::string>& errors);

// What `current` changed relative to `frozen` other than appending. Allowed: new structs, new
// constants, new fields placed at or after the frozen sizeof of their struct, a struct's sizeof
// growing (never for sb_str, which is frozen), SB_ABI_MINOR growing. Everything else that existed
// in `frozen` must be byte-for-byte the same.
std::vector<std::string> append_only_violations(const Layout& frozen, const Layout& current);

}  // namespace sb::abi_test
