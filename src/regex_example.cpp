// text_matching: a recursive descent over RE2's syntax that writes the shortest text of the first
// alternative, checked with RE2 itself (so a misreading never yields a text that does not match).
#include "regex_example.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace triage::detail {

namespace {

class TextBuilder {
public:
    explicit TextBuilder(std::string_view pattern) : p_(pattern) {}

    std::optional<std::string> build() {
        std::optional<std::string> text = alternation();
        if (!text || pos_ != p_.size()) return std::nullopt;
        return text;
    }

private:
    bool at(char c) const { return pos_ < p_.size() && p_[pos_] == c; }

    // The first alternative; the others are read past.
    std::optional<std::string> alternation() {
        std::optional<std::string> first = sequence();
        while (first && at('|')) {
            ++pos_;
            if (!sequence()) return std::nullopt;
        }
        return first;
    }

    std::optional<std::string> sequence() {
        std::string out;
        while (pos_ < p_.size() && !at('|') && !at(')')) {
            std::optional<std::string> piece = atom();
            if (!piece) return std::nullopt;
            const std::optional<int> times = repetitions();
            if (!times) return std::nullopt;
            for (int i = 0; i < *times; ++i) out += *piece;
        }
        return out;
    }

    // How often the atom before is written: the fewest its quantifier allows.
    std::optional<int> repetitions() {
        int times = 1;
        if (at('*') || at('?')) times = 0, ++pos_;
        else if (at('+')) ++pos_;
        else if (at('{')) {
            const std::size_t close = p_.find('}', pos_);
            if (close == std::string_view::npos) return 1;  // a literal '{' (RE2 reads it so)
            const std::string inside(p_.substr(pos_ + 1, close - pos_ - 1));
            if (inside.empty() || !std::isdigit(static_cast<unsigned char>(inside[0]))) return 1;
            times = std::atoi(inside.c_str());
            if (times > 1000) return std::nullopt;
            pos_ = close + 1;
        }
        if (at('?')) ++pos_;  // lazy: the same fewest
        return times;
    }

    std::optional<std::string> atom() {
        const char c = p_[pos_++];
        switch (c) {
        case '(': return group();
        case '[': return char_class();
        case '.': return std::string("a");
        case '^':
        case '$': return std::string();
        case '\\': return escape();
        default: return std::string(1, c);
        }
    }

    std::optional<std::string> group() {
        if (at('?')) {  // (?:..), (?i:..), (?P<name>..), (?i) flags
            ++pos_;
            if (at('P') || at('<')) {
                const std::size_t close = p_.find('>', pos_);
                if (close == std::string_view::npos) return std::nullopt;
                pos_ = close + 1;
            } else {
                while (pos_ < p_.size() && (std::isalpha(static_cast<unsigned char>(p_[pos_])) || at('-'))) ++pos_;
                if (at(')')) {  // flags for the rest: nothing to write
                    ++pos_;
                    return std::string();
                }
                if (!at(':')) return std::nullopt;
                ++pos_;
            }
        }
        std::optional<std::string> inner = alternation();
        if (!inner || !at(')')) return std::nullopt;
        ++pos_;
        return inner;
    }

    // An escape outside a class: a class escape's member, an assertion (nothing), or the character.
    std::optional<std::string> escape() {
        if (pos_ >= p_.size()) return std::nullopt;
        const char e = p_[pos_++];
        switch (e) {
        case 'b': case 'B': case 'A': case 'z': return std::string();
        case 'p': case 'P': case 'C': case 'Q': return std::nullopt;
        default: break;
        }
        const std::optional<char> member = escaped_char(e);
        if (!member) return std::nullopt;
        return std::string(1, *member);
    }

    // The character an escape stands for, or one member of the class it names.
    std::optional<char> escaped_char(char e) {
        switch (e) {
        case 'd': return '0';
        case 'D': case 'w': case 'S': return 'a';
        case 'W': case 's': return ' ';
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case 'f': return '\f';
        case 'v': return '\v';
        case 'x': {
            const bool braced = at('{');
            if (braced) ++pos_;
            std::size_t end = pos_;
            while (end < p_.size() && std::isxdigit(static_cast<unsigned char>(p_[end])) && (braced || end < pos_ + 2)) ++end;
            const long code = std::strtol(std::string(p_.substr(pos_, end - pos_)).c_str(), nullptr, 16);
            pos_ = end + (braced ? 1 : 0);
            if (code <= 0 || code > 0x7e) return std::nullopt;  // one plain character only
            return static_cast<char>(code);
        }
        default: return std::isalnum(static_cast<unsigned char>(e)) ? std::nullopt : std::optional<char>(e);
        }
    }

    // [..]: the first member, or for [^..] the first of a few plain characters not in it.
    std::optional<std::string> char_class() {
        const bool negated = at('^');
        if (negated) ++pos_;
        std::vector<std::pair<char, char>> ranges;
        bool first = true;
        while (pos_ < p_.size() && (first || !at(']'))) {
            first = false;
            if (p_.substr(pos_, 2) == "[:") {  // [:alpha:] and the like
                const std::size_t close = p_.find(":]", pos_);
                if (close == std::string_view::npos) return std::nullopt;
                const std::string_view name = p_.substr(pos_ + 2, close - pos_ - 2);
                pos_ = close + 2;
                if (name == "digit") ranges.emplace_back('0', '9');
                else if (name == "space" || name == "blank") ranges.emplace_back(' ', ' ');
                else if (name == "upper") ranges.emplace_back('A', 'Z');
                else ranges.emplace_back('a', 'z');
                continue;
            }
            std::optional<char> lo = class_char();
            if (!lo) return std::nullopt;
            char hi = *lo;
            if (at('-') && pos_ + 1 < p_.size() && p_[pos_ + 1] != ']') {
                ++pos_;
                const std::optional<char> h = class_char();
                if (!h) return std::nullopt;
                hi = *h;
            }
            ranges.emplace_back(*lo, hi);
        }
        if (!at(']')) return std::nullopt;
        ++pos_;
        auto in = [&](char c) {
            return std::any_of(ranges.begin(), ranges.end(), [&](const auto& r) { return r.first <= c && c <= r.second; });
        };
        if (!negated) return ranges.empty() ? std::nullopt : std::optional<std::string>(std::string(1, ranges.front().first));
        for (char c : std::string_view("ax0 Z-_.")) {
            if (!in(c)) return std::string(1, c);
        }
        return std::nullopt;
    }

    // One character of a class: itself, or an escape's member (\d stands for its first member).
    std::optional<char> class_char() {
        const char c = p_[pos_++];
        if (c != '\\') return c;
        if (pos_ >= p_.size()) return std::nullopt;
        const char e = p_[pos_++];
        if (e == 'p' || e == 'P') return std::nullopt;
        return escaped_char(e);
    }

    std::string_view p_;
    std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> text_matching(const std::string& pattern, bool case_insensitive) {
    std::optional<std::string> text = TextBuilder(pattern).build();
    if (!text) return std::nullopt;
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!case_insensitive);
    const re2::RE2 regex(pattern, options);
    if (!regex.ok() || !re2::RE2::PartialMatch(*text, regex)) return std::nullopt;
    return text;
}

}  // namespace triage::detail
