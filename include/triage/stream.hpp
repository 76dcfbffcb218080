// Deciding a stream of mentions: what most hosts want. A Stream owns everything one stream needs
// — the JSON reader, the evaluator, and for a flow with windows or crisis modes the Monitor that
// remembers them — and applies one policy for the reference time of deadlines, so that every
// caller (triage run, report, diff, explain, a host) decides the same line the same way.
//
//     triage::Stream stream(flow, options);
//     triage::Decision decision;
//     for (each JSON line)
//         if (stream.decide(line, decision)) use(decision); else log(stream.error());
//
// A Stream is used by one thread at a time. run_stream() decides a whole input on several
// threads (in input order, one output line per input line), as `triage run` does.
#pragma once

#include "triage/decision.hpp"
#include "triage/error_tally.hpp"
#include "triage/evaluator.hpp"
#include "triage/flow.hpp"
#include "triage/json.hpp"
#include "triage/limits.hpp"
#include "triage/line_reader.hpp"
#include "triage/monitor.hpp"
#include "triage/render.hpp"
#include "triage/value.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace triage {

struct StreamOptions {
    JsonOptions json;  // how lines are read: renames, the id key, the record limits
    Limits limits;     // the Monitor's bounds (groups)
    // The reference time for deadlines: a mention's own time in `time_field` when it has one,
    // else `now`. `time_field` defaults to the flow's clock field (none when the flow has no clock);
    // `now` defaults to the system clock when the Stream is made.
    std::optional<std::uint32_t> time_field;
    std::optional<TimePoint> now;
    // Mentions dated more than this past `now` (past the system clock when `now` is not given)
    // are decided but not counted in windows (Monitor::set_latest): time zones written wrongly,
    // clocks off, one scraped date in 2099 must not stall every window. nullopt: no bound (for
    // replaying history whose dates are unrelated to `now`, as flow tests do).
    std::optional<std::chrono::seconds> future_margin{std::chrono::hours(24)};
    // Record in each decision the text conditions that held and what matched them
    // (Decision::matched; `"matched"` in the decision JSON; `triage run --matches`).
    bool matches = false;
};

class Stream {
public:
    explicit Stream(Flow flow, StreamOptions options = {});
    ~Stream();
    Stream(Stream&&) noexcept;
    Stream& operator=(Stream&&) noexcept;

    [[nodiscard]] const Flow& flow() const noexcept;
    [[nodiscard]] const StreamOptions& options() const noexcept;
    // The windows and crisis modes of this stream (snapshot, restore, set_crisis); null for a flow
    // that keeps no state.
    [[nodiscard]] Monitor* monitor() noexcept;
    [[nodiscard]] const Monitor* monitor() const noexcept;

    // Reads one JSON line and decides it: a flow that keeps state counts the mention first, then
    // decides it in that situation. False when the line is no mention (blank, past the limits,
    // invalid JSON, a value of the wrong type): error() says why, and nothing was counted.
    bool decide(std::string_view line, Decision& decision);
    // The same, also recording each condition with the values it compared.
    bool explain(std::string_view line, Decision& decision, Trace& trace);
    // A line as LineReader gives it (text followed by JsonRecordReader::padding bytes, or an
    // overlong line that was not kept), parsed in place.
    bool decide(const LineReader::Line& line, Decision& decision);

    // The reference time this line's mention would be decided with (its time field, else `now`),
    // without deciding or counting it; nullopt, with error(), when the line is no mention. For a
    // host that sets a crisis mode "since this mention" before deciding it.
    [[nodiscard]] std::optional<TimePoint> reference_for(std::string_view line);

    // A mention the host already holds (a bound struct, a Record), counted and decided as a line
    // would be, with the same reference time.
    void decide(const RecordView& record, Decision& decision);
    void explain(const RecordView& record, Decision& decision, Trace& trace);

    // Why the last line was not decided.
    [[nodiscard]] const std::string& error() const noexcept;
    // The last line read: its id as JSON text (empty when it has none) and its field values
    // (not changed by deciding a RecordView).
    [[nodiscard]] std::string_view id() const noexcept;
    [[nodiscard]] FieldValue value(std::uint32_t slot) const noexcept;
    // The reference time the last decided mention was given.
    [[nodiscard]] TimePoint reference() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// What run_stream did: the counts `triage run` prints and writes with --traffic.
struct StreamSummary {
    Traffic traffic;               // decisions per step, branch and outcome
    std::uint64_t errors = 0;      // lines that were no mention (error records)
    ErrorTally error_reasons;      // those lines, grouped by reason
    std::uint64_t lines = 0;       // lines read
    std::uint64_t bytes = 0;       // bytes read
    std::uint64_t strict_line = 0; // with `strict`: the line it stopped before (0 = did not stop)
    std::string strict_error;      // and why that line was no mention
    int read_error = 0;            // errno of a failed read, or 0
    bool sink_failed = false;      // the sink refused output: the run stopped there
};

struct RunStreamOptions {
    unsigned jobs = 1;                        // threads; a flow that keeps state is decided on one
    std::size_t chunk_size = std::size_t{1} << 20;  // bytes read and decided as one unit of work
    bool strict = false;                      // stop before the first line that is no mention
    // Takes the output, in input order: for each input line one line of JSON, each ending in
    // '\n' — a decision as DecisionJson writes it, or write_error_json's {"line", "error"}
    // (decision_format.hpp). False stops the run.
    std::function<bool(std::string_view lines)> sink;
    // Called from the calling thread after each chunk is written (lines and bytes read so far).
    std::function<void(std::uint64_t lines, std::uint64_t bytes)> progress;
};

// Decides every line of `input` with `stream` (and, for a flow that keeps no state and jobs > 1,
// with as many copies of it as there are jobs), writing one output line per input line in input
// order. Memory stays bounded: a ring of 2 × jobs + 2 chunks.
StreamSummary run_stream(Stream& stream, ByteSource input, const RunStreamOptions& options);

}  // namespace triage
