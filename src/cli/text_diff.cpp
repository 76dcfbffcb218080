#include "text_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace triage::cli {

namespace {

// Myers' linear-space search over before[a_lo, a_hi) and after[b_lo, b_hi). The two arrays of
// furthest-reaching x per diagonal serve every level of the recursion (each level is done with
// them before it recurses), so the search needs O(N+M) memory beyond the input.
class MyersSearch {
public:
    MyersSearch(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b, LineChanges& changes)
        : a_(a), b_(b), changes_(changes), forward_(a.size() + b.size() + 3), reverse_(a.size() + b.size() + 3) {}

    void compare(std::size_t a_lo, std::size_t a_hi, std::size_t b_lo, std::size_t b_hi) {
        while (a_lo < a_hi && b_lo < b_hi && a_[a_lo] == b_[b_lo]) ++a_lo, ++b_lo;
        while (a_lo < a_hi && b_lo < b_hi && a_[a_hi - 1] == b_[b_hi - 1]) --a_hi, --b_hi;
        if (a_lo == a_hi || b_lo == b_hi) {
            std::fill(changes_.removed.begin() + static_cast<std::ptrdiff_t>(a_lo),
                      changes_.removed.begin() + static_cast<std::ptrdiff_t>(a_hi), true);
            std::fill(changes_.added.begin() + static_cast<std::ptrdiff_t>(b_lo),
                      changes_.added.begin() + static_cast<std::ptrdiff_t>(b_hi), true);
            return;
        }
        // Trimmed, both sides non-empty: at least two edits, so each half has fewer than the whole.
        Snake s = middle_snake(a_lo, a_hi, b_lo, b_hi);
        compare(a_lo, s.x, b_lo, s.y);
        compare(s.u, a_hi, s.v, b_hi);
    }

private:
    struct Snake {
        std::size_t x, y, u, v;  // from (x, y) to (u, v), all equal lines, on a shortest path
    };

    // The furthest a path of `d` edits reaches on diagonal k (= x - y, relative to the part's
    // corner), forward from the top left or (reversed coordinates) backward from the bottom
    // right; `at(k)` is where `values` keeps diagonal k.
    template <typename Same>
    static std::pair<std::ptrdiff_t, std::ptrdiff_t> extend(std::vector<std::ptrdiff_t>& values, std::ptrdiff_t offset,
                                                            std::ptrdiff_t d, std::ptrdiff_t k, std::ptrdiff_t n,
                                                            std::ptrdiff_t m, Same same) {
        auto at = [&](std::ptrdiff_t diagonal) -> std::ptrdiff_t& { return values[static_cast<std::size_t>(diagonal + offset)]; };
        std::ptrdiff_t x = k == -d || (k != d && at(k - 1) < at(k + 1)) ? at(k + 1) : at(k - 1) + 1;
        const std::ptrdiff_t start = x;
        while (x < n && x - k < m && same(x, x - k)) ++x;
        at(k) = x;
        return {start, x};
    }

    Snake middle_snake(std::size_t a_lo, std::size_t a_hi, std::size_t b_lo, std::size_t b_hi) {
        const auto n = static_cast<std::ptrdiff_t>(a_hi - a_lo), m = static_cast<std::ptrdiff_t>(b_hi - b_lo);
        const std::ptrdiff_t delta = n - m, offset = (n + m + 1) / 2 + 1;
        const bool odd = (delta & 1) != 0;
        auto forward_same = [&](std::ptrdiff_t x, std::ptrdiff_t y) {
            return a_[a_lo + static_cast<std::size_t>(x)] == b_[b_lo + static_cast<std::size_t>(y)];
        };
        auto reverse_same = [&](std::ptrdiff_t x, std::ptrdiff_t y) {
            return a_[a_hi - 1 - static_cast<std::size_t>(x)] == b_[b_hi - 1 - static_cast<std::size_t>(y)];
        };
        auto f = [&](std::ptrdiff_t k) { return forward_[static_cast<std::size_t>(k + offset)]; };
        auto r = [&](std::ptrdiff_t k) { return reverse_[static_cast<std::size_t>(k + offset)]; };
        forward_[static_cast<std::size_t>(offset + 1)] = 0;
        reverse_[static_cast<std::size_t>(offset + 1)] = 0;
        for (std::ptrdiff_t d = 0; d <= offset; ++d) {
            for (std::ptrdiff_t k = -d; k <= d; k += 2) {
                auto [start, x] = extend(forward_, offset, d, k, n, m, forward_same);
                // Reverse diagonal delta - k was reached with d - 1 edits: do the paths overlap?
                const std::ptrdiff_t back = delta - k;
                if (odd && back >= -(d - 1) && back <= d - 1 && x + r(back) >= n)
                    return snake(a_lo, b_lo, start, start - k, x, x - k);
            }
            for (std::ptrdiff_t k = -d; k <= d; k += 2) {
                auto [start, x] = extend(reverse_, offset, d, k, n, m, reverse_same);
                const std::ptrdiff_t ahead = delta - k;
                if (!odd && ahead >= -d && ahead <= d && x + f(ahead) >= n)  // back in forward coordinates
                    return snake(a_lo, b_lo, n - x, m - (x - k), n - start, m - (start - k));
            }
        }
        return snake(a_lo, b_lo, 0, 0, 0, 0);  // not reached: a shortest path has at most n + m edits
    }

    static Snake snake(std::size_t a_lo, std::size_t b_lo, std::ptrdiff_t x, std::ptrdiff_t y, std::ptrdiff_t u,
                       std::ptrdiff_t v) {
        return {a_lo + static_cast<std::size_t>(x), b_lo + static_cast<std::size_t>(y), a_lo + static_cast<std::size_t>(u),
                b_lo + static_cast<std::size_t>(v)};
    }

    const std::vector<std::uint32_t>& a_;
    const std::vector<std::uint32_t>& b_;
    LineChanges& changes_;
    std::vector<std::ptrdiff_t> forward_, reverse_;
};

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        end = end == std::string_view::npos ? text.size() : end + 1;
        lines.push_back(text.substr(0, end));
        text.remove_prefix(end);
    }
    return lines;
}

// GNU diff's range: "5,3", "5" for one line, "4,0" (the line before) for none.
std::string range(std::size_t first, std::size_t count) {
    if (count == 1) return fmt::format("{}", first);
    return fmt::format("{},{}", count == 0 ? first - 1 : first, count);
}

}  // namespace

LineChanges shortest_edit(const std::vector<std::uint32_t>& before, const std::vector<std::uint32_t>& after) {
    LineChanges changes{std::vector<bool>(before.size()), std::vector<bool>(after.size())};
    MyersSearch(before, after, changes).compare(0, before.size(), 0, after.size());
    return changes;
}

std::string unified_diff(std::string_view before, std::string_view after, std::string_view old_name,
                         std::string_view new_name) {
    const std::vector<std::string_view> a = split_lines(before), b = split_lines(after);
    std::unordered_map<std::string_view, std::uint32_t> numbers;  // each distinct line, numbered
    auto number = [&](std::string_view line) { return numbers.emplace(line, static_cast<std::uint32_t>(numbers.size())).first->second; };
    std::vector<std::uint32_t> a_numbers, b_numbers;
    for (std::string_view line : a) a_numbers.push_back(number(line));
    for (std::string_view line : b) b_numbers.push_back(number(line));
    const LineChanges changes = shortest_edit(a_numbers, b_numbers);

    struct Edit {
        char kind;
        std::string_view text;
    };
    std::vector<Edit> edits;  // removals before additions, as diff writes them
    for (std::size_t i = 0, j = 0; i < a.size() || j < b.size();) {
        if (i < a.size() && changes.removed[i]) edits.push_back({'-', a[i++]});
        else if (j < b.size() && changes.added[j]) edits.push_back({'+', b[j++]});
        else edits.push_back({' ', a[i++]}), ++j;
    }
    std::string out;
    constexpr std::size_t context = 3;
    std::size_t old_line = 1, new_line = 1;  // of edits[k]
    std::size_t k = 0;
    auto advance = [&](std::size_t to) {
        for (; k < to; ++k) old_line += edits[k].kind != '+', new_line += edits[k].kind != '-';
    };
    for (;;) {
        std::size_t change = k;
        while (change < edits.size() && edits[change].kind == ' ') ++change;
        if (change == edits.size()) break;
        if (out.empty()) out = fmt::format("--- {}\n+++ {}\n", old_name, new_name);
        advance(change >= context ? std::max(k, change - context) : k);
        // The hunk runs to the last change followed by more than 2 * context unchanged lines.
        std::size_t last = change, quiet = 0;
        for (std::size_t e = change; e < edits.size() && quiet <= 2 * context; ++e) {
            quiet = edits[e].kind == ' ' ? quiet + 1 : 0;
            if (quiet == 0) last = e;
        }
        const std::size_t end = std::min(edits.size(), last + 1 + context);
        std::size_t old_count = 0, new_count = 0;
        for (std::size_t e = k; e < end; ++e) old_count += edits[e].kind != '+', new_count += edits[e].kind != '-';
        out += fmt::format("@@ -{} +{} @@\n", range(old_line, old_count), range(new_line, new_count));
        for (std::size_t e = k; e < end; ++e) {
            out += edits[e].kind;
            out += edits[e].text;
            if (edits[e].text.back() != '\n') out += "\n\\ No newline at end of file\n";
        }
        advance(end);
    }
    return out;
}

}  // namespace triage::cli
