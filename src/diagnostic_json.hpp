// Writes diagnostics into a JSON document that a caller is building (e.g. one per CLI run).
#pragma once

#include "json_writer.hpp"
#include "triage/diagnostic.hpp"

#include <span>

namespace triage {

// Appends one JSON object per diagnostic to the array the writer is in.
void append_json(JsonWriter& json, std::span<const Diagnostic> diagnostics, const SourceMap& sources);

}  // namespace triage
