// A traffic report for people (`triage report`): what happened to a stream of mentions over
// time, by the fields the author names, by deadline and in crisis modes. A host feeds ReportData
// one decision at a time; its memory is bounded whatever the stream's length (time buckets ×
// outcomes × tracked field values, and fixed-size samples), so a page of ten million mentions
// stays small.
#pragma once

#include "triage/decision.hpp"
#include "triage/flow.hpp"
#include "triage/json_writer.hpp"
#include "triage/render.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace triage {

struct ReportSettings {
    std::vector<std::uint32_t> by;     // fields to break outcomes down by (text or one-of), in order
    std::size_t top_values = 10;       // per field: the busiest values shown; the rest are "other"
    std::size_t tracked_values = 1000; // per field: distinct values counted; later new ones are "other"
    std::size_t examples = 3;          // per outcome, sampled across the whole span
    std::size_t sample = 500;          // mentions embedded for the page's filter
    // The filter's counts per hour × outcome × --by value held while collecting: past this many,
    // they roll up to days (and the report's buckets are days whatever the span); past it again,
    // new values of a day count as "other" in the filter (the --by tables still count them).
    std::size_t cells = 100'000;
    std::uint64_t seed = 1;            // of the samples: the same input gives the same page
};

// What the report reads of one decided mention besides its Decision.
struct ReportMention {
    TimePoint time{};                // its reference time (its own time, else `now`)
    std::string_view id;             // as plain text
    std::string_view text;           // shown in examples (cut to 200 bytes)
    std::span<const FieldValue> by;  // the values of ReportSettings::by, in the same order
};

// How long after the mention's time an action's deadline falls.
enum class DeadlineBucket : std::uint8_t { hour, four_hours, day, longer };
inline constexpr std::size_t deadline_buckets = 4;

struct DeadlineCounts {
    std::array<std::uint64_t, deadline_buckets> within{};  // by DeadlineBucket
    std::uint64_t next_opening = 0;  // business-hours deadlines pushed past closed hours to an opening
};

// One period a crisis mode (or a grouped crisis's group) was active.
struct CrisisPeriod {
    std::uint32_t crisis = 0;         // index into Flow::crises()
    std::string group;                // empty for an ungrouped crisis
    TimePoint entered{};
    std::optional<TimePoint> left;    // nullopt: still active at the end of the stream
    std::string entered_because;      // the leaf conditions that fired, "count(...) over 15m = 23 > 20"
    std::string left_because;
    std::uint64_t mentions = 0;       // decided while it was active
};

struct ReportExample {
    TimePoint time{};
    std::string id;
    std::string text;
    std::uint32_t outcome = no_outcome;
    std::vector<std::string> by;  // the values of ReportSettings::by, as the report names them
};

class ReportData {
public:
    ReportData(const Flow& flow, ReportSettings settings);

    void record(const Decision& decision, const ReportMention& mention);

    [[nodiscard]] const Flow& flow() const noexcept { return *flow_; }
    [[nodiscard]] const ReportSettings& settings() const noexcept { return settings_; }
    [[nodiscard]] const Traffic& traffic() const noexcept { return traffic_; }
    [[nodiscard]] std::uint64_t mentions() const noexcept { return traffic_.mentions; }
    // The earliest and latest mention time; nullopt before the first mention.
    [[nodiscard]] std::optional<TimePoint> first() const noexcept;
    [[nodiscard]] std::optional<TimePoint> last() const noexcept;

    // Outcomes over time: one hour per bucket when the span is 72 hours or less, else one day
    // (UTC). Buckets run from the first mention's to the last's, empty ones included.
    [[nodiscard]] Duration bucket_length() const noexcept;
    struct Bucket {
        TimePoint start{};
        std::vector<std::uint64_t> outcomes;  // per outcome, then the mentions with no outcome
    };
    [[nodiscard]] std::vector<Bucket> buckets() const;

    // Outcomes by a field's values: the top_values busiest, then "other" (when any), by count.
    struct Breakdown {
        std::uint32_t field = 0;
        std::vector<std::string> values;                   // "(none)" for a missing value
        std::vector<std::vector<std::uint64_t>> counts;    // [value][outcome, then no outcome]
    };
    [[nodiscard]] std::vector<Breakdown> breakdowns() const;

    // The filter's data: counts per report bucket × outcome × shown value of one --by field.
    struct Cell {
        std::uint32_t bucket = 0, outcome = 0, field = 0, value = 0;  // field: position in `by`
        std::uint64_t count = 0;
    };
    [[nodiscard]] std::vector<Cell> cells() const;
    // The cells held while collecting (at most ReportSettings::cells), and whether they rolled up to days.
    [[nodiscard]] std::size_t held_cells() const noexcept { return hour_cells_.size(); }
    [[nodiscard]] bool cells_by_day() const noexcept { return cells_by_day_; }

    // Per action kind (respond, escalate, follow up) with a deadline.
    [[nodiscard]] const std::map<ActionKind, DeadlineCounts>& deadlines() const noexcept { return deadlines_; }
    [[nodiscard]] const std::vector<CrisisPeriod>& crisis_periods() const noexcept { return periods_; }
    [[nodiscard]] std::uint64_t crisis_periods_dropped() const noexcept { return periods_dropped_; }
    [[nodiscard]] std::uint64_t decided_in_crisis() const noexcept { return in_crisis_; }
    // Per outcome, oldest first: at most `examples`, no two with the same folded text.
    [[nodiscard]] std::vector<std::vector<ReportExample>> examples() const;
    // At most `sample` mentions across the span and outcomes, oldest first.
    [[nodiscard]] std::vector<ReportExample> sample() const;
    // The ten paths most mentions took ("step → step → outcome"), busiest first.
    [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> busiest_paths() const;
    [[nodiscard]] const std::map<std::string, std::uint64_t>& escalations() const noexcept { return escalations_; }

    // The aggregates as keys of an open JSON object: "range", "bucket", "over_time", "by",
    // "deadlines", "crises", "in_crisis", "examples" (see docs/cli.md).
    void write_json(JsonWriter& json) const;

private:
    // One sampled mention, with the reservoir's bookkeeping.
    struct Kept {
        ReportExample example;
        std::string folded;
    };
    // A reservoir of `limit` mentions without two of the same folded text.
    struct Reservoir {
        std::size_t limit = 0;
        std::uint64_t seen = 0;
        std::vector<Kept> kept;
    };
    std::uint32_t value_index(std::size_t by, const FieldValue& value);
    void offer(Reservoir& reservoir, const ReportMention& mention, std::uint32_t outcome, const std::string& folded);
    void record_crises(const Decision& decision, const ReportMention& mention);
    void record_deadlines(const Decision& decision, const ReportMention& mention);
    void count_cell(std::int64_t hour, std::uint32_t column, std::size_t by, std::uint32_t value);
    [[nodiscard]] std::uint32_t bucket_of(std::int64_t hour) const noexcept;
    [[nodiscard]] std::vector<std::vector<std::uint32_t>> shown_values() const;

    const Flow* flow_;
    ReportSettings settings_;
    Traffic traffic_;
    std::optional<TimePoint> first_, last_;
    std::size_t columns_ = 0;  // outcomes + 1 (no outcome)
    std::map<std::int64_t, std::vector<std::uint64_t>> hours_;  // hour since the epoch → per column
    // Per --by field: the values seen (index → name, name → index; index 0 is "other"), and
    // counts per value × column.
    struct FieldValues {
        std::vector<std::string> names;
        std::unordered_map<std::string, std::uint32_t> index;
        std::vector<std::vector<std::uint64_t>> counts;
    };
    std::vector<FieldValues> values_;
    // (hour, column, by, value) → count, sparse; the hour is a day's first once cells_by_day_.
    std::map<std::array<std::int64_t, 4>, std::uint64_t> hour_cells_;
    bool cells_by_day_ = false;
    std::map<ActionKind, DeadlineCounts> deadlines_;
    std::vector<CrisisPeriod> periods_;
    std::map<std::pair<std::uint32_t, std::string>, std::size_t> open_periods_;  // → index in periods_
    std::uint64_t periods_dropped_ = 0, in_crisis_ = 0;
    std::vector<Reservoir> examples_;  // per outcome
    Reservoir sample_;
    std::uint64_t random_;
    std::map<std::string, std::uint64_t> paths_, escalations_;
};

// The report as one self-contained HTML page: the header, outcomes over time (inline SVG), the
// flowchart `svg` (inline, drawn by the host), outcomes, the --by tables, deadlines, the crisis
// timeline, busiest paths, escalations and examples, with a filter in plain JavaScript over the
// embedded aggregates and sample. `extra_html` goes before </body> (the lines that could not be read).
[[nodiscard]] std::string report_html(const ReportData& data, std::string_view svg, std::uint64_t unread,
                                      std::string_view extra_html = {});

}  // namespace triage
