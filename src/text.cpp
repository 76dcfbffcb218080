// Escaping text for the languages triage writes: flow string literals, HTML and XML, and text a
// terminal shows.
#include "triage/text.hpp"

#include "text_util.hpp"

namespace triage {

std::string escaped(std::string_view text, const EscapeTable& table) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const std::string_view replacement = table[static_cast<unsigned char>(c)];
        if (replacement.empty()) out += c;
        else out += replacement;
    }
    return out;
}

std::string string_literal(std::string_view text) {
    static const EscapeTable table = [] {
        EscapeTable t{};
        t['"'] = "\\\"", t['\\'] = "\\\\", t['\n'] = "\\n", t['\t'] = "\\t";
        return t;
    }();
    return '"' + escaped(text, table) + '"';
}

std::string markup_escape(std::string_view text) {
    static const EscapeTable table = [] {
        EscapeTable t{};
        for (unsigned char c = 0; c < 0x20; ++c) t[c] = " ";
        t['\t'] = t['\n'] = {};
        t['&'] = "&amp;", t['<'] = "&lt;", t['>'] = "&gt;", t['"'] = "&quot;", t['\''] = "&apos;";
        return t;
    }();
    return escaped(text, table);
}

std::string terminal_text(std::string_view text) { return printable(text); }

}  // namespace triage
