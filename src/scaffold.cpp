// Paths in words and `test` blocks written from the mentions cover_paths found, in the flow
// language's own syntax (docs/language.md#tests), so that `triage test` reads them back.
#include "triage/cover.hpp"

#include "triage/time.hpp"

#include <fmt/format.h>

namespace triage {

namespace {

// "text" with the language's escapes (\" \\ \n \t).
std::string quoted(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default: out += c;
        }
    }
    return out + "\"";
}

// A number as conditions write it: no exponent (the language has none).
std::string number_text(double n) {
    std::string s = fmt::format("{}", n);
    if (s.find_first_of("eE") == std::string::npos) return s;
    s = fmt::format("{:.20f}", n);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

std::string branch_words(const Flow& flow, const PathEntry& e) {
    const Step& s = flow.steps()[e.step];
    if (e.branch < s.branches.size()) return fmt::format("{} (if {})", s.name, e.branch + 1);
    return fmt::format("{} ({})", s.name, s.otherwise ? "else" : "nothing matched");
}

}  // namespace

std::string describe_path(const Flow& flow, const FlowPath& path) {
    std::string out;
    for (const PathEntry& e : path.path) out += (out.empty() ? "" : ", ") + branch_words(flow, e);
    if (path.outcome) {
        out += " -> " + flow.outcomes()[*path.outcome].name;
    } else if (!path.path.empty()) {
        const PathEntry& last = path.path.back();
        const Step& s = flow.steps()[last.step];
        const bool falls = last.branch >= s.branches.size() && !s.otherwise;
        out += falls ? " -> no outcome"
                     : fmt::format(" -> {}", last.target.kind == NodeKind::step ? flow.steps()[last.target.index].name
                                                                                : flow.outcomes()[last.target.index].name);
    }
    for (std::uint32_t c : path.crises) out += fmt::format(" (during crisis {})", flow.crises()[c].name);
    return out;
}

std::string given_value_text(const Flow& flow, const GivenValue& v) {
    switch (v.value.kind) {
    case ValueKind::missing: return {};
    case ValueKind::text: return quoted(v.text);
    case ValueKind::number: return number_text(v.value.number);
    case ValueKind::boolean: return v.value.boolean ? "true" : "false";
    case ValueKind::time: return quoted(format_time(v.value.time));
    case ValueKind::enumeration: {
        const Field& f = flow.fields()[v.field];
        return v.value.index < f.values.size() ? f.values[v.value.index] : quoted(v.text);
    }
    }
    return {};
}

std::string scaffold_tests(const Flow& flow, const std::vector<CoveredPath>& paths) {
    std::string out;
    std::size_t number = 0;
    for (const CoveredPath& p : paths) {
        std::string given;
        for (const GivenValue& v : p.given)
            given += fmt::format("{} {}: {}", given.empty() ? "" : ",", flow.fields()[v.field].name, given_value_text(flow, v));
        out += fmt::format("\ntest {} {{\n  given {}{{{} }}\n", quoted(fmt::format("path {}: {}", ++number, describe_path(flow, p))),
                           p.repeat > 1 ? fmt::format("{} times ", p.repeat) : "", given);
        for (std::uint32_t c : p.crises) out += fmt::format("  during crisis {}\n", flow.crises()[c].name);
        out += p.outcome ? fmt::format("  expect {}\n", flow.outcomes()[*p.outcome].name) : "  expect no outcome\n";
        std::string steps;
        for (const PathEntry& e : p.path) steps += (steps.empty() ? "" : ", ") + flow.steps()[e.step].name;
        out += fmt::format("  expect path {}\n}}\n", steps);
    }
    return out;
}

}  // namespace triage
