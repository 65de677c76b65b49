#pragma once

#include <string_view>

namespace sb::plugin {

// Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);

}  // namespace sb::plugin
