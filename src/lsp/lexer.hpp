// The small lexer the editor features share (completion reads the text before the cursor with
// it; semantic tokens and folding ranges read the document): comments, strings, words, braces and
// arrows as they stand in the text, without a parse, so that it works on text with mistakes and
// on a line still being written.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace triage::lsp {

// A letter, digit, '_' or '.': what names, keywords, numbers and durations are made of.
[[nodiscard]] bool is_word_char(char c);

struct Lexeme {
    enum class Kind : std::uint8_t { newline, comment, string, word, open_brace, close_brace, arrow, other };
    Kind kind = Kind::other;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    bool closed = true;  // a string: it ends with its closing quote (not at a line's end, or the lexer's)
};

class Lexer {
public:
    // Lexes text[0, end): a lexeme that runs on past `end` (a word, a string, a comment being
    // typed at a cursor) is cut there. Blanks other than line ends are skipped.
    Lexer(std::string_view text, std::size_t end) : text_(text.substr(0, end)) {}
    explicit Lexer(std::string_view text) : text_(text) {}

    // The next lexeme; nullopt at the end.
    [[nodiscard]] std::optional<Lexeme> next();

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

}  // namespace triage::lsp
