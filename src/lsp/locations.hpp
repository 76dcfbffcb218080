// Spans of a compilation as LSP locations: a file's URI and UTF-16 ranges, each file's lines
// indexed once, when first asked for.
#pragma once

#include "lsp/positions.hpp"
#include "triage/json_writer.hpp"
#include "triage/source.hpp"

#include <map>
#include <string>

namespace triage::lsp {

class Locator {
public:
    // File 0 is the document `main_uri` names (written back as the client spelled it).
    Locator(const SourceMap& sources, std::string main_uri) : sources_(sources), main_uri_(std::move(main_uri)) {}

    [[nodiscard]] std::string uri(FileId file) const;
    [[nodiscard]] Position position(FileId file, std::uint32_t offset) { return lines(file).position(offset); }
    [[nodiscard]] std::uint32_t offset(FileId file, Position position) { return lines(file).offset(position); }

    // {"start": {"line", "character"}, "end": ...}
    void write_range(JsonWriter& json, Span span);
    // {"uri", "range"}
    void write_location(JsonWriter& json, Span span);
    // An LSP TextEdit {"range", "newText"}.
    void write_edit(JsonWriter& json, Span span, std::string_view text);

private:
    const LineIndex& lines(FileId file);

    const SourceMap& sources_;
    std::string main_uri_;
    std::map<FileId, LineIndex> lines_;
};

void write_position(JsonWriter& json, Position position);

}  // namespace triage::lsp
