#include "source_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

#ifdef O_PATH
constexpr int directory_flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;  // search permission is enough
#else
constexpr int directory_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif

// Opens `canonical` (absolute, every symbolic link on it resolved when it was checked) one
// component at a time, following no link: a link or directory swapped in since the check makes
// it fail instead of leading elsewhere. The descriptor, or -errno.
int open_without_links(const fs::path& canonical) {
    std::vector<std::string> parts;
    for (const fs::path& part : canonical.relative_path())
        if (!part.empty()) parts.push_back(part.string());
    if (parts.empty()) return -EISDIR;
    int directory = ::open("/", directory_flags);
    if (directory < 0) return -errno;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const int next = ::openat(directory, parts[i].c_str(), directory_flags);
        const int error = errno;
        ::close(directory);
        if (next < 0) return -error;
        directory = next;
    }
    // O_NONBLOCK: a FIFO named by a hostile include must not block the compiler at open().
    const int fd = ::openat(directory, parts.back().c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    const int error = errno;
    ::close(directory);
    return fd < 0 ? -error : fd;
}

using DiskReader = FileRead (*)(const fs::path&, std::uint64_t);

}  // namespace

FileRead read_open_file(int fd, std::uint64_t max_bytes) {
    FileRead result;
    struct stat s {};
    if (::fstat(fd, &s) != 0 || !S_ISREG(s.st_mode)) {
        result.error = S_ISDIR(s.st_mode) ? "it is a directory" : "it is not a regular file";
        ::close(fd);
        return result;
    }
    if (static_cast<std::uint64_t>(s.st_size) > max_bytes) {  // refused before reading a byte
        result.size = static_cast<std::uint64_t>(s.st_size);
        ::close(fd);
        return result;
    }
    std::string bytes(static_cast<std::size_t>(s.st_size), '\0');
    std::size_t got = 0;
    for (;;) {  // a file may grow, or (in /proc) say 0 and hold more: read to its end, within the limit
        if (got == bytes.size()) bytes.resize(std::min<std::uint64_t>(max_bytes + 1, std::max<std::uint64_t>(got * 2, 4096)));
        if (got == bytes.size()) break;
        const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            result.error = std::strerror(errno);
            ::close(fd);
            return result;
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got > max_bytes) {
        result.size = got;
        return result;
    }
    bytes.resize(got);
    result.bytes = std::move(bytes);
    return result;
}

SourceReader::SourceReader(const CompileOptions& options, const fs::path& main_path, std::uint64_t main_bytes)
    : options_(options),
      left_(options.limits.total_bytes - std::min(options.limits.total_bytes, main_bytes)) {
    const DiskReader* reader = options.read_file.target<DiskReader>();
    from_disk_ = !options.read_file || (reader != nullptr && *reader == &read_file_from_disk);
    roots_.push_back(file_identity(main_path.parent_path()));
    for (const fs::path& root : options.include_roots) roots_.push_back(file_identity(root));
}

fs::path SourceReader::resolve(std::string_view from, std::string_view written) {
    return fs::path(std::string(from)).parent_path() / std::string(written);
}

std::optional<fs::path> SourceReader::allowed(const fs::path& path) const {
    fs::path id = file_identity(path);
    if (std::any_of(roots_.begin(), roots_.end(), [&](const fs::path& root) { return within(id, root); })) return id;
    return std::nullopt;
}

// allowed() looked at the path before it was opened; a directory or link on it swapped in the
// meantime (by whoever else can write there) could lead an open by name elsewhere. So the path
// allowed() checked, with its links resolved, is opened without following any.
FileRead SourceReader::read_within(const fs::path& path, const fs::path& checked, std::uint64_t max) const {
    const int fd = open_without_links(checked);
    if (fd >= 0) return read_open_file(fd, max);
    FileRead failed;
    const bool swapped = (-fd == ELOOP || -fd == ENOTDIR) && file_identity(path) != checked;
    failed.error = swapped || -fd == ELOOP ? "it changed while being opened (a link or directory on its path was swapped)"
                                           : std::strerror(-fd);
    return failed;
}

std::optional<std::string> SourceReader::read(const fs::path& path, std::string_view what, Span where,
                                              std::vector<Diagnostic>& diagnostics) {
    const Limits& limits = options_.limits;
    const std::optional<fs::path> checked = allowed(path);
    if (!checked) {
        diagnostics.push_back(
            {Severity::error, Code::unreadable_file, where,
             fmt::format("cannot read {} '{}': it is outside the flow's directory '{}'", what, path.generic_string(),
                         roots_.front().generic_string()),
             {},
             "keep shared files inside the flow's directory tree, or allow another directory: --include-root DIR"});
        return std::nullopt;
    }
    const std::uint64_t max = std::min(limits.file_bytes, left_);
    std::optional<FileRead> open = options_.open_files ? options_.open_files(path, max) : std::nullopt;
    FileRead read = open ? std::move(*open) : from_disk_ ? read_within(path, *checked, max) : options_.read_file(path, max);
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
