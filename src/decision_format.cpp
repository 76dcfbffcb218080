#include "decision_format.hpp"

#include <fmt/format.h>

namespace triage {

namespace {

std::string_view branch_label(const Flow& flow, const PathEntry& entry) {
    const Step& step = flow.steps()[entry.step];
    if (entry.branch < step.branches.size())
        return flow.source_text(flow.conditions()[step.branches[entry.branch].condition].span);
    return "else";
}

void write_action(JsonWriter& json, const DecidedAction& a) {
    json.begin_object();
    json.key("action").string(to_string(a.kind));
    switch (a.kind) {
    case ActionKind::respond:
        json.key("channel").string(to_string(a.channel));
        if (!a.text.empty()) json.key("template").string(a.text);
        break;
    case ActionKind::do_not_respond: json.key("reason").string(a.text); break;
    case ActionKind::escalate:
    case ActionKind::flag:
    case ActionKind::notify:
    case ActionKind::assign: json.key("team").string(a.text); break;
    case ActionKind::tag:
        json.key("labels").begin_array();
        for (const std::string& label : a.labels) json.string(label);
        json.end_array();
        break;
    case ActionKind::priority: json.key("level").string(to_string(a.priority)); break;
    case ActionKind::note: json.key("text").string(a.text); break;
    case ActionKind::monitor:
    case ActionKind::follow_up: break;
    }
    if (a.duration) {
        std::string_view key = a.kind == ActionKind::follow_up ? "after" : a.kind == ActionKind::monitor ? "for" : "within";
        json.key(key).string(format_duration(*a.duration));
    }
    if (a.deadline) json.key(a.kind == ActionKind::monitor ? "until" : "deadline").string(format_time(*a.deadline));
    json.end_object();
}

std::string value_text(const Flow& flow, std::uint32_t field, const FieldValue& v) {
    switch (v.kind) {
    case ValueKind::missing: return "missing";
    case ValueKind::text: {
        std::string shown(v.text.substr(0, 80));
        if (v.text.size() > 80) shown += "…";
        return fmt::format("\"{}\"", shown);
    }
    case ValueKind::number: return fmt::format("{}", v.number);
    case ValueKind::boolean: return v.boolean ? "true" : "false";
    case ValueKind::time: return format_time(v.time);
    case ValueKind::enumeration: {
        const Field& f = flow.fields()[field];
        if (v.index < f.values.size()) return f.values[v.index];
        return fmt::format("\"{}\" (not one of its values)", v.text);
    }
    }
    return "?";
}

}  // namespace

void write_decision_json(JsonWriter& json, const Flow& flow, const Decision& d, std::uint64_t line,
                         std::string_view id_json) {
    json.begin_object();
    json.key("line").number(static_cast<std::int64_t>(line));
    if (!id_json.empty()) json.key("id").raw(id_json);
    if (d.decided()) {
        const Outcome& o = flow.outcomes()[d.outcome];
        json.key("outcome").string(o.name);
        json.key("title").string(o.title);
    } else {
        json.key("outcome").null();
        if (auto step = d.fell_through_at()) json.key("fell_through").string(flow.steps()[*step].name);
    }
    json.key("actions").begin_array();
    for (const DecidedAction& a : d.actions) write_action(json, a);
    json.end_array();
    json.key("tags").begin_array();
    for (const DecidedAction& a : d.actions)
        if (a.kind == ActionKind::tag)
            for (const std::string& label : a.labels) json.string(label);
    json.end_array();
    if (auto priority = decided_priority(d)) json.key("priority").string(to_string(*priority));
    json.key("path").begin_array();
    for (const PathEntry& p : d.path) {
        json.begin_object();
        json.key("step").string(flow.steps()[p.step].name);
        const Step& step = flow.steps()[p.step];
        bool matched = p.branch < step.branches.size() || step.otherwise;
        if (matched) {
            json.key("branch").string(branch_label(flow, p));
            json.key("next").string(flow.node_name(p.target));
        }
        json.end_object();
    }
    json.end_array();
    json.key("missing").begin_array();
    for (std::uint32_t f : d.missing_fields) json.string(flow.fields()[f].name);
    json.end_array();
    json.end_object();
}

void write_error_json(JsonWriter& json, std::uint64_t line, std::string_view message) {
    json.begin_object();
    json.key("line").number(static_cast<std::int64_t>(line));
    json.key("error").string(message);
    json.end_object();
}

std::string describe(const DecidedAction& a) {
    std::string out;
    switch (a.kind) {
    case ActionKind::respond:
        out = fmt::format("respond {}", to_string(a.channel));
        if (a.duration) out += " within " + format_duration(*a.duration);
        if (!a.text.empty()) out += fmt::format(" using \"{}\"", a.text);
        break;
    case ActionKind::do_not_respond: out = fmt::format("do not respond because \"{}\"", a.text); break;
    case ActionKind::monitor:
        out = "monitor";
        if (a.duration) out += " for " + format_duration(*a.duration);
        break;
    case ActionKind::escalate:
        out = fmt::format("escalate to {}", a.text);
        if (a.duration) out += " within " + format_duration(*a.duration);
        break;
    case ActionKind::tag: out = fmt::format("tag {}", fmt::join(a.labels, ", ")); break;
    case ActionKind::flag: out = fmt::format("flag for {}", a.text); break;
    case ActionKind::notify: out = fmt::format("notify {}", a.text); break;
    case ActionKind::assign: out = fmt::format("assign to {}", a.text); break;
    case ActionKind::priority: out = fmt::format("priority {}", to_string(a.priority)); break;
    case ActionKind::follow_up: out = "follow up after " + format_duration(a.duration.value_or(Duration{})); break;
    case ActionKind::note: out = fmt::format("note: {}", a.text); break;
    }
    if (a.deadline) out += fmt::format(" (by {})", format_time(*a.deadline));
    return out;
}

std::string explain_text(const Flow& flow, const Decision& d, const Trace& trace) {
    std::string out;
    std::size_t t = 0;
    for (const PathEntry& p : d.path) {
        const Step& step = flow.steps()[p.step];
        out += fmt::format("{} — {}\n", step.name, step.question);
        for (; t < trace.entries.size() && trace.entries[t].step == p.step; ++t) {
            const TraceEntry& e = trace.entries[t];
            std::string indent(4 + 2 * e.depth, ' ');
            std::string_view text = flow.source_text(flow.conditions()[e.condition].span);
            std::string reads;
            if (e.has_field) reads = fmt::format("   [{} = {}]", flow.fields()[e.field].name, value_text(flow, e.field, e.value));
            out += fmt::format("{}{} {}{}\n", indent.substr(2), e.result ? "yes" : "no ", text, reads);
        }
        if (p.branch < step.branches.size() || step.otherwise) {
            out += fmt::format("    -> {}{}\n", flow.node_name(p.target), p.branch < step.branches.size() ? "" : " (else)");
        } else {
            out += "    -> no branch matched and the step has no 'else': no outcome\n";
        }
    }
    if (d.decided()) {
        const Outcome& o = flow.outcomes()[d.outcome];
        out += fmt::format("outcome {} — {}\n", o.name, o.title);
        for (; t < trace.entries.size(); ++t) {
            const TraceEntry& e = trace.entries[t];
            if (e.depth != 0) continue;  // only the conditions written on actions
            std::string_view text = flow.source_text(flow.conditions()[e.condition].span);
            out += fmt::format("    {} if {}: {}\n", to_string(o.actions[e.branch].kind), text,
                               e.result ? "yes" : "no, skipped");
        }
        out += "actions:\n";
        for (const DecidedAction& a : d.actions) out += fmt::format("    {}\n", describe(a));
        if (d.actions.empty()) out += "    (none)\n";
    }
    if (!d.missing_fields.empty()) {
        out += "missing fields:";
        for (std::uint32_t f : d.missing_fields) out += " " + flow.fields()[f].name;
        out += " (a comparison on a missing field is false)\n";
    }
    return out;
}

}  // namespace triage
