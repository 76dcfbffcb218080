#include "triage/render.hpp"

#include "triage/json_writer.hpp"
#include "text_util.hpp"
#include "triage/graph.hpp"

#include <boost/graph/graphviz.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <sstream>

namespace triage {

// ---- traffic ---------------------------------------------------------------------------------

Traffic Traffic::for_flow(const Flow& flow) {
    Traffic t;
    t.step_visits.assign(flow.steps().size(), 0);
    for (const Step& s : flow.steps()) {
        t.branch_counts.emplace_back(s.branches.size() + (s.otherwise ? 1 : 0), 0);
        std::vector<NodeRef>& targets = t.branch_targets.emplace_back();
        for (const Branch& b : s.branches) targets.push_back(b.target);
        if (s.otherwise) targets.push_back(s.otherwise->target);
    }
    t.outcome_counts.assign(flow.outcomes().size(), 0);
    t.missing_counts.assign(flow.fields().size(), 0);
    for (const Field& f : flow.fields())
        t.near_misses.emplace_back(f.type == FieldType::enumeration ? f.values.size() : 0);
    for (const Crisis& c : flow.crises()) {
        t.route_counts.emplace_back(c.routes.size(), 0);
        std::vector<NodeRef>& nodes = t.route_nodes.emplace_back();
        for (const Route& r : c.routes) nodes.push_back(r.node);
    }
    return t;
}

void NearMissCount::add(std::string_view spelling, std::uint64_t line) {
    // Mentions may be recorded out of line order (--reorder decides in clock order): the first
    // line is the smallest, and its spelling is listed first.
    const bool earliest = mentions++ == 0 || (line != 0 && (first_line == 0 || line < first_line));
    if (earliest) first_line = line;
    auto known = std::find(spellings.begin(), spellings.end(), spelling);
    if (known == spellings.end()) {
        if (spellings.size() < spellings_kept) known = spellings.emplace(spellings.end(), spelling);
        else more_spellings = true;
    }
    if (earliest && known != spellings.end()) std::rotate(spellings.begin(), known, known + 1);
}

void NearMissCount::merge(const NearMissCount& later) {
    if (later.mentions == 0) return;
    const bool earlier = mentions == 0 || (later.first_line != 0 && (first_line == 0 || later.first_line < first_line));
    if (earlier) first_line = later.first_line;
    mentions += later.mentions;
    for (std::size_t i = 0; i < later.spellings.size(); ++i) {
        auto known = std::find(spellings.begin(), spellings.end(), later.spellings[i]);
        if (known == spellings.end()) {
            if (spellings.size() < spellings_kept) known = spellings.insert(spellings.end(), later.spellings[i]);
            else more_spellings = true;
        }
        if (i == 0 && earlier && known != spellings.end()) std::rotate(spellings.begin(), known, known + 1);
    }
    more_spellings = more_spellings || later.more_spellings;
}

namespace {

[[gnu::noinline]] void count_near_misses(Traffic& t, const Decision& d, std::uint64_t line) {
    for (const NearMiss& n : d.near_misses)
        if (n.field < t.near_misses.size() && n.value < t.near_misses[n.field].size())
            t.near_misses[n.field][n.value].add(n.text, line);
}

}  // namespace

void Traffic::record(const Decision& d, std::uint64_t line) {
    ++mentions;
    for (const PathEntry& p : d.path) {
        ++step_visits[p.step];
        if (p.branch >= branch_counts[p.step].size()) continue;
        if (p.crisis == no_crisis || p.crisis >= route_nodes.size()) {
            ++branch_counts[p.step][p.branch];
            continue;
        }
        // Rerouted: the evaluator takes the crisis's first route from the branch's written target.
        const NodeRef written = branch_targets[p.step][p.branch];
        const std::vector<NodeRef>& nodes = route_nodes[p.crisis];
        auto route = std::find(nodes.begin(), nodes.end(), written);
        if (route != nodes.end()) ++route_counts[p.crisis][static_cast<std::size_t>(route - nodes.begin())];
        else ++branch_counts[p.step][p.branch];
    }
    if (d.decided()) ++outcome_counts[d.outcome];
    else ++fell_through;
    for (std::uint32_t field : d.missing_fields)
        if (field < missing_counts.size()) ++missing_counts[field];
    if (!d.near_misses.empty()) count_near_misses(*this, d, line);  // seldom: kept out of the loop above
}

void Traffic::clear() noexcept {
    mentions = 0;
    fell_through = 0;
    std::fill(step_visits.begin(), step_visits.end(), 0);
    for (auto& counts : branch_counts) std::fill(counts.begin(), counts.end(), 0);
    for (auto& counts : route_counts) std::fill(counts.begin(), counts.end(), 0);
    std::fill(outcome_counts.begin(), outcome_counts.end(), 0);
    std::fill(missing_counts.begin(), missing_counts.end(), 0);
    for (auto& counts : near_misses) std::fill(counts.begin(), counts.end(), NearMissCount{});
}

void Traffic::merge(const Traffic& o) {
    mentions += o.mentions;
    fell_through += o.fell_through;
    for (std::size_t i = 0; i < step_visits.size(); ++i) step_visits[i] += o.step_visits[i];
    for (std::size_t i = 0; i < branch_counts.size(); ++i)
        for (std::size_t j = 0; j < branch_counts[i].size(); ++j) branch_counts[i][j] += o.branch_counts[i][j];
    for (std::size_t i = 0; i < route_counts.size(); ++i)
        for (std::size_t j = 0; j < route_counts[i].size(); ++j) route_counts[i][j] += o.route_counts[i][j];
    for (std::size_t i = 0; i < outcome_counts.size(); ++i) outcome_counts[i] += o.outcome_counts[i];
    for (std::size_t i = 0; i < missing_counts.size() && i < o.missing_counts.size(); ++i)
        missing_counts[i] += o.missing_counts[i];
    for (std::size_t i = 0; i < near_misses.size() && i < o.near_misses.size(); ++i)
        for (std::size_t j = 0; j < near_misses[i].size() && j < o.near_misses[i].size(); ++j)
            near_misses[i][j].merge(o.near_misses[i][j]);
}

namespace {


std::string branch_label(const Flow& flow, std::uint32_t step, std::uint32_t branch) {
    const Step& s = flow.steps()[step];
    if (branch < s.branches.size()) return collapse_whitespace(flow.condition_text(s.branches[branch].condition));
    return "else";
}

const Branch& branch_at(const Flow& flow, std::uint32_t step, std::uint32_t branch) {
    const Step& s = flow.steps()[step];
    return branch < s.branches.size() ? s.branches[branch] : *s.otherwise;
}

}  // namespace

std::string Traffic::to_json(const Flow& flow) const {
    JsonWriter json;
    json.begin_object();
    json.key("version").number(std::int64_t{2});
    json.key("mentions").number(static_cast<std::int64_t>(mentions));
    json.key("steps").begin_object();
    for (std::size_t i = 0; i < step_visits.size(); ++i)
        json.key(flow.steps()[i].name).number(static_cast<std::int64_t>(step_visits[i]));
    json.end_object();
    json.key("branches").begin_array();
    for (std::uint32_t s = 0; s < branch_counts.size(); ++s)
        for (std::uint32_t b = 0; b < branch_counts[s].size(); ++b) {
            json.begin_object();
            json.key("step").string(flow.steps()[s].name);
            json.key("branch").number(static_cast<std::int64_t>(b));
            json.key("label").string(branch_label(flow, s, b));
            json.key("target").string(flow.node_name(branch_at(flow, s, b).target));
            json.key("count").number(static_cast<std::int64_t>(branch_counts[s][b]));
            json.end_object();
        }
    json.end_array();
    json.key("routes").begin_array();
    for (std::uint32_t c = 0; c < route_counts.size(); ++c)
        for (std::uint32_t r = 0; r < route_counts[c].size(); ++r) {
            const Route& route = flow.crises()[c].routes[r];
            json.begin_object();
            json.key("crisis").string(flow.crises()[c].name);
            json.key("route").number(static_cast<std::int64_t>(r));
            json.key("node").string(flow.node_name(route.node));
            json.key("replacement").string(flow.node_name(route.replacement));
            json.key("count").number(static_cast<std::int64_t>(route_counts[c][r]));
            json.end_object();
        }
    json.end_array();
    json.key("outcomes").begin_object();
    for (std::size_t i = 0; i < outcome_counts.size(); ++i)
        json.key(flow.outcomes()[i].name).number(static_cast<std::int64_t>(outcome_counts[i]));
    json.end_object();
    json.key("fell_through").number(static_cast<std::int64_t>(fell_through));
    json.end_object();
    return json.take();
}

namespace {

std::uint64_t count_of(simdjson::dom::element e) {
    std::uint64_t n = 0;
    if (e.get(n) != simdjson::SUCCESS) {
        std::int64_t s = 0;
        if (e.get(s) == simdjson::SUCCESS && s > 0) n = static_cast<std::uint64_t>(s);
    }
    return n;
}

bool flow_has_routes(const Flow& flow) {
    return std::any_of(flow.crises().begin(), flow.crises().end(), [](const Crisis& c) { return !c.routes.empty(); });
}

// The "routes" of a version 2 file: per crisis (by name) and route index, the mentions rerouted.
bool read_routes(const Flow& flow, simdjson::dom::element doc, Traffic& t, std::string& error) {
    simdjson::dom::array routes;
    if (doc["routes"].get(routes) != simdjson::SUCCESS) return true;  // a flow without routes
    for (simdjson::dom::element r : routes) {
        std::string_view crisis_name;
        std::uint64_t index = 0;
        if (r["crisis"].get(crisis_name) != simdjson::SUCCESS || r["route"].get(index) != simdjson::SUCCESS) continue;
        const auto& crises = flow.crises();
        auto crisis = std::find_if(crises.begin(), crises.end(), [&](const Crisis& c) { return c.name == crisis_name; });
        if (crisis == crises.end() || index >= crisis->routes.size()) {
            error = fmt::format("the traffic file counts route {} of crisis '{}', which this flow does not have", index, crisis_name);
            return false;
        }
        simdjson::dom::element c;
        if (r["count"].get(c) == simdjson::SUCCESS)
            t.route_counts[static_cast<std::size_t>(crisis - crises.begin())][index] = count_of(c);
    }
    return true;
}

}  // namespace

std::optional<Traffic> Traffic::from_json(const Flow& flow, std::string_view text, std::string& error) {
    Traffic t = for_flow(flow);
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
        error = "the traffic file is not valid JSON";
        return std::nullopt;
    }
    constexpr auto count = count_of;
    std::uint64_t version = 1;
    if (simdjson::dom::element v; doc["version"].get(v) == simdjson::SUCCESS) version = count(v);
    if (version > 2) {
        error = fmt::format("the traffic file is version {}, newer than this triage reads (2)", version);
        return std::nullopt;
    }
    if (version < 2 && flow_has_routes(flow)) {
        error = "the traffic file was written by an older triage, which counted rerouted mentions on their branch; "
                "write it again with 'triage run --traffic' to draw this flow's crisis routes";
        return std::nullopt;
    }
    simdjson::dom::element e;
    if (doc["mentions"].get(e) == simdjson::SUCCESS) t.mentions = count(e);
    if (doc["fell_through"].get(e) == simdjson::SUCCESS) t.fell_through = count(e);
    simdjson::dom::object steps, outcomes;
    simdjson::dom::array branches;
    if (doc["steps"].get(steps) != simdjson::SUCCESS || doc["outcomes"].get(outcomes) != simdjson::SUCCESS ||
        doc["branches"].get(branches) != simdjson::SUCCESS) {
        error = "the traffic file lacks steps, branches or outcomes (write it with 'triage run --traffic')";
        return std::nullopt;
    }
    // Counts by the names of one kind of node; false, with `error`, at a name the flow has not.
    auto read_counts = [&](simdjson::dom::object counts, NodeKind kind, std::string_view what,
                           std::vector<std::uint64_t>& into) {
        for (auto [name, value] : counts) {
            auto node = flow.find_node(name);
            if (!node || node->kind != kind) {
                error = fmt::format("the traffic file counts {} '{}' that this flow does not have", what, name);
                return false;
            }
            into[node->index] = count(value);
        }
        return true;
    };
    if (!read_counts(steps, NodeKind::step, "a step", t.step_visits) ||
        !read_counts(outcomes, NodeKind::outcome, "an outcome", t.outcome_counts))
        return std::nullopt;
    for (simdjson::dom::element b : branches) {
        std::string_view step_name;
        std::uint64_t index = 0;
        if (b["step"].get(step_name) != simdjson::SUCCESS || b["branch"].get(index) != simdjson::SUCCESS) continue;
        auto node = flow.find_node(step_name);
        if (!node || node->kind != NodeKind::step || index >= t.branch_counts[node->index].size()) {
            error = fmt::format("the traffic file counts branch {} of '{}', which this flow does not have", index, step_name);
            return std::nullopt;
        }
        simdjson::dom::element c;
        if (b["count"].get(c) == simdjson::SUCCESS) t.branch_counts[node->index][index] = count(c);
    }
    if (!read_routes(flow, doc, t, error)) return std::nullopt;
    return t;
}

// ---- pictures --------------------------------------------------------------------------------

namespace {

// Breaks text into lines of about `width` characters at spaces.
std::string wrap(std::string_view text, std::size_t width) {
    std::string out;
    std::size_t line = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find(' ', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view word = text.substr(at, end - at);
        if (line > 0 && line + 1 + word.size() > width) {
            out += '\n';
            line = 0;
        } else if (line > 0) {
            out += ' ';
            ++line;
        }
        out += word;
        line += word.size();
        at = end + 1;
    }
    return out;
}

enum class Tone { silent, public_reply, private_reply, escalation, watch };

Tone tone_of(const Outcome& o) {
    bool public_reply = false, private_reply = false, escalation = false;
    for (const Action& a : o.actions) {
        if (a.kind == ActionKind::do_not_respond) return Tone::silent;
        if (a.kind == ActionKind::respond) (a.channel == Channel::publicly ? public_reply : private_reply) = true;
        if (a.kind == ActionKind::escalate || a.kind == ActionKind::flag) escalation = true;
    }
    if (public_reply) return Tone::public_reply;
    if (private_reply) return Tone::private_reply;
    if (escalation) return Tone::escalation;
    return Tone::watch;
}

constexpr OutcomeFill fills[] = {{"no reply", "#e0e0e0"},   {"public reply", "#c8e6c9"}, {"private reply", "#bbdefb"},
                                  {"escalation", "#ffe0b2"}, {"watch only", "#fff9c4"}};

std::string_view fill_of(Tone tone) { return fills[static_cast<std::size_t>(tone)].colour; }

// The outcome's main actions, one per line: what a reader of the chart needs at a glance.
std::vector<std::string> main_actions(const Outcome& o) {
    std::vector<std::string> lines;
    for (const Action& a : o.actions) {
        std::string line;
        switch (a.kind) {
        case ActionKind::respond: line = fmt::format("respond {}", to_string(a.channel)); break;
        case ActionKind::do_not_respond: line = "do not respond"; break;
        case ActionKind::monitor: line = "monitor"; break;
        case ActionKind::escalate: line = fmt::format("escalate to {}", a.text); break;
        case ActionKind::flag: line = fmt::format("flag for {}", a.text); break;
        case ActionKind::notify: line = fmt::format("notify {}", a.text); break;
        case ActionKind::assign: line = fmt::format("assign to {}", a.text); break;
        case ActionKind::priority: line = fmt::format("priority {}", to_string(a.priority)); break;
        default: continue;
        }
        if (a.condition != no_condition) line += " (if …)";
        lines.push_back(std::move(line));
        if (lines.size() == 4) break;
    }
    return lines;
}

std::string dot_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

struct DotStyle {
    const Flow& flow;
    const Traffic* traffic;
    std::uint64_t busiest = 1;

    std::string node_label(NodeRef node) const {
        if (node.kind == NodeKind::step) {
            std::string label = wrap(flow.steps()[node.index].question, 26);
            if (traffic) label += fmt::format("\n[{}]", traffic->step_visits[node.index]);
            return label;
        }
        const Outcome& o = flow.outcomes()[node.index];
        std::string label = wrap(o.title, 26);
        for (const std::string& line : main_actions(o)) label += "\n" + line;
        if (traffic) label += fmt::format("\n[{} mentions]", traffic->outcome_counts[node.index]);
        return label;
    }
    double pen_width(std::uint64_t count) const {
        return 1.0 + 5.0 * static_cast<double>(count) / static_cast<double>(busiest);
    }
    bool idle(NodeRef node) const {
        if (!traffic) return false;
        return node.kind == NodeKind::step ? traffic->step_visits[node.index] == 0 : traffic->outcome_counts[node.index] == 0;
    }
};

struct VertexWriter {
    const DotStyle& style;
    template <typename Vertex>
    void operator()(std::ostream& out, const Vertex& v) const {
        NodeRef node = graph(style.flow)[v].node;
        std::string label = dot_escape(style.node_label(node));
        std::string_view grey = style.idle(node) ? " color=\"#9e9e9e\" fontcolor=\"#9e9e9e\"" : "";
        if (node.kind == NodeKind::step) {
            // The question on the diamond; its step id only on hover (Graphviz's SVG: an <a xlink:title>).
            out << "[shape=diamond style=filled fillcolor=\"#ffffff\" label=\"" << label << "\" tooltip=\"step "
                << dot_escape(style.flow.steps()[node.index].name) << "\"" << grey << "]";
        } else {
            std::string_view fill = style.idle(node) ? "#f5f5f5" : fill_of(tone_of(style.flow.outcomes()[node.index]));
            out << "[shape=box style=\"rounded,filled\" fillcolor=\"" << fill << "\" label=\"" << label << "\" tooltip=\"outcome "
                << dot_escape(style.flow.outcomes()[node.index].name) << "\"" << grey << "]";
        }
    }
};

struct EdgeWriter {
    const DotStyle& style;
    template <typename Edge>
    void operator()(std::ostream& out, const Edge& e) const {
        const GraphEdge& edge = graph(style.flow)[e];
        const bool is_else = edge.branch >= style.flow.steps()[edge.step].branches.size();
        std::string label = is_else ? "else" : wrap(branch_label(style.flow, edge.step, edge.branch), 24);
        out << "[label=\"";
        if (style.traffic) label += fmt::format("\n({})", style.traffic->branch_counts[edge.step][edge.branch]);
        out << dot_escape(label) << "\"";
        if (is_else) out << " style=dashed";
        if (style.traffic) {
            std::uint64_t count = style.traffic->branch_counts[edge.step][edge.branch];
            if (count == 0) out << " color=\"#bdbdbd\" fontcolor=\"#9e9e9e\" style=dotted";
            else out << fmt::format(" penwidth={:.1f}", style.pen_width(count));
        }
        out << "]";
    }
};

struct GraphWriter {
    const DotStyle& style;
    void operator()(std::ostream& out) const {
        out << "label=\"" << dot_escape(fmt::format("{} (version {})", style.flow.name(), style.flow.version()))
            << "\"\nlabelloc=t\nfontname=\"Helvetica\"\nrankdir=TB\n"
            << "node [fontname=\"Helvetica\" fontsize=14 color=\"#37474f\"]\n"
            << "edge [fontname=\"Helvetica\" fontsize=12 color=\"#37474f\"]\n"
            << "start [shape=circle style=filled fillcolor=\"#37474f\" fontcolor=\"#ffffff\" label=\"start\" width=0.6]\n"
            << "start -> " << vertex_of(style.flow, style.flow.start()) << "\n";
        // Crisis routes: while the crisis is active, arriving at the first node leads to the second.
        // With traffic, the route edge counts the mentions it rerouted (not counted on the branch).
        const auto& crises = style.flow.crises();
        for (std::uint32_t c = 0; c < crises.size(); ++c)
            for (std::uint32_t r = 0; r < crises[c].routes.size(); ++r) {
                const Route& route = crises[c].routes[r];
                std::string label = fmt::format("in crisis {}:\ninstead", crises[c].name);
                std::string width;
                if (style.traffic) {
                    const std::uint64_t count = style.traffic->route_counts[c][r];
                    label += fmt::format("\n({})", count);
                    if (count > 0) width = fmt::format(" penwidth={:.1f}", style.pen_width(count));
                }
                out << vertex_of(style.flow, route.node) << " -> " << vertex_of(style.flow, route.replacement)
                    << " [label=\"" << dot_escape(label) << "\" style=dashed color=\"#c62828\" fontcolor=\"#c62828\""
                    << width << " constraint=false]\n";
            }
    }
};

std::string mermaid_escape(std::string_view s) {
    static const EscapeTable table = [] {
        EscapeTable t{};
        t['"'] = "#quot;", t['<'] = "#lt;", t['>'] = "#gt;", t['\n'] = "<br/>";
        return t;
    }();
    return escaped(s, table);
}

}  // namespace

std::span<const OutcomeFill> outcome_fills() noexcept { return fills; }

std::string to_dot(const Flow& flow, const Traffic* traffic) {
    DotStyle style{flow, traffic};
    if (traffic) {
        for (const auto& counts : traffic->branch_counts)
            for (std::uint64_t c : counts) style.busiest = std::max(style.busiest, c);
        for (const auto& counts : traffic->route_counts)
            for (std::uint64_t c : counts) style.busiest = std::max(style.busiest, c);
    }
    std::ostringstream out;
    boost::write_graphviz(out, graph(flow), VertexWriter{style}, EdgeWriter{style}, GraphWriter{style});
    return out.str();
}

std::string to_mermaid(const Flow& flow, const Traffic* traffic) {
    DotStyle style{flow, traffic};
    std::string out = "flowchart TD\n";
    out += "  start((start)) --> " + std::string(vertex_of(flow, flow.start()) < flow.steps().size() ? "s" : "o") +
           std::to_string(flow.start().index) + "\n";
    for (std::uint32_t s = 0; s < flow.steps().size(); ++s)
        out += fmt::format("  s{}{{\"{}\"}}\n", s, mermaid_escape(style.node_label({NodeKind::step, s})));
    for (std::uint32_t o = 0; o < flow.outcomes().size(); ++o)
        out += fmt::format("  o{}([\"{}\"])\n", o, mermaid_escape(style.node_label({NodeKind::outcome, o})));
    for (std::uint32_t s = 0; s < flow.steps().size(); ++s) {
        const Step& step = flow.steps()[s];
        const std::size_t count = step.branches.size() + (step.otherwise ? 1 : 0);
        for (std::uint32_t b = 0; b < count; ++b) {
            const Branch& branch = branch_at(flow, s, b);
            std::string target = fmt::format("{}{}", branch.target.kind == NodeKind::step ? "s" : "o", branch.target.index);
            std::string label = branch_label(flow, s, b);
            if (traffic) label += fmt::format(" ({})", traffic->branch_counts[s][b]);
            out += fmt::format("  s{} {}|\"{}\"| {}\n", s, b < step.branches.size() ? "-->" : "-.->", mermaid_escape(label), target);
        }
    }
    for (std::uint32_t c = 0; c < flow.crises().size(); ++c)
        for (std::uint32_t r = 0; r < flow.crises()[c].routes.size(); ++r) {
            const Route& route = flow.crises()[c].routes[r];
            auto id = [](NodeRef n) { return fmt::format("{}{}", n.kind == NodeKind::step ? "s" : "o", n.index); };
            std::string label = fmt::format("in crisis {}: instead", flow.crises()[c].name);
            if (traffic) label += fmt::format(" ({})", traffic->route_counts[c][r]);
            out += fmt::format("  {} -.->|\"{}\"| {}\n", id(route.node), mermaid_escape(label), id(route.replacement));
        }
    constexpr std::pair<Tone, std::string_view> classes[] = {{Tone::silent, "silent"}, {Tone::public_reply, "public"},
                                                             {Tone::private_reply, "private"}, {Tone::escalation, "escalate"},
                                                             {Tone::watch, "watch"}};
    for (const auto& [tone, name] : classes) out += fmt::format("  classDef {} fill:{},stroke:#37474f\n", name, fill_of(tone));
    for (std::uint32_t o = 0; o < flow.outcomes().size(); ++o)
        for (const auto& [tone, name] : classes)
            if (tone == tone_of(flow.outcomes()[o])) out += fmt::format("  class o{} {}\n", o, name);
    return out;
}

}  // namespace triage
