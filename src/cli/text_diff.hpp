// Unified diffs of two texts, line by line, for `fmt --check`.
//
// The edit script is a shortest one, found with Myers' O((N+M)·D) algorithm in its linear-space
// form (E. Myers, "An O(ND) Difference Algorithm and Its Variations", 1986, section 4b): the
// middle snake of each part is found from both ends and the halves are solved alone, so memory is
// O(N+M) whatever the size of the files and of the change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace triage::cli {

// Which lines of `before` are removed and which of `after` are added, for a shortest edit script
// between two sequences of line numbers (equal numbers are equal lines).
struct LineChanges {
    std::vector<bool> removed;  // one per line of before
    std::vector<bool> added;    // one per line of after
};
[[nodiscard]] LineChanges shortest_edit(const std::vector<std::uint32_t>& before, const std::vector<std::uint32_t>& after);

// `diff -u --label old_name --label new_name` of the two texts: hunks with 3 lines of context,
// GNU diff's ranges ("-5" for one line, "-4,0" for none) and "\ No newline at end of file".
// Empty when the texts are equal.
[[nodiscard]] std::string unified_diff(std::string_view before, std::string_view after, std::string_view old_name,
                                       std::string_view new_name);

}  // namespace triage::cli
