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
#include "triage/report.hpp"
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
    std::vector<std::string> by;
    std::size_t top = 10;
    std::size_t sample = 500;
    std::string color = "auto";
    ErrorAllowance max_errors;
};


// The report's data as JSON, for scripts and for comparing with `triage run`: {"flow", "version",
// "mentions", "errors", "fell_through", "outcomes": {name: count}, "traffic": what run --traffic
// writes, "paths": [{"path", "count"}] (the ten busiest), "escalations": {team: count}, then
// ReportData's aggregates ("range", "bucket", "over_time", "by", "deadlines", "crises", "examples", ...)}.
std::string report_json(const ReportData& data, const ErrorTally& errors) {
    const Flow& flow = data.flow();
    const Traffic& traffic = data.traffic();
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
    for (const auto& [path, n] : data.busiest_paths()) json.begin_object().key("path").string(path).key("count").number(count(n)).end_object();
    json.end_array();
    json.key("escalations").begin_object();
    for (const auto& [team, n] : data.escalations()) json.key(team).number(count(n));
    json.end_object();
    data.write_json(json);
    json.end_object();
    return json.take() + '\n';
}

// The lines that could not be read, as a table at the end of the page.
std::string error_table(const ErrorTally& errors) {
    if (errors.total() == 0) return "";
    std::string html = "<h2>Lines that could not be read</h2>\n<table id=\"errors\"><tr><th>Reason (the first such line)</th>"
                       "<th class=\"count\">First at line</th><th class=\"count\">Lines</th></tr>\n";
    for (const ErrorReason& r : errors.reasons())
        html += fmt::format("<tr><td>{}</td><td class=\"count\">{}</td><td class=\"count\">{}</td></tr>\n",
                            markup_escape(terminal_text(r.example)), r.first_line, r.count);
    if (errors.other_count() > 0)
        html += fmt::format("<tr><td class=\"meta\">Other reasons</td><td></td><td class=\"count\">{}</td></tr>\n", errors.other_count());
    return html + "</table>\n";
}

// The text shown for example mentions: the flow's first text field.
std::optional<std::uint32_t> first_text_field(const Flow& flow) {
    for (std::uint32_t i = 0; i < flow.fields().size(); ++i)
        if (flow.fields()[i].type == FieldType::text) return i;
    return std::nullopt;
}

// --by FIELD: a text or one-of field of the flow (their values are what a reader groups by).
std::optional<std::vector<std::uint32_t>> by_fields(const Flow& flow, const std::vector<std::string>& names) {
    std::vector<std::uint32_t> fields;
    for (const std::string& name : names) {
        std::optional<std::uint32_t> field = flow.find_field(name);
        if (!field) {
            fmt::print(stderr, "triage: --by {}: the flow has no field '{}'\n", name, name);
            return std::nullopt;
        }
        const FieldType type = flow.fields()[*field].type;
        if (type != FieldType::text && type != FieldType::enumeration) {
            fmt::print(stderr, "triage: --by {}: a {} field; the report groups by text and one-of fields\n", name, to_string(type));
            return std::nullopt;
        }
        fields.push_back(*field);
    }
    return fields;
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
    std::optional<std::vector<std::uint32_t>> by = by_fields(flow, options.by);
    if (!by) return exit_usage;

    // Decided as `triage run` decides them: one Stream, the same reading of lines, and with
    // --reorder, the same clock order.
    note_reorder_without_effect(flow, options.stream);
    Stream stream(flow, *stream_opts);
    LineReader lines(file_source(in->get()), stream_opts->json.max_line_bytes);
    ReportData data(flow, ReportSettings{*by, options.top, 1000, options.examples, options.sample, 1});
    const Traffic& traffic = data.traffic();
    Decision decision;
    ErrorTally errors;
    std::vector<FieldValue> by_values(by->size());
    const Stream::Decided decided = [&](std::uint64_t line, bool ok) {
        if (!ok) {
            errors.add(line, stream.error());
            return;
        }
        FieldValue text = text_field ? stream.value(*text_field) : FieldValue::missing();
        std::string_view id = stream.id();
        if (id.size() >= 2 && id.front() == '"') id = id.substr(1, id.size() - 2);  // a JSON string
        for (std::size_t b = 0; b < by->size(); ++b) by_values[b] = stream.value((*by)[b]);
        data.record(decision, ReportMention{stream.reference(), id, text.kind == ValueKind::text ? text.text : "(no text)", by_values});
    };
    while (std::optional<LineReader::Line> line = lines.next()) stream.feed(*line, decision, decided);
    stream.finish(decision, decided);
    if (lines.error() != 0) {
        fmt::print(stderr, "triage: reading '{}' failed after line {}: {}\n", options.mentions, lines.lines(),
                   std::strerror(lines.error()));
        return exit_failure;
    }

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
        if (!write_output(output, report_json(data, errors))) return exit_failure;
        return summary();
    }
    std::optional<std::string> svg = dot_to_svg(to_dot(flow, &traffic));
    if (!svg) return exit_failure;
    svg->erase(0, svg->find("<svg"));  // drop the XML prolog: the SVG is inline

    if (!write_output(output, report_html(data, *svg, errors.total(), error_table(errors)))) return exit_failure;
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
    cmd->add_option("--by", options->by, "Break outcomes down by this text or one-of field (repeatable)");
    cmd->add_option("--top", options->top, "Values of each --by field shown; the rest are counted as other")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--sample", options->sample, "Mentions embedded in the page for its filter")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    add_stream_flags(*cmd, options->stream);
    add_reorder_option(*cmd, options->stream);
    add_max_errors_option(*cmd, options->max_errors);
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    return [options] { return report(*options); };
}

}  // namespace triage::cli
