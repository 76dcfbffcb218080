// Source files and positions: every diagnostic and every compiled node points back here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

using FileId = std::uint32_t;

// Byte range [begin, end) in one source file.
struct Span {
    FileId file = 0;
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
};

// 1-based line and column; the column counts Unicode code points, so a caret under UTF-8 text
// lands where a reader expects it.
struct Location {
    std::uint32_t line = 1;
    std::uint32_t column = 1;
};

// The files of one compilation (the main flow, its includes and word-list files). File texts
// never move once added, so string_views into them stay valid for the SourceMap's lifetime.
class SourceMap {
public:
    FileId add(std::string path, std::string text);

    [[nodiscard]] std::size_t size() const { return files_.size(); }
    [[nodiscard]] std::string_view path(FileId file) const { return files_.at(file)->path; }
    [[nodiscard]] std::string_view text(FileId file) const { return files_.at(file)->text; }
    [[nodiscard]] std::string_view text(Span span) const;

    [[nodiscard]] Location location(FileId file, std::uint32_t offset) const;
    [[nodiscard]] Location begin(Span span) const { return location(span.file, span.begin); }
    [[nodiscard]] Location end(Span span) const { return location(span.file, span.end); }
    // The text of a 1-based line, without its line terminator.
    [[nodiscard]] std::string_view line(FileId file, std::uint32_t line) const;

private:
    struct File {
        std::string path;
        std::string text;
        std::vector<std::uint32_t> line_starts;
    };
    std::vector<std::unique_ptr<File>> files_;
};

}  // namespace triage
