// Comments: what the grammar skips, found again for the formatter and for `# triage: allow(...)`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

struct Comment {
    std::uint32_t offset;
    std::string text;  // from '#' to the end of the line, without trailing blanks
    bool emitted = false;
};

// '#' to the end of the line, outside strings and regular expressions.
[[nodiscard]] std::vector<Comment> find_comments(std::string_view source);

}  // namespace triage
