#include "lsp/lexer.hpp"

#include <algorithm>
#include <cctype>

namespace triage::lsp {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

std::optional<Lexeme> Lexer::next() {
    while (at_ < text_.size() && text_[at_] != '\n' && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
    if (at_ >= text_.size()) return std::nullopt;
    const std::size_t begin = at_;
    const char c = text_[begin];
    std::size_t end = begin + 1;
    Lexeme::Kind kind = Lexeme::Kind::other;
    bool closed = true;
    if (c == '\n') {
        kind = Lexeme::Kind::newline;
    } else if (c == '#') {
        kind = Lexeme::Kind::comment;
        end = std::min(text_.find('\n', begin), text_.size());
    } else if (c == '"') {
        kind = Lexeme::Kind::string;
        while (end < text_.size() && text_[end] != '"' && text_[end] != '\n') end += text_[end] == '\\' ? 2 : 1;
        closed = end < text_.size() && text_[end] == '"';
        end = std::min(end + (closed ? 1 : 0), text_.size());  // an escape at the end may step past it
    } else if (is_word_char(c)) {
        kind = Lexeme::Kind::word;
        while (end < text_.size() && is_word_char(text_[end])) ++end;
    } else if (c == '{') {
        kind = Lexeme::Kind::open_brace;
    } else if (c == '}') {
        kind = Lexeme::Kind::close_brace;
    } else if (c == '-' && end < text_.size() && text_[end] == '>') {
        kind = Lexeme::Kind::arrow;
        ++end;
    }
    at_ = end;
    return Lexeme{kind, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), closed};
}

}  // namespace triage::lsp
