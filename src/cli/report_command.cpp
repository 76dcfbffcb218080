// `triage report FLOW --mentions FILE.jsonl -o report.html`: one self-contained HTML page showing
// where the traffic went — the flowchart with counts, outcomes, busiest paths, escalations, and
// example mentions per outcome. No network access is needed to open it.
#include "commands.hpp"
#include "error_allowance.hpp"
#include "flow_loading.hpp"
#include "files.hpp"
#include "late_mentions.hpp"

#include "triage/text.hpp"
#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"
#include "triage/render.hpp"
#include "triage/stream.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace triage::cli {

namespace {

struct ReportOptions {
    std::string flow;
    std::string mentions;
    std::string output;  // default: report.html, or standard output for --format json
    std::string format = "html";
    StreamFlags stream;
    std::size_t examples = 3;
    std::string color = "auto";
    ErrorAllowance max_errors;
};


std::string first_action(const Outcome& o) {
    if (o.actions.empty()) return "";
    const Action& a = o.actions.front();
    if (a.kind == ActionKind::respond) return fmt::format("respond {}", to_string(a.channel));
    if (a.kind == ActionKind::escalate || a.kind == ActionKind::flag) return fmt::format("{} {}", to_string(a.kind), a.text);
    return std::string(to_string(a.kind));
}

struct Example {
    std::uint64_t line = 0;
    std::string id;
    std::string text;
};

// The report's data as JSON, for scripts and for comparing with `triage run`: {"flow", "version",
// "mentions", "errors", "fell_through", "outcomes": {name: count}, "traffic": what run --traffic
// writes, "paths": [{"path", "count"}] (the ten busiest), "escalations": {team: count},
// "examples": {outcome: [{"id", "text"}]}}.
std::string report_json(const Flow& flow, const Traffic& traffic, const ErrorTally& errors,
                        const std::vector<std::pair<std::string, std::uint64_t>>& busiest,
                        const std::map<std::string, std::uint64_t>& escalations,
                        const std::vector<std::vector<Example>>& examples) {
    JsonWriter json;
    auto count = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
    json.begin_object();
    json.key("flow").string(flow.name()).key("version").number(count(flow.version()));
    json.key("mentions").number(count(traffic.mentions)).key("errors").number(count(errors.total()));
    write_error_reasons(json, errors);
    json.key("fell_through").number(count(traffic.fell_through));
    json.key("outcomes").begin_object();
    for (std::size_t o = 0; o < flow.outcomes().size(); ++o) json.key(flow.outcomes()[o].name).number(count(traffic.outcome_counts[o]));
    json.end_object();
    std::string traffic_json = traffic.to_json(flow);
    json.key("traffic").raw(traffic_json);
    json.key("paths").begin_array();
    for (const auto& [path, n] : busiest) json.begin_object().key("path").string(path).key("count").number(count(n)).end_object();
    json.end_array();
    json.key("escalations").begin_object();
    for (const auto& [team, n] : escalations) json.key(team).number(count(n));
    json.end_object();
    json.key("examples").begin_object();
    for (std::size_t o = 0; o < flow.outcomes().size(); ++o) {
        if (examples[o].empty()) continue;
        json.key(flow.outcomes()[o].name).begin_array();
        for (const Example& e : examples[o]) json.begin_object().key("id").string(e.id).key("text").string(e.text).end_object();
        json.end_array();
    }
    json.end_object().end_object();
    return json.take() + '\n';
}

// The report as one HTML page around the flowchart `svg` (with counts), for people.
std::string report_html(const Flow& flow, const Traffic& traffic, const ErrorTally& errors,
                        const std::vector<std::pair<std::string, std::uint64_t>>& busiest,
                        const std::map<std::string, std::uint64_t>& escalations,
                        const std::vector<std::vector<Example>>& examples, const std::string& svg) {
    const double total = static_cast<double>(std::max<std::uint64_t>(traffic.mentions, 1));
    std::string page = fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{0} — traffic report</title>
<style>
body {{ font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #263238; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }} h2 {{ font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #cfd8dc; }}
.meta {{ color: #607d8b; }}
.chart svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #eceff1; vertical-align: top; }}
td.count, th.count {{ text-align: right; font-variant-numeric: tabular-nums; }}
.bar {{ background: #90a4ae; height: .6rem; border-radius: .3rem; }}
.example {{ color: #455a64; font-size: .9rem; }}
@media print {{ body {{ margin: 0; max-width: none; }} h2 {{ break-after: avoid; }} .chart {{ break-inside: avoid; }} }}
</style></head><body>
<h1>{0}</h1>
<p class="meta">Version {1} · <span id="mentions">{2}</span> mentions decided · {3} lines that could not be read · {4} with no outcome</p>
<h2>Where the traffic went</h2>
<div class="chart">{5}</div>
<h2>Outcomes</h2>
<table id="outcomes"><tr><th>Outcome</th><th>What to do</th><th class="count">Mentions</th><th class="count">Share</th><th style="width:25%"></th></tr>
)",
                                   markup_escape(flow.name()), flow.version(), traffic.mentions, errors.total(), traffic.fell_through, svg);
    std::vector<std::uint32_t> order(flow.outcomes().size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return traffic.outcome_counts[a] > traffic.outcome_counts[b]; });
    for (std::uint32_t o : order) {
        const Outcome& outcome = flow.outcomes()[o];
        double share = 100.0 * static_cast<double>(traffic.outcome_counts[o]) / total;
        page += fmt::format(
            "<tr><td><b>{}</b><br><span class=\"meta\">{}</span></td><td>{}</td><td class=\"count\" data-outcome=\"{}\">{}</td>"
            "<td class=\"count\">{:.1f}%</td><td><div class=\"bar\" style=\"width:{:.1f}%\"></div></td></tr>\n",
            markup_escape(outcome.title), markup_escape(outcome.name), markup_escape(first_action(outcome)),
            markup_escape(outcome.name), traffic.outcome_counts[o], share, share);
    }
    page += "</table>\n<h2>Busiest paths</h2>\n<table id=\"paths\"><tr><th>Path</th><th class=\"count\">Mentions</th></tr>\n";
    for (const auto& [path, count] : busiest)
        page += fmt::format("<tr><td>{}</td><td class=\"count\">{}</td></tr>\n", markup_escape(path), count);
    page += "</table>\n<h2>Escalations by team</h2>\n<table id=\"escalations\"><tr><th>Team</th><th class=\"count\">Mentions</th></tr>\n";
    for (const auto& [team, count] : escalations)
        page += fmt::format("<tr><td>{}</td><td class=\"count\">{}</td></tr>\n", markup_escape(team), count);
    if (escalations.empty()) page += "<tr><td colspan=\"2\" class=\"meta\">No escalations.</td></tr>\n";
    page += "</table>\n<h2>Example mentions</h2>\n";
    for (std::uint32_t o : order) {
        if (examples[o].empty()) continue;
        page += fmt::format("<h3>{}</h3>\n<ul>\n", markup_escape(flow.outcomes()[o].title));
        for (const Example& e : examples[o])
            page += fmt::format("<li class=\"example\"><code>{}</code> {}</li>\n", markup_escape(e.id), markup_escape(e.text));
        page += "</ul>\n";
    }
    if (errors.total() > 0) {
        page += "<h2>Lines that could not be read</h2>\n<table id=\"errors\"><tr><th>Reason (the first such line)</th>"
                "<th class=\"count\">First at line</th><th class=\"count\">Lines</th></tr>\n";
        for (const ErrorReason& r : errors.reasons())
            page += fmt::format("<tr><td>{}</td><td class=\"count\">{}</td><td class=\"count\">{}</td></tr>\n",
                                markup_escape(terminal_text(r.example)), r.first_line, r.count);
        if (errors.other_count() > 0)
            page += fmt::format("<tr><td class=\"meta\">Other reasons</td><td></td><td class=\"count\">{}</td></tr>\n",
                                errors.other_count());
        page += "</table>\n";
    }
    page += "</body></html>\n";
    return page;
}

// The text shown for example mentions: the flow's first text field.
std::optional<std::uint32_t> first_text_field(const Flow& flow) {
    for (std::uint32_t i = 0; i < flow.fields().size(); ++i)
        if (flow.fields()[i].type == FieldType::text) return i;
    return std::nullopt;
}

// "step → step → outcome", as the busiest paths are counted.
std::string path_text(const Flow& flow, const Decision& decision) {
    std::string path;
    for (const PathEntry& p : decision.path) path += flow.steps()[p.step].name + " → ";
    path += decision.decided() ? flow.outcomes()[decision.outcome].name : "(no outcome)";
    return path;
}

// Keeps the mention `stream` has just decided at `line` among `shown`, the first `limit` mentions
// of its outcome in input order, whatever order --reorder decides them in.
void keep_example(std::vector<Example>& shown, std::size_t limit, std::uint64_t line, const Stream& stream,
                  std::optional<std::uint32_t> text_field) {
    if (limit == 0 || (shown.size() == limit && shown.back().line < line)) return;
    FieldValue text = text_field ? stream.value(*text_field) : FieldValue::missing();
    std::string_view shown_text = text.kind == ValueKind::text ? text.text : std::string_view("(no text)");
    const std::size_t cut = utf8_cut(shown_text, 200);
    std::string id(stream.id());
    if (id.size() >= 2 && id.front() == '"') id = id.substr(1, id.size() - 2);  // a JSON string
    auto at = std::upper_bound(shown.begin(), shown.end(), line, [](std::uint64_t l, const Example& e) { return l < e.line; });
    shown.insert(at, Example{line, std::move(id), std::string(shown_text.substr(0, cut))});
    if (shown.size() > limit) shown.pop_back();
}

// The ten paths most mentions took, busiest first.
std::vector<std::pair<std::string, std::uint64_t>> busiest_paths(const std::map<std::string, std::uint64_t>& paths) {
    std::vector<std::pair<std::string, std::uint64_t>> busiest(paths.begin(), paths.end());
    std::stable_sort(busiest.begin(), busiest.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    if (busiest.size() > 10) busiest.resize(10);
    return busiest;
}

int report(const ReportOptions& options) {
    std::optional<Flow> loaded = load_flow(options.flow, options.color);
    if (!loaded) return exit_failure;
    const Flow& flow = *loaded;
    const std::string output = !options.output.empty() ? options.output : options.format == "json" ? "-" : "report.html";
    std::vector<NamedPath> inputs = flow_inputs(flow);
    inputs.push_back({"the mentions", options.mentions});
    if (!outputs_spare_inputs(inputs, {{"-o", output}})) return exit_usage;
    std::optional<StreamOptions> stream_opts = stream_options(flow, options.stream);
    if (!stream_opts) return exit_usage;
    std::optional<InputFile> in = InputFile::open(options.mentions);
    if (!in) return exit_failure;
    const std::optional<std::uint32_t> text_field = first_text_field(flow);

    // Decided as `triage run` decides them: one Stream, the same reading of lines, and with
    // --reorder, the same clock order.
    note_reorder_without_effect(flow, options.stream);
    Stream stream(flow, *stream_opts);
    LineReader lines(file_source(in->get()), stream_opts->json.max_line_bytes);
    Traffic traffic = Traffic::for_flow(flow);
    Decision decision;
    std::map<std::string, std::uint64_t> paths, escalations;
    std::vector<std::vector<Example>> examples(flow.outcomes().size());
    ErrorTally errors;
    const Stream::Decided decided = [&](std::uint64_t line, bool ok) {
        if (!ok) {
            errors.add(line, stream.error());
            return;
        }
        traffic.record(decision);
        ++paths[path_text(flow, decision)];
        for (const DecidedAction& a : decision.actions)
            if (a.kind == ActionKind::escalate) ++escalations[std::string(a.text)];
        if (decision.decided()) keep_example(examples[decision.outcome], options.examples, line, stream, text_field);
    };
    while (std::optional<LineReader::Line> line = lines.next()) stream.feed(*line, decision, decided);
    stream.finish(decision, decided);
    if (lines.error() != 0) {
        fmt::print(stderr, "triage: reading '{}' failed after line {}: {}\n", options.mentions, lines.lines(),
                   std::strerror(lines.error()));
        return exit_failure;
    }
    const std::vector<std::pair<std::string, std::uint64_t>> busiest = busiest_paths(paths);

    auto summary = [&] {
        fmt::print(stderr, "{}: {} mentions, {} outcomes, {} errors\n", output == "-" ? "standard output" : output,
                   traffic.mentions,
                   std::count_if(traffic.outcome_counts.begin(), traffic.outcome_counts.end(), [](std::uint64_t c) { return c > 0; }),
                   errors.total());
        print_reorder_summary(stream);
        if (const Monitor* monitor = stream.monitor()) note_late(stream, monitor->stats().late, traffic.mentions);
        print_error_reasons(errors);
        return errors_allowed(options.max_errors, errors.total(), lines.lines()) ? exit_ok : exit_failure;
    };
    if (options.format == "json") {
        if (!write_output(output, report_json(flow, traffic, errors, busiest, escalations, examples))) return exit_failure;
        return summary();
    }
    std::optional<std::string> svg = dot_to_svg(to_dot(flow, &traffic));
    if (!svg) return exit_failure;
    svg->erase(0, svg->find("<svg"));  // drop the XML prolog: the SVG is inline

    if (!write_output(output, report_html(flow, traffic, errors, busiest, escalations, examples, *svg))) return exit_failure;
    return summary();
}

}  // namespace

std::function<int()> add_report_command(CLI::App& app) {
    auto options = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand("report", "Write an HTML traffic report: the flowchart with counts, outcomes, paths");
    cmd->add_option("flow", options->flow, "The flow file")->required();
    cmd->add_option("-m,--mentions", options->mentions, "JSON Lines mentions (- for standard input)")->required();
    cmd->add_option("-o,--output", options->output,
                    "Where to write it (default: report.html; for --format json, standard output)");
    cmd->add_option("--format", options->format, "html: one page with the chart; json: the same data for scripts")
        ->check(CLI::IsMember({"html", "json"}))
        ->capture_default_str();
    cmd->add_option("--examples", options->examples, "Example mentions shown per outcome")->capture_default_str();
    add_stream_flags(*cmd, options->stream);
    add_reorder_option(*cmd, options->stream);
    add_max_errors_option(*cmd, options->max_errors);
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    return [options] { return report(*options); };
}

}  // namespace triage::cli
