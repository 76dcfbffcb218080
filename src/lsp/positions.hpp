// Positions as LSP counts them: 0-based lines, and characters in UTF-16 code units (an emoji
// is two), against the compiler's byte offsets into UTF-8 text.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace triage::lsp {

struct Position {
    std::uint32_t line = 0;
    std::uint32_t character = 0;  // UTF-16 code units from the start of the line
    friend bool operator==(Position, Position) = default;
};

// The lines of one text, for converting both ways. Lines end at '\n' (a '\r' before it is the
// line's last character, as the flow compiler reads it). Views `text`: keep it alive.
class LineIndex {
public:
    explicit LineIndex(std::string_view text);

    // The position of a byte offset (past the end: the end; inside a UTF-8 sequence: its start).
    [[nodiscard]] Position position(std::uint32_t offset) const;
    // The byte offset of a position, clamped to the text: past a line's end is its end (before
    // its '\n'), past the last line is the end of the text, and a position between the two
    // halves of a surrogate pair is the start of that character.
    [[nodiscard]] std::uint32_t offset(Position position) const;

private:
    std::string_view text_;
    std::vector<std::uint32_t> line_starts_;
};

}  // namespace triage::lsp
