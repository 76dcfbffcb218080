// HTML and XML output (the report page, JUnit): escaping text for content and attributes.
#pragma once

#include <string>
#include <string_view>

namespace triage::cli {

// Text for HTML and XML content and attribute values.
inline std::string markup_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
            else out += c;
        }
    }
    return out;
}

}  // namespace triage::cli
