#include "lsp/positions.hpp"

#include <algorithm>

namespace triage::lsp {

namespace {

// The UTF-16 code units of the character a UTF-8 byte starts: 2 beyond the Basic Multilingual
// Plane (4-byte sequences), 0 for a continuation byte, 1 otherwise (a stray byte shows as one
// replacement character).
std::uint32_t utf16_units(unsigned char byte) {
    if ((byte & 0xC0) == 0x80) return 0;
    return (byte & 0xF8) == 0xF0 ? 2 : 1;
}

bool continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

LineIndex::LineIndex(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
}

Position LineIndex::position(std::uint32_t offset) const {
    offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
    while (offset > 0 && offset < text_.size() && continuation(static_cast<unsigned char>(text_[offset]))) --offset;
    auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const auto line = static_cast<std::uint32_t>(after - line_starts_.begin() - 1);
    std::uint32_t character = 0;
    for (std::uint32_t i = line_starts_[line]; i < offset; ++i)
        character += utf16_units(static_cast<unsigned char>(text_[i]));
    return {line, character};
}

std::uint32_t LineIndex::offset(Position position) const {
    if (position.line >= line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
    std::uint32_t i = line_starts_[position.line];
    const std::uint32_t end = position.line + 1 < line_starts_.size() ? line_starts_[position.line + 1] - 1
                                                                       : static_cast<std::uint32_t>(text_.size());
    std::uint32_t character = 0;
    while (i < end) {
        const std::uint32_t units = utf16_units(static_cast<unsigned char>(text_[i]));
        if (character + units > position.character) break;
        character += units;
        ++i;
        while (i < end && continuation(static_cast<unsigned char>(text_[i]))) ++i;
    }
    return i;
}

}  // namespace triage::lsp
