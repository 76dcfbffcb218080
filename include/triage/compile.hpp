// Source text in, a compiled flow or diagnostics out. Bad input never throws.
#pragma once

#include "triage/diagnostic.hpp"
#include "triage/flow.hpp"
#include "triage/limits.hpp"
#include "triage/source.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

struct CompileOptions {
    // Reads files named by `include` and `words ... = file`, resolved relative to the file that
    // names them. Returns nullopt when the file cannot be read. Default: the local file system.
    std::function<std::optional<std::string>(const std::filesystem::path&)> read_file;
    Limits limits;
};

struct CompileResult {
    std::optional<Flow> flow;              // present when there are no errors
    std::vector<Diagnostic> diagnostics;   // errors and warnings, in source order per file
    std::shared_ptr<const SourceMap> sources;

    [[nodiscard]] bool ok() const { return flow.has_value(); }
};

// Compiles `source` as if it were the file `path` (used in messages and to resolve includes).
[[nodiscard]] CompileResult compile(std::string_view source, std::string path = "<input>",
                                    const CompileOptions& options = {});
// Reads and compiles a file; an unreadable file is a diagnostic, not an exception.
[[nodiscard]] CompileResult compile_file(const std::filesystem::path& path,
                                         const CompileOptions& options = {});

}  // namespace triage
