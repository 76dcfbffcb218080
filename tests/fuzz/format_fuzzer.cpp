// libFuzzer target: `triage fmt` must be idempotent, and a formatted flow must compile exactly
// as the original does (same fields, lists, conditions, steps, outcomes, tests).
#include "triage/triage.hpp"
#include "flow_data.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

// Everything that decides behaviour, without source positions.
std::string shape(const triage::Flow& flow) {
    std::string out = fmt::format("flow {} {} start {}\n", flow.name(), flow.version(), flow.node_name(flow.start()));
    for (const auto& f : flow.fields()) out += fmt::format("field {} {} {}\n", f.name, triage::to_string(f.type), fmt::join(f.values, ","));
    for (const auto& w : flow.word_lists()) out += fmt::format("words {} {}\n", w.name, fmt::join(w.phrases, "|"));
    for (const auto& r : triage::detail::data_of(flow).regexes) out += fmt::format("regex {} {}\n", r.pattern, r.case_insensitive);
    for (const auto& l : triage::detail::data_of(flow).lets) out += fmt::format("let {} {}\n", l.name, l.condition);
    for (const auto& c : triage::detail::data_of(flow).conditions)
        out += fmt::format("cond {} {} {} {} {} {} {} {} {} {} {}\n", static_cast<int>(c.kind), static_cast<int>(c.op),
                           c.negated, c.field, c.operand, c.number, c.text, fmt::join(c.numbers, ","),
                           fmt::join(c.strings, ","), fmt::join(c.values, ","), fmt::join(c.children, ","));
    for (const auto& s : flow.steps()) {
        out += fmt::format("step {} {}\n", s.name, s.question);
        for (const auto& b : s.branches) out += fmt::format("  if {} -> {}\n", b.condition, flow.node_name(b.target));
        if (s.otherwise) out += fmt::format("  else -> {}\n", flow.node_name(s.otherwise->target));
    }
    for (const auto& o : flow.outcomes()) {
        out += fmt::format("outcome {} {}\n", o.name, o.title);
        for (const auto& a : o.actions)
            out += fmt::format("  {} {} {} {} {} {} {}\n", triage::to_string(a.kind), triage::to_string(a.channel),
                               triage::to_string(a.priority), a.duration ? a.duration->count() : -1, a.text,
                               fmt::join(a.labels, ","), a.condition);
        for (const auto& a : o.actions) out += fmt::format("  during {}\n", a.hours);
    }
    for (const auto& t : triage::detail::data_of(flow).tests)
        out += fmt::format("test {} {} {} {} {}\n", t.name, t.given.size(), t.expectations.size(), t.repeat,
                           fmt::join(t.crises, ","));
    if (const auto& clock = flow.clock()) out += fmt::format("clock {} {}\n", clock->field, clock->tolerance.count());
    for (const auto& w : flow.windows())
        out += fmt::format("window {} {} {} {} {} {} {}\n", static_cast<int>(w.kind), w.condition, w.length.count(),
                           w.baseline.count(), w.unit.count(), w.group ? static_cast<std::int64_t>(*w.group) : -1,
                           w.bucket.count());
    for (const auto& h : flow.hours()) {
        out += fmt::format("hours {} {} {} {}\n", h.name, h.title, h.zone, fmt::join(h.holidays, ","));
        for (const auto& o : h.openings) out += fmt::format("  open {} {} {}\n", o.weekday, o.from, o.to);
    }
    for (const auto& c : flow.crises()) {
        out += fmt::format("crisis {} {} {} {} {}\n", c.name, c.title, c.enter, c.leave, c.minimum.count());
        for (const auto& r : c.routes) out += fmt::format("  route {} -> {}\n", flow.node_name(r.node), flow.node_name(r.replacement));
    }
    return out;
}

triage::CompileOptions no_files() {
    triage::CompileOptions options;
    options.read_file = [](const std::filesystem::path&, std::uint64_t) -> triage::FileRead {
        return {std::nullopt, "no files here"};
    };
    options.semantic_checks = triage::SemanticChecks::off;  // compared: what compiles, not what is proved
    return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    triage::FormatResult once = triage::format_source(text, "fuzz.flow");
    if (!once.text) return 0;
    triage::FormatResult twice = triage::format_source(*once.text, "fuzz.flow");
    if (!twice.text || *twice.text != *once.text) {
        fmt::print(stderr, "fmt is not idempotent:\n--- once\n{}\n--- twice\n{}\n", *once.text,
                   twice.text ? *twice.text : std::string("(syntax error)"));
        std::abort();
    }
    triage::CompileResult original = triage::compile(text, "fuzz.flow", no_files());
    triage::CompileResult formatted = triage::compile(*once.text, "fuzz.flow", no_files());
    if (original.ok() != formatted.ok()) {
        fmt::print(stderr, "formatting changed whether the flow compiles:\n{}\n", *once.text);
        std::abort();
    }
    if (original.ok() && shape(*original.flow) != shape(*formatted.flow)) {
        fmt::print(stderr, "formatting changed the flow:\n--- before\n{}\n--- after\n{}\n", shape(*original.flow),
                   shape(*formatted.flow));
        std::abort();
    }
    return 0;
}
