#include "triage/diagnostic_docs.hpp"

#include <cctype>

namespace triage {

namespace detail {
extern const std::string_view diagnostics_markdown;  // generated from docs/diagnostics.md
}

std::string_view diagnostics_markdown() { return detail::diagnostics_markdown; }

// TRIAGE_DOCS_URL comes from CMake (the cache variable of that name); empty unless the build
// names a published docs folder.
std::string_view default_sarif_help_base() {
    constexpr std::string_view docs = TRIAGE_DOCS_URL;
    return docs.empty() ? std::string_view() : std::string_view(TRIAGE_DOCS_URL "/diagnostics.md");
}

std::string markdown_anchor(std::string_view heading) {
    std::string anchor;
    for (char c : heading) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) continue;  // GitHub keeps letters beyond ASCII; the codes' titles have none
        if (std::isalnum(byte) || c == '-' || c == '_') anchor += static_cast<char>(std::tolower(byte));
        else if (c == ' ') anchor += '-';
    }
    return anchor;
}

namespace {

// A heading of level 1 or 2 ("# ..." or "## ..."): where a code's section ends.
bool is_section_heading(std::string_view line) {
    return line.starts_with("# ") || line.starts_with("## ");
}

}  // namespace

CodeDocumentation code_documentation(Code code) {
    const std::string_view text = detail::diagnostics_markdown;
    const std::string heading = "## " + code_name(code) + " ";
    std::size_t begin = std::string_view::npos, end = text.size();
    bool in_code = false;  // inside a ``` block, where '#' starts a flow comment, not a heading
    for (std::size_t line_start = 0; line_start < text.size();) {
        std::size_t line_end = text.find('\n', line_start);
        if (line_end == std::string_view::npos) line_end = text.size();
        const std::string_view line = text.substr(line_start, line_end - line_start);
        if (line.starts_with("```")) in_code = !in_code;
        else if (!in_code && begin == std::string_view::npos && line.starts_with(heading)) begin = line_start;
        else if (!in_code && begin != std::string_view::npos && is_section_heading(line)) {
            end = line_start;
            break;
        }
        line_start = line_end + 1;
    }
    if (begin == std::string_view::npos) return {};
    CodeDocumentation doc;
    doc.markdown = text.substr(begin, end - begin);
    const std::size_t heading_end = doc.markdown.find('\n');
    doc.anchor = markdown_anchor(doc.markdown.substr(3, heading_end - 3));
    const std::size_t first = doc.markdown.find_first_not_of('\n', heading_end);
    if (first != std::string_view::npos) {
        std::size_t last = doc.markdown.find("\n\n", first);
        if (last == std::string_view::npos) last = doc.markdown.size();
        doc.summary = doc.markdown.substr(first, last - first);
        while (!doc.summary.empty() && doc.summary.back() == '\n') doc.summary.remove_suffix(1);
    }
    return doc;
}

}  // namespace triage
