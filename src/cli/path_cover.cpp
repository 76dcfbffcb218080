#include "path_cover.hpp"

#include "triage/json_writer.hpp"
#include "triage/time.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <map>

namespace triage::cli {

std::optional<CoverReport> cover_for_cli(const Flow& flow) {
    CoverReport report = cover_paths(flow);
    if (!report.solver_available) {
        fmt::print(stderr, "triage: the solver is unavailable: this triage was built without Z3 "
                           "(-DTRIAGE_WITH_Z3=ON, libz3-dev), so no path's mention can be found\n");
        return std::nullopt;
    }
    for (const UncoveredPath& u : report.uncovered)
        fmt::print(stderr, "triage: {}: {}\n", describe_path(flow, u),
                   u.unreachable ? "unreachable: no mention takes this path"
                                 : fmt::format("no mention found ({})", u.reason.empty() ? "the solver gave up" : u.reason));
    if (report.truncated) fmt::print(stderr, "triage: the flow has more paths than were tried; the rest are left out\n");
    return report;
}

namespace {

// Field names grouped by their dotted prefix, written as nested objects as records have them.
struct MentionNode {
    std::map<std::string, MentionNode> children;
    const GivenValue* value = nullptr;
};

void write_value(JsonWriter& json, const Flow& flow, const GivenValue& v) {
    switch (v.value.kind) {
    case ValueKind::text: json.string(v.text); break;
    case ValueKind::number: json.number(v.value.number); break;
    case ValueKind::boolean: json.boolean(v.value.boolean); break;
    case ValueKind::time: json.string(format_time(v.value.time)); break;
    case ValueKind::enumeration: json.string(flow.fields()[v.field].values[v.value.index]); break;
    case ValueKind::missing: json.null(); break;
    }
}

void write_node(JsonWriter& json, const Flow& flow, const MentionNode& node) {
    for (const auto& [name, child] : node.children) {
        json.key(name);
        if (child.value) {
            write_value(json, flow, *child.value);
            continue;
        }
        json.begin_object();
        write_node(json, flow, child);
        json.end_object();
    }
}

}  // namespace

std::string cover_jsonl(const Flow& flow, const std::vector<CoveredPath>& paths) {
    std::string out;
    JsonWriter json;
    for (const CoveredPath& p : paths) {
        json.clear();
        json.begin_object().key("path").begin_array();
        for (const PathEntry& e : p.path) {
            const Step& s = flow.steps()[e.step];
            json.begin_object().key("step").string(s.name).key("branch");
            if (e.branch < s.branches.size()) json.string(fmt::format("if {}", e.branch + 1));
            else json.string(s.otherwise ? "else" : "none");
            json.end_object();
        }
        json.end_array().key("outcome");
        if (p.outcome) json.string(flow.outcomes()[*p.outcome].name);
        else json.null();
        json.key("crisis").begin_array();
        for (std::uint32_t c : p.crises) json.string(flow.crises()[c].name);
        json.end_array().key("times").number(static_cast<std::int64_t>(p.repeat));  // given this many times at once
        json.key("mention").begin_object();
        MentionNode root;
        for (const GivenValue& v : p.given) {
            MentionNode* node = &root;
            std::string_view name = flow.fields()[v.field].name;
            for (std::size_t dot; (dot = name.find('.')) != std::string_view::npos; name.remove_prefix(dot + 1))
                node = &node->children[std::string(name.substr(0, dot))];
            node->children[std::string(name)].value = &v;
        }
        write_node(json, flow, root);
        json.end_object().end_object();
        out += json.str();
        out += '\n';
    }
    return out;
}

}  // namespace triage::cli
