// Source text in, a compiled flow or diagnostics out. Bad input never throws.
#pragma once

#include "triage/diagnostic.hpp"
#include "triage/flow.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"
#include "triage/symbols.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// What a file reader gives: the file's bytes, or why there are none.
struct FileRead {
    std::optional<std::string> bytes;
    std::string error;      // without bytes: the reason ("No such file or directory", "it is a directory")
    std::uint64_t size = 0; // without bytes and without error: the file is larger than the limit, this large
};

// The default reader: a regular file of the local file system, of at most `max_bytes` (a larger
// one is not read: `size` says how large it is).
[[nodiscard]] FileRead read_file_from_disk(const std::filesystem::path& path, std::uint64_t max_bytes);

// The semantic checks: dead branches and unreachable steps and outcomes found from what their
// conditions say (not only from the graph's shape), proved by the Z3 solver when triage is built
// with it (TRIAGE_WITH_Z3); docs/language.md, "What the checker proves".
enum class SemanticChecks : std::uint8_t {
    off,        // not done (the default: they cost a solver's time; `triage check` asks for them)
    available,  // done when triage is built with Z3, left out silently otherwise
    wanted,     // done; without Z3 a note (T070) says that they were not
};

// Whether this build of triage holds the solver behind the semantic checks.
[[nodiscard]] bool semantic_checks_built() noexcept;

struct CompileOptions {
    // Reads files named by `include` and `words ... = file`, resolved relative to the file that
    // names them, the file compile_file() is given, and the TZif file of each time zone the flow
    // or `time_zone` names (once per compilation): $TZDIR/NAME, or /usr/share/zoneinfo/NAME when
    // TZDIR is not set, for a NAME checked to be a tz name first. `max_bytes` is at most
    // limits.file_bytes: a reader need not read past it, and more bytes are refused (T060).
    // Default: read_file_from_disk.
    std::function<FileRead(const std::filesystem::path&, std::uint64_t max_bytes)> read_file;
    // Files the host holds in memory, e.g. an editor's unsaved buffers: asked first for each file
    // a flow names (includes, word list files), with the same limit; nullopt: not one of them,
    // read it as usual. Unlike a read_file of the host's own, this leaves the reading of every
    // other file to read_file_from_disk, which opens the very path it checked (no symbolic link
    // swapped in between is followed).
    std::function<std::optional<FileRead>(const std::filesystem::path&, std::uint64_t max_bytes)> open_files;
    // Includes and word list files must be inside the directory tree of the top-level flow (the
    // directory of the path given to compile(); the current directory for a bare name), or of one
    // of these, after symbolic links are resolved; any other is error T018 and is not read.
    // Add "/" to allow any file.
    std::vector<std::filesystem::path> include_roots;
    // Time formats that replace the flow's own, by field name (`--time-format FIELD=FORMAT`); a
    // name that is not a time field of the flow is error T049, reported at the top of the flow.
    std::map<std::string, std::string, std::less<>> time_formats;
    // The zone of every time field whose format has no offset, over the flow's (`--time-zone`).
    std::string time_zone;
    Limits limits;
    SemanticChecks semantic_checks = SemanticChecks::off;
};

struct CompileResult {
    std::optional<Flow> flow;              // present when there are no errors
    std::vector<Diagnostic> diagnostics;   // errors and warnings, in source order per file
    std::shared_ptr<const SourceMap> sources;
    // Never null: the names declared and used, from the declarations that parsed, with or
    // without errors (empty when no file could be read). Spans point into `sources`.
    std::shared_ptr<const SymbolIndex> symbols = std::make_shared<const SymbolIndex>();

    [[nodiscard]] bool ok() const { return flow.has_value(); }
};

// Compiles `source` as if it were the file `path` (used in messages and to resolve includes).
[[nodiscard]] CompileResult compile(std::string_view source, std::string path = "<input>",
                                    const CompileOptions& options = {});
// Reads and compiles a file; an unreadable file is a diagnostic, not an exception.
[[nodiscard]] CompileResult compile_file(const std::filesystem::path& path,
                                         const CompileOptions& options = {});

}  // namespace triage
