#include "source_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace triage::detail {

namespace fs = std::filesystem;

fs::path file_identity(const fs::path& path) {
    // Absolute first: weakly_canonical leaves a relative path none of whose parts exist relative.
    std::error_code ec;
    const fs::path absolute = fs::absolute(path.empty() ? fs::path(".") : path, ec);
    if (ec) return path.lexically_normal();
    fs::path canonical = fs::weakly_canonical(absolute, ec);
    return (ec ? absolute : canonical).lexically_normal();
}

namespace {

// True when `path` is `root` or inside it, component by component (not by string prefix: /a/bc
// is not inside /a/b).
bool within(const fs::path& path, const fs::path& root) {
    auto p = path.begin();
    for (auto r = root.begin(); r != root.end(); ++r, ++p) {
        if (r->empty()) break;  // the empty last element of a root written with a trailing '/'
        if (p == path.end() || *p != *r) return false;
    }
    return true;
}

}  // namespace

SourceReader::SourceReader(const CompileOptions& options, const fs::path& main_path, std::uint64_t main_bytes)
    : options_(options),
      left_(options.limits.total_bytes - std::min(options.limits.total_bytes, main_bytes)) {
    roots_.push_back(file_identity(main_path.parent_path()));
    for (const fs::path& root : options.include_roots) roots_.push_back(file_identity(root));
}

fs::path SourceReader::resolve(std::string_view from, std::string_view written) {
    return fs::path(std::string(from)).parent_path() / std::string(written);
}

bool SourceReader::allowed(const fs::path& path) const {
    const fs::path id = file_identity(path);
    return std::any_of(roots_.begin(), roots_.end(), [&](const fs::path& root) { return within(id, root); });
}

std::optional<std::string> SourceReader::read(const fs::path& path, std::string_view what, Span where,
                                              std::vector<Diagnostic>& diagnostics) {
    const Limits& limits = options_.limits;
    if (!allowed(path)) {
        diagnostics.push_back(
            {Severity::error, Code::unreadable_file, where,
             fmt::format("cannot read {} '{}': it is outside the flow's directory '{}'", what, path.generic_string(),
                         roots_.front().generic_string()),
             {},
             "keep shared files inside the flow's directory tree, or allow another directory: --include-root DIR"});
        return std::nullopt;
    }
    const std::uint64_t max = std::min(limits.file_bytes, left_);
    FileRead read = options_.read_file(path, max);
    if (read.bytes && read.bytes->size() > max) {  // a reader that read past what it was allowed
        read.size = read.bytes->size();
        read.bytes.reset();
    }
    if (read.bytes) {
        left_ -= read.bytes->size();
        return std::move(read.bytes);
    }
    if (!read.error.empty()) {
        diagnostics.push_back({Severity::error, Code::unreadable_file, where,
                               fmt::format("cannot read {} '{}': {}", what, path.generic_string(), read.error), {}, {}});
    } else if (read.size > limits.file_bytes) {
        diagnostics.push_back({Severity::error, Code::limit_exceeded, where,
                               fmt::format("{} '{}' is {} bytes; the limit is {}", what, path.generic_string(),
                                           read.size, limits.file_bytes),
                               {},
                               "split it into smaller files, or raise the limit: --limit file-size=N"});
    } else {
        diagnostics.push_back(
            {Severity::error, Code::limit_exceeded, where,
             fmt::format("{} '{}' ({} bytes) would bring this flow's files past {} bytes together, the total-size limit",
                         what, path.generic_string(), read.size, limits.total_bytes),
             {},
             "include fewer or smaller files, or raise the limit: --limit total-size=N"});
    }
    return std::nullopt;
}

}  // namespace triage::detail
