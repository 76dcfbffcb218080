// Shared by the subcommands that need a compiled flow: compile it, print any diagnostics to
// stderr, and stop with exit status 1 when it has errors.
#pragma once

#include "triage/compile.hpp"
#include "triage/json.hpp"

#include <CLI/CLI.hpp>
#include "triage/value.hpp"

#include <optional>
#include <string>

namespace triage::cli {

[[nodiscard]] std::optional<Flow> load_flow(const std::string& path, const std::string& color_mode);

// `--limit NAME=VALUE`, on every subcommand: the flow limits of triage/limits.hpp and the record
// limits of JsonOptions (line-length, fields, json-depth). One process runs one subcommand, so
// the values live here.
void add_limit_option(CLI::App& command);
[[nodiscard]] CompileOptions compile_options();  // the default file reader, with the limits
[[nodiscard]] JsonOptions json_options();          // the defaults, with the record limits

// The reference time for deadlines: the --now option when given (nullopt, after a message on
// stderr, when it is not a date-time), else the current time.
[[nodiscard]] std::optional<TimePoint> reference_time(const std::string& now_option);

}  // namespace triage::cli
