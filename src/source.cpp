#include "triage/source.hpp"

#include <algorithm>

namespace triage {

FileId SourceMap::add(std::string path, std::string text) {
    auto file = std::make_unique<File>();
    file->path = std::move(path);
    file->text = std::move(text);
    file->line_starts.push_back(0);
    for (std::uint32_t i = 0; i < file->text.size(); ++i)
        if (file->text[i] == '\n') file->line_starts.push_back(i + 1);
    files_.push_back(std::move(file));
    return static_cast<FileId>(files_.size() - 1);
}

std::string_view SourceMap::text(Span span) const {
    std::string_view all = text(span.file);
    if (span.begin > all.size()) return {};
    return all.substr(span.begin, std::min<std::size_t>(span.end, all.size()) - span.begin);
}

Location SourceMap::location(FileId file, std::uint32_t offset) const {
    const File& f = *files_.at(file);
    offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(f.text.size()));
    auto after = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
    auto line = static_cast<std::uint32_t>(after - f.line_starts.begin());
    std::uint32_t column = 1;
    for (std::uint32_t i = f.line_starts[line - 1]; i < offset; ++i)
        if ((static_cast<unsigned char>(f.text[i]) & 0xC0) != 0x80) ++column;  // skip continuation bytes
    return {line, column};
}

std::string_view SourceMap::line(FileId file, std::uint32_t line) const {
    const File& f = *files_.at(file);
    if (line == 0 || line > f.line_starts.size()) return {};
    std::uint32_t begin = f.line_starts[line - 1];
    std::uint32_t end = line < f.line_starts.size() ? f.line_starts[line] - 1
                                                    : static_cast<std::uint32_t>(f.text.size());
    std::string_view text(f.text.data() + begin, end - begin);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
}

}  // namespace triage
