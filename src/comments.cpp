#include "comments.hpp"

#include <cctype>

namespace triage {

// Comments are what the grammar skips: '#' to the end of the line, outside strings and regexes.
std::vector<Comment> find_comments(std::string_view s) {
    std::vector<Comment> out;
    bool after_matches = false;  // a '/' after `matches` opens a regular expression
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"' || (c == '/' && after_matches)) {
            char close = c;
            for (++i; i < s.size() && s[i] != close && s[i] != '\n'; ++i)
                if (s[i] == '\\') ++i;
            after_matches = false;
        } else if (c == '#') {
            std::size_t end = s.find('\n', i);
            if (end == std::string_view::npos) end = s.size();
            std::string_view text = s.substr(i, end - i);
            while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
            out.push_back({static_cast<std::uint32_t>(i), std::string(text)});
            i = end;
        } else if (std::isalpha(static_cast<unsigned char>(c))) {
            std::size_t end = i;
            while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) ++end;
            after_matches = s.substr(i, end - i) == "matches";
            i = end - 1;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            after_matches = false;
        }
    }
    return out;
}


}  // namespace triage
