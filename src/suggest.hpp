// "did you mean ...?" — the closest known name within a small edit distance.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// The candidate closest to `name`, if it is close enough to be a plausible typo.
template <typename Range>
std::optional<std::string> closest_name(std::string_view name, const Range& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        std::string_view c(candidate);
        if (c == name) continue;
        std::size_t distance = edit_distance(name, c);
        if (distance >= name.size()) continue;  // nothing in common: not a typo
        if (distance < best_distance) {
            best_distance = distance;
            best = std::string(c);
        }
    }
    return best;
}

}  // namespace triage
