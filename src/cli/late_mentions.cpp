#include "late_mentions.hpp"

#include "triage/json.hpp"

#include <fmt/format.h>

#include <chrono>
#include <string>

namespace triage::cli {

namespace {

// "1h 39m": as flows write durations, rounded up to the second.
std::string written(std::chrono::milliseconds d) { return format_duration(std::chrono::ceil<Duration>(d)); }

// What would have placed all but `allowed` of the mentions in clock order: --reorder with the
// horizon the stream's own disorder asks for, or sorting it; or, when the stream is in order
// enough, why mentions were late all the same.
std::string remedy(const Stream& stream, std::uint64_t allowed, bool resumed) {
    const Flow& flow = stream.flow();
    const std::string sort = fmt::format("sort them by time (the flow's {}) first", flow.fields()[flow.clock()->field].name);
    const StreamOrder order = stream.order();
    const Duration horizon = stream.reorders() ? stream.options().reorder : Duration(0);
    const std::optional<Duration> needed = stream.reorder_needed(allowed);
    if (!needed)
        return fmt::format("the mentions are not in time order, some up to {} behind the newest before them, longer "
                           "than --reorder can sensibly hold: {}",
                           written(order.most_behind), sort);
    if (*needed > horizon)
        return fmt::format("the mentions are not in time order{} (up to {} behind the newest before them). Decide them "
                           "in clock order with --reorder {}, or {}",
                           horizon > Duration(0) ? fmt::format(" within --reorder {}", format_duration(horizon)) : "",
                           written(order.most_behind), format_duration(*needed), sort);
    if (order.released_early > 0)
        return fmt::format("{} mentions were decided before their --reorder {} was up, the reorder buffer being full: "
                           "raise --limit reorder-buffer (it is {})",
                           with_thousands(order.released_early), format_duration(horizon),
                           with_thousands(stream.options().limits.reorder_buffer));
    if (resumed)
        return "they are older than the newest mention the saved --state had seen: decide them without it, or with a "
               "state saved before them";
    return sort;
}

// "the old flow: " for `side` "old flow".
std::string whose(std::string_view side) { return side.empty() ? std::string() : fmt::format("the {}: ", side); }

void print_late_note(const Stream& stream, std::uint64_t late, std::uint64_t mentions, std::string_view side, bool resumed) {
    fmt::print(stderr, "triage: note: {}{} of {} mentions were late (more than {} older than the newest before them) "
                       "and not counted in the windows: {}\n",
               whose(side), with_thousands(late), with_thousands(mentions),
               format_duration(stream.flow().clock()->tolerance), remedy(stream, 0, resumed));
}

}  // namespace

void note_reorder_without_effect(const Flow& flow, const StreamFlags& flags) {
    if (flags.reorder.empty() || flow.keeps_state()) return;
    fmt::print(stderr, "triage: note: the flow keeps no state (no windows or crisis modes): each mention is decided on "
                       "its own, so --reorder has no effect\n");
}

void print_reorder_summary(const Stream& stream, std::string_view side) {
    if (!stream.reorders()) return;
    const StreamOrder order = stream.order();
    const std::string horizon = format_duration(stream.options().reorder);
    const std::uint32_t limit = stream.options().limits.reorder_buffer;
    fmt::print(stderr, "reorder{}: {} mention{} arrived out of time order; up to {} line{} held at once (--reorder {}, "
                       "--limit reorder-buffer={}), {} decided early\n",
               side.empty() ? std::string() : fmt::format(" ({})", side), with_thousands(order.behind),
               order.behind == 1 ? "" : "s", with_thousands(order.most_held),
               order.most_held == 1 ? "" : "s", horizon, limit, with_thousands(order.released_early));
    if (order.released_early > 0)
        fmt::print(stderr, "triage: warning: {}{} mentions were decided before their --reorder {} was up, the reorder buffer "
                           "being full (--limit reorder-buffer={}), and may have been late: raise the limit (each line "
                           "held costs its bytes, its decision's and about 250 more)\n",
                   whose(side), with_thousands(order.released_early), horizon, limit);
}

bool late_allowed(const Stream& stream, std::uint64_t late, std::uint64_t mentions, const ErrorAllowance& allowance,
                  bool resumed) {
    if (late == 0) return true;
    if (allowance.allows(late, mentions)) {
        print_late_note(stream, late, mentions, {}, resumed);
        return true;
    }
    fmt::print(stderr,
               "triage: {} of {} mentions are late (more than {} older than the newest before them), so the windows did "
               "not count them (more than --max-late {}): {}, or allow them with --max-late N or P%\n",
               with_thousands(late), with_thousands(mentions), format_duration(stream.flow().clock()->tolerance),
               allowance.written,
               remedy(stream, allowance.most(mentions), resumed));
    return false;
}

void note_late(const Stream& stream, std::uint64_t late, std::uint64_t mentions, std::string_view side) {
    if (late > 0) print_late_note(stream, late, mentions, side, false);
}

}  // namespace triage::cli
