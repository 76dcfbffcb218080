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

}  // namespace triage
