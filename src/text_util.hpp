// Small helpers shared by the stages: overload sets for visitors, whitespace folding, escaping.
#pragma once

#include <string>
#include <string_view>

namespace triage {

// overloaded{[](A){...}, [](B){...}}: one visitor from several lambdas.
template <typename... Fs>
struct overloaded : Fs... {
    using Fs::operator()...;
};
template <typename... Fs>
overloaded(Fs...) -> overloaded<Fs...>;

// Runs of blanks and line breaks become one space; none at either end.
inline std::string collapse_whitespace(std::string_view s) {
    std::string out;
    bool blank = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            blank = true;
            continue;
        }
        if (blank && !out.empty()) out += ' ';
        blank = false;
        out += c;
    }
    return out;
}

// Text from a flow file or a record as a terminal may show it: control characters (C0 but tab, DEL, C1 —
// the escape sequences of a hostile file) become U+FFFD, one code point for one, so that columns
// still line up.
inline std::string printable(std::string_view text, bool keep_newlines = false) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                        static_cast<unsigned char>(text[i + 1]) <= 0x9F;
        if ((c < 0x20 && c != '\t' && !(keep_newlines && c == '\n')) || c == 0x7F || c1) {
            out += "\xEF\xBF\xBD";
            if (c1) ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

}  // namespace triage
