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
//
// Real exports are seldom sorted by time, and a flow's windows count a mention only when it is
// at most the clock's tolerance older than the newest one before it. With StreamOptions::reorder
// feed() decides a stateful flow's mentions in clock order within that horizon, handing each
// decision back when it is made; InputOrder puts what the host makes of them back in input order:
//
//     stream.feed(line, decision, [&](std::uint64_t n, bool ok) { write(out.at(n), ...); out.done(n); });
//     for (; out.ready(); out.pop()) use(out.front());
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

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
    // For a flow that keeps state: feed() holds each mention until one more than this newer (by
    // the flow's clock) has arrived, then counts and decides the held ones oldest first, ties in
    // input order — so that a stream out of order by up to this much is counted as if it were
    // sorted. Zero: each mention is decided as it arrives. A mention without a time waits in the
    // place it arrived; one arriving further behind than the horizon goes at once (and is late
    // if the Monitor has counted one more than the clock's tolerance newer). At most
    // limits.reorder_buffer lines are held: past it the oldest goes early, and is counted.
    Duration reorder{0};
};

// How far from clock order a stream's mentions arrived (for a flow that keeps state), and what
// StreamOptions::reorder did about it.
struct StreamOrder {
    std::uint64_t behind = 0;                  // mentions older than the newest one before them
    std::chrono::milliseconds most_behind{0};  // by how much, at most
    std::uint64_t most_held = 0;       // reorder: lines held at once (oldest held to newest), at most
    std::uint64_t released_early = 0;  // reorder: decided before their horizon, the reorder-buffer
                                       // limit being reached (they may be late)
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

    // Deciding in clock order (StreamOptions::reorder). feed() takes the lines in input order,
    // numbered by the host in increasing order (consecutively, as LineReader numbers them, for
    // InputOrder; a stream's sequence numbers with gaps will do otherwise), and calls `decided(line,
    // ok)` for each as it is decided: at once for a line that is no mention (ok false, error()
    // says why) and when the Stream does not reorder; otherwise once its turn in clock order
    // comes — during this feed() or a later one, or in finish() at the end of the input. During
    // the call, `decision`, id(), value() and reference() are that mention's. decide() and
    // explain() decide at once, without reordering.
    using Decided = std::function<void(std::uint64_t line, bool ok)>;
    void feed(const LineReader::Line& line, Decision& decision, const Decided& decided);
    void feed(std::uint64_t line, std::string_view text, Decision& decision, const Decided& decided);
    void finish(Decision& decision, const Decided& decided);
    // Whether feed() holds mentions: StreamOptions::reorder is set and the flow keeps state
    // (a flow that does not decides each mention on its own, in any order).
    [[nodiscard]] bool reorders() const noexcept;
    // The lines feed() holds (not decided yet), and those given after the oldest of them that it
    // has decided, each in input order; both empty when none is held. A host that saves the
    // Monitor's snapshot while lines are held records both, so that after restoring it it feeds
    // the held lines again, in order, and skips the decided ones: nothing is counted twice and
    // nothing is lost (the partitioned worker, docs/scale.md).
    void pending(std::vector<std::uint64_t>& held, std::vector<std::uint64_t>& decided) const;
    [[nodiscard]] StreamOrder order() const noexcept;
    // The shortest round horizon for StreamOptions::reorder (1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m,
    // 5m, 10m, 15m, 30m, 1h, 2h, 3h, 6h, 12h, 1d, 2d or 7d) that would have placed all but
    // `allowed` of the mentions so far in clock order; zero when at most `allowed` arrived out of
    // order, nullopt when even 7d would leave more.
    [[nodiscard]] std::optional<Duration> reorder_needed(std::uint64_t allowed) const noexcept;

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

// What a host makes of each decision (an output line, a result to compare), back in input order
// whatever order feed() decided the lines in. Lines are numbered consecutively from
// `first_line`; a slot is reused once taken (overwrite it: it keeps an earlier line's value and
// capacity), so memory holds the lines from the oldest not yet taken to the newest given — for
// a Stream, at most the reorder-buffer limit.
template <typename T>
class InputOrder {
public:
    explicit InputOrder(std::uint64_t first_line = 1) : next_(first_line), end_(first_line) {}

    // The slot of `line`, which must not have been taken yet.
    T& at(std::uint64_t line) {
        if (line - next_ >= slots_.size()) grow(line - next_ + 1);
        end_ = std::max(end_, line + 1);
        return slots_[index(line)];
    }
    // `line`'s slot holds what it should.
    void done(std::uint64_t line) { done_[index(line)] = 1; }

    // The oldest line not yet taken is done.
    [[nodiscard]] bool ready() const noexcept { return next_ < end_ && done_[index(next_)] != 0; }
    [[nodiscard]] std::uint64_t front_line() const noexcept { return next_; }
    [[nodiscard]] T& front() noexcept { return slots_[index(next_)]; }
    void pop() noexcept { done_[index(next_++)] = 0; }
    // Lines given and not yet taken.
    [[nodiscard]] std::uint64_t size() const noexcept { return end_ - next_; }

private:
    [[nodiscard]] std::size_t index(std::uint64_t line) const noexcept {
        return static_cast<std::size_t>(line & (slots_.size() - 1));
    }
    void grow(std::uint64_t needed) {
        std::size_t size = std::max<std::size_t>(slots_.size(), 16);
        while (size < needed) size *= 2;
        std::vector<T> slots(size);
        std::vector<unsigned char> done(size, 0);
        for (std::uint64_t line = next_; line < end_; ++line) {
            slots[line & (size - 1)] = std::move(slots_[index(line)]);
            done[line & (size - 1)] = done_[index(line)];
        }
        slots_ = std::move(slots);
        done_ = std::move(done);
    }

    std::vector<T> slots_;  // a power of two in size
    std::vector<unsigned char> done_;
    std::uint64_t next_;  // the oldest line not yet taken
    std::uint64_t end_;   // past the newest line given
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
// order. Memory stays bounded: a ring of 2 × jobs + 2 chunks, and when the stream reorders
// (Stream::reorders), the lines it holds and the output lines waiting for an earlier one.
StreamSummary run_stream(Stream& stream, ByteSource input, const RunStreamOptions& options);

}  // namespace triage
