// Shared by the subcommands that need a compiled flow: compile it, print any diagnostics to
// stderr, and stop with exit status 1 when it has errors.
#pragma once

#include "files.hpp"
#include "triage/compile.hpp"
#include "triage/json.hpp"
#include "triage/monitor.hpp"
#include "triage/stream.hpp"

#include <CLI/CLI.hpp>
#include "triage/value.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace triage::cli {

[[nodiscard]] std::optional<Flow> load_flow(const std::string& path, const std::string& color_mode);
// The files a compiled flow was read from (the flow and its includes), as inputs that no output
// may overwrite.
[[nodiscard]] std::vector<NamedPath> flow_inputs(const Flow& flow);

// Compiles a flow file, or standard input for '-' (named "<stdin>" in diagnostics; its includes
// are found from the current directory). Standard input that cannot be read is a diagnostic too.
// `options` default to compile_options().
[[nodiscard]] CompileResult compile_flow_file(const std::string& path);
[[nodiscard]] CompileResult compile_flow_file(const std::string& path, const CompileOptions& options);

// A fragment is a file without a `flow` header and without `start`: declarations (word lists,
// lets) that flows include. Alone it is only parsed; names and types are checked through the
// flows that include it. Whether `result`, one file compiled alone, is one.
[[nodiscard]] bool is_fragment(const CompileResult& result);
// What a fragment alone can be blamed for: reading and parsing it (T001-T004, T018, T060).
[[nodiscard]] bool fragment_own_problem(const Diagnostic& d);

// `--allow-empty` for check, fmt and test: whether finding no flow is allowed; false after
// "no flow found" on stderr (naming what was searched) when it is not.
[[nodiscard]] bool no_flow_allowed(const std::vector<std::string>& paths, bool allow_empty, std::string_view what);

// `--limit NAME=VALUE`, on every subcommand: the flow limits of triage/limits.hpp, the record
// limits of JsonOptions (line-length, fields, json-depth) and render-time; `--include-root DIR`
// (CompileOptions::include_roots); `--time-format FIELD=FORMAT` and `--time-zone ZONE`
// (CompileOptions::time_formats, time_zone). One process runs one subcommand, so the values live here.
void add_limit_option(CLI::App& command);
// A repeatable option that takes one value each time it is given (`--fields a=b --fields c=d`),
// so that it never takes the positional arguments after it.
CLI::Option* one_value_each(CLI::Option* option);
[[nodiscard]] CompileOptions compile_options();  // the default file reader, with the limits and roots
[[nodiscard]] JsonOptions json_options();          // the defaults, with the record limits
[[nodiscard]] std::chrono::seconds render_time_limit();  // how long Graphviz may take (render-time)

// How the commands that decide mentions (run, report, diff, explain) read them and date them:
// --now, --time-field and --fields, registered once for all of them; and for the commands that
// decide a whole stream (run, report, diff), --reorder.
struct StreamFlags {
    std::string now;
    std::string time_field;
    std::vector<std::string> renames;
    std::string reorder;  // a duration, as flows write them
};
void add_stream_flags(CLI::App& command, StreamFlags& flags);
void add_reorder_option(CLI::App& command, StreamFlags& flags);
// The StreamOptions those flags and --limit describe for `flow`; nullopt after a message on
// stderr (a usage error) when a flag does not fit the flow.
[[nodiscard]] std::optional<StreamOptions> stream_options(const Flow& flow, const StreamFlags& flags);

// `--state FILE`: restores `monitor` from what `triage run --state` saved. A file that does not
// exist is a fresh start when `missing_is_fresh`; anything else wrong is a message on stderr and false.
[[nodiscard]] bool restore_state(const std::string& path, Monitor& monitor, bool missing_is_fresh);

}  // namespace triage::cli
