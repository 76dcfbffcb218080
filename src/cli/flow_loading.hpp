// Shared by the subcommands that need a compiled flow: compile it, print any diagnostics to
// stderr, and stop with exit status 1 when it has errors.
#pragma once

#include "triage/compile.hpp"

#include <optional>
#include <string>

namespace triage::cli {

[[nodiscard]] std::optional<Flow> load_flow(const std::string& path, const std::string& color_mode);

}  // namespace triage::cli
