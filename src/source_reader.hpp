// Reads the files a flow names (`include "x.flow"`, `words w = file "x.txt"`) for the loader and
// the checker, within what CompileOptions allows: each file at most limits.file_bytes, all of a
// flow's files together at most limits.total_bytes (each read is bounded by what is left, so a
// file past it is refused before it is read), and only files inside the top-level flow's
// directory tree or one of options.include_roots, after symbolic links are resolved — both
// before the file is opened and, for files read from disk, the file that was opened.
#pragma once

#include "triage/compile.hpp"
#include "triage/diagnostic.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::detail {

class SourceReader {
public:
    // `main_path` is the top-level flow's path as given to compile(); `main_bytes` its size.
    SourceReader(const CompileOptions& options, const std::filesystem::path& main_path, std::uint64_t main_bytes);

    // Where `written` (a path as written in the file at `from`) names: relative paths resolve
    // against the directory of `from`.
    [[nodiscard]] static std::filesystem::path resolve(std::string_view from, std::string_view written);

    // The bytes of `path`, or nothing with T018 (unreadable, outside the allowed directories) or
    // T060 (too large) reported at `where`. `what` names the file in messages ("included file").
    std::optional<std::string> read(const std::filesystem::path& path, std::string_view what, Span where,
                                    std::vector<Diagnostic>& diagnostics);

private:
    // The path with its links resolved when it is inside an allowed directory, else nothing.
    [[nodiscard]] std::optional<std::filesystem::path> allowed(const std::filesystem::path& path) const;
    // read_file_from_disk of `checked`, what allowed() made of `path`, following no link (see the .cpp).
    [[nodiscard]] FileRead read_within(const std::filesystem::path& path, const std::filesystem::path& checked,
                                       std::uint64_t max) const;

    const CompileOptions& options_;
    std::vector<std::filesystem::path> roots_;  // canonical
    std::uint64_t left_;                        // of limits.total_bytes
    bool from_disk_ = false;                    // options.read_file is read_file_from_disk
};

// Reads the regular file open as `fd` (and closes it), as read_file_from_disk does once it has
// opened its path: at most `max_bytes`, a larger file not read (FileRead::size says how large).
[[nodiscard]] FileRead read_open_file(int fd, std::uint64_t max_bytes);

// The path that identifies a file: symbolic links and `..` resolved where the file exists.
[[nodiscard]] std::filesystem::path file_identity(const std::filesystem::path& path);

}  // namespace triage::detail
