// Decisions as text, exactly as the triage CLI writes them: the JSON line of `triage run` (one
// object per mention, or an error record for a line that is no mention) and the explanation in
// words of `triage explain`. Hosts that want run's output without running it use these.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"
#include "triage/json.hpp"
#include "triage/json_writer.hpp"
#include "triage/text.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace triage {

// Decisions as JSON: {"line", "id", "outcome", "title", "actions", "tags", "priority", "path",
// "crisis", "crisis_left", "late", "missing"} ("crisis…" and "late" only when there is something to say). Everything the flow fixes (names, titles, action details, path entries) is
// serialised once, here, so that writing a decision is mostly copying.
class DecisionJson {
public:
    explicit DecisionJson(const Flow& flow);
    // Appends one decision; `id_json` is the mention's id as JSON text (omitted when empty).
    void append(std::string& out, const Decision& decision, std::uint64_t line, std::string_view id_json) const;

private:
    void append_crises(std::string& out, const Decision& decision) const;

    Flow flow_;
    std::vector<std::string> outcome_;                    // per outcome: ,"outcome":…,"title":…,"actions":[
    std::vector<std::vector<std::string>> actions_;       // per outcome and action: {…} without a deadline
    std::vector<std::vector<std::string>> tags_;          // per outcome and action: its labels, comma-separated
    std::vector<std::string> fell_through_;               // per step: ,"outcome":null,"fell_through":…,"actions":[
    std::vector<std::vector<std::string>> path_;          // per step and branch (last: else/none): {…}
    std::vector<std::string> fields_;                     // per field: its name as a JSON string
    std::vector<std::string> crises_;                     // per crisis: its name as a JSON string
    std::vector<std::string> crisis_entered_;             // per crisis: ,"entered":true,"when":… after "since"
    std::vector<std::string> step_names_, outcome_names_; // as JSON strings, for rerouted paths
    std::vector<std::string> match_keys_;                 // per condition: its key in "matched" (JSON)
};
// {"line", "error"} for a line that is no mention (the error record of `triage run`).
void write_error_json(JsonWriter& json, std::uint64_t line, std::string_view message);

// A leaf of a crisis's condition that fired, as the flow writes it, with a window's value before
// its comparison: `count(text has any outage) over 15m = 23 > 20`; "no longer: ..." for a leaf
// of `when` that no longer held.
[[nodiscard]] std::string describe(const Flow& flow, const FiredCondition& fired);

// The path in words: each question, the conditions tried with the values they read, the
// outcome and its actions.
[[nodiscard]] std::string explain_text(const Flow& flow, const Decision& decision, const Trace& trace);

}  // namespace triage
