// Decisions as the CLI prints them: one JSON object per mention, or an explanation in words.
#pragma once

#include "json_writer.hpp"
#include "triage/decision.hpp"
#include "triage/flow.hpp"
#include "triage/json.hpp"

#include <string>
#include <string_view>

namespace triage {

// {"line", "id", "outcome", "title", "actions", "tags", "priority", "path", "missing"}.
// `id_json` is the mention's id as JSON text (omitted when empty).
void write_decision_json(JsonWriter& json, const Flow& flow, const Decision& decision, std::uint64_t line,
                         std::string_view id_json);
// {"line", "id"?, "error"} for a record that could not be read.
void write_error_json(JsonWriter& json, std::uint64_t line, std::string_view message);

// The path in words: each question, the conditions tried with the values they read, the
// outcome and its actions.
[[nodiscard]] std::string explain_text(const Flow& flow, const Decision& decision, const Trace& trace);

}  // namespace triage
