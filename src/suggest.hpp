// "did you mean ...?" — the closest known name within a small edit distance.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// Names longer than this get no suggestion: nobody mistypes a 65-character name into another,
// and the distance costs the product of the lengths.
inline constexpr std::size_t max_suggested_name = 64;

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), in three rows
// of memory.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

// How many cells of distance tables one compilation may fill for suggestions: plenty for every
// typo of a hand-written flow, and a bound for a flow of 100,000 names full of unknown ones.
inline constexpr std::uint64_t suggestion_budget = 50'000'000;

// The candidate closest to `name`, if it is close enough to be a plausible typo. The work is
// bounded: candidates whose length alone puts them too far are skipped, names past
// max_suggested_name are not compared, and each comparison takes its cells from `budget`; once
// that is spent, no more suggestions are looked for.
// The name of a candidate: the candidate itself (a string), or the key of a map's entry.
struct ItselfName {
    template <typename T>
    std::string_view operator()(const T& candidate) const { return std::string_view(candidate); }
};
struct KeyName {
    template <typename Entry>
    std::string_view operator()(const Entry& entry) const { return std::string_view(entry.first); }
};

template <typename Range, typename NameOf = ItselfName>
std::optional<std::string> closest_name(std::string_view name, const Range& candidates, std::uint64_t& budget,
                                        NameOf name_of = {}) {
    if (name.size() > max_suggested_name) return std::nullopt;
    std::optional<std::string> best;
    std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        std::string_view c = name_of(candidate);
        if (c == name || c.size() > max_suggested_name) continue;
        const std::size_t length_gap = c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
        if (length_gap >= best_distance) continue;  // the distance is at least the gap
        const std::uint64_t cells = (name.size() + 1) * (c.size() + 1);
        if (cells > budget) break;
        budget -= cells;
        std::size_t distance = edit_distance(name, c);
        if (distance >= name.size()) continue;  // nothing in common: not a typo
        if (distance < best_distance) {
            best_distance = distance;
            best = std::string(c);
        }
    }
    return best;
}

// The candidates of which `name` is the first or last whole words: `sentiment` of
// `sentiment_label`, `followers` of `author.followers` (words end at '_' and '.'). Sorted, at most
// `max_parts`; each candidate looked at takes its length from `budget`.
template <typename Range, typename NameOf = ItselfName>
std::vector<std::string> names_with_part(std::string_view name, const Range& candidates, std::uint64_t& budget,
                                         NameOf name_of = {}, std::size_t max_parts = 4) {
    std::vector<std::string> out;
    if (name.empty() || name.size() > max_suggested_name) return out;
    auto boundary = [](char c) { return c == '_' || c == '.'; };
    for (const auto& candidate : candidates) {
        std::string_view c = name_of(candidate);
        if (c.size() > budget) break;
        budget -= c.size();
        if (c.size() <= name.size() + 1) continue;
        const bool first = c.starts_with(name) && boundary(c[name.size()]);
        const bool last = c.ends_with(name) && boundary(c[c.size() - name.size() - 1]);
        if (first || last) out.emplace_back(c);
    }
    std::sort(out.begin(), out.end());
    if (out.size() > max_parts) out.resize(max_parts);
    return out;
}

}  // namespace triage
