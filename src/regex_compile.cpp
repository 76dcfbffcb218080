#include "regex_compile.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace triage::detail {

namespace {

std::string bytes_text(std::uint64_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
    if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return fmt::format("{} KiB", bytes >> 10);
    return fmt::format("{} bytes", bytes);
}

}  // namespace

std::uint64_t regex_share(std::uint64_t budget, std::size_t count) noexcept {
    if (count == 0) return regex_share_ceiling;
    // A budget below the floor still serves one expression.
    const std::uint64_t share = std::min(budget / count, regex_share_ceiling);
    return share == 0 || share < std::min(budget, regex_share_floor) ? 0 : share;
}

bool compile_regexes(ResolvedFlow& data, const Limits& limits, std::vector<Diagnostic>& diagnostics) {
    data.compiled_regexes.clear();
    const std::size_t count = data.regexes.size();
    const std::uint64_t share = regex_share(limits.regex_bytes, count);
    if (share == 0) {
        // Reported at the first expression past those the budget holds at the floor.
        const std::uint64_t floor = std::max<std::uint64_t>(std::min(limits.regex_bytes, regex_share_floor), 1);
        const std::size_t fits = static_cast<std::size_t>(limits.regex_bytes / floor);
        diagnostics.push_back(
            {Severity::error, Code::limit_exceeded, data.regexes[std::min(fits, count - 1)].span,
             fmt::format("this flow has {} distinct regular expressions; the regex-memory limit of {} holds {} "
                         "(each needs at least {})",
                         count, bytes_text(limits.regex_bytes), fits, bytes_text(floor)),
             {},
             "match words with `has any` word lists (one automaton serves them all), or raise the limit: "
             "--limit regex-memory=N"});
        return false;
    }
    bool ok = true;
    data.compiled_regexes.reserve(count);
    for (const Regex& regex : data.regexes) {
        re2::RE2::Options options;
        options.set_log_errors(false);
        options.set_case_sensitive(!regex.case_insensitive);
        options.set_max_mem(static_cast<std::int64_t>(share));
        auto compiled = std::make_unique<re2::RE2>(regex.pattern, options);
        if (compiled->error_code() == re2::RE2::ErrorPatternTooLarge) {
            diagnostics.push_back(
                {Severity::error, Code::limit_exceeded, regex.span,
                 count == 1 || share == regex_share_ceiling
                     ? fmt::format("regular expression needs more than {} to compile", bytes_text(share))
                     : fmt::format("regular expression needs more than {} to compile (its share of the "
                                   "regex-memory limit of {}, divided among {} expressions)",
                                   bytes_text(share), bytes_text(limits.regex_bytes), count),
                 {},
                 "simplify it (large counted repetitions such as {1000} are the usual cause), or raise the "
                 "limit: --limit regex-memory=N"});
            // Refusing an expression costs compiling it up to its share: stop at the first, so a
            // flow of many large expressions costs one share, not all of the budget.
            return false;
        } else if (!compiled->ok()) {
            diagnostics.push_back({Severity::error, Code::invalid_regex, regex.span,
                                   fmt::format("invalid regular expression: {}", compiled->error()),
                                   {},
                                   "triage uses RE2 syntax (no backreferences or look-around)"});
            ok = false;
        }
        data.compiled_regexes.push_back(std::move(compiled));
    }
    return ok;
}

}  // namespace triage::detail
