// `triage test FILE|DIR...`: run the tests written in flow files, with JUnit XML and coverage.
#include "commands.hpp"
#include "flow_loading.hpp"
#include "path_cover.hpp"
#include "files.hpp"
#include "large_stack.hpp"

#include "triage/text.hpp"
#include "triage/json_writer.hpp"
#include "triage/compile.hpp"
#include "triage/testing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <set>
#include <unistd.h>

namespace triage::cli {

namespace {


struct TestOptions {
    std::vector<std::string> paths;
    std::string junit;
    bool coverage = false;
    std::string coverage_format = "text";
    bool coverage_format_given = false;
    std::string coverage_output;  // empty: with the summary (text) or alone on stdout (json, lcov)
    double min_coverage = -1;
    bool scaffold = false;   // write tests for FLOW's paths instead of running tests
    std::string output;      // --scaffold's file; empty: stdout
    bool allow_empty = false;
    std::string color = "auto";
};

struct FileRun {
    std::string path;
    CompileResult compiled;
    TestRun run;
    bool fragment = false;  // an include-only file found in a directory: skipped
    std::vector<std::size_t> fresh;  // results not already run from another file
};

// A file that does not compile: a testsuite of one testcase with an <error> holding the
// diagnostics, so that CI's test view shows the file instead of leaving it out.
std::string junit_compile_error(const FileRun& r) {
    std::string diagnostics;
    for (const Diagnostic& d : r.compiled.diagnostics)
        if (d.severity == Severity::error) diagnostics += format_text(d, *r.compiled.sources);
    const std::string path = markup_escape(r.path);
    return fmt::format("  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                       "    <testcase name=\"compile\" classname=\"{0}\" file=\"{0}\">\n"
                       "      <error message=\"{0} does not compile; its tests did not run\" type=\"compile\">{1}</error>\n"
                       "    </testcase>\n  </testsuite>\n",
                       path, markup_escape(diagnostics));
}

std::string junit(const std::vector<FileRun>& runs) {
    std::size_t tests = 0, failures = 0, errors = 0;
    for (const FileRun& r : runs) {
        if (!r.fragment && !r.compiled.ok()) {
            ++tests;
            ++errors;
        }
        for (std::size_t i : r.fresh) {
            ++tests;
            failures += !r.run.results[i].passed;
        }
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += fmt::format("<testsuites name=\"triage\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", tests, failures, errors);
    for (const FileRun& r : runs) {
        if (!r.fragment && !r.compiled.ok()) out += junit_compile_error(r);
        if (r.fragment || r.fresh.empty()) continue;
        std::size_t failed = 0;
        for (std::size_t i : r.fresh) failed += !r.run.results[i].passed;
        out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", markup_escape(r.path), r.fresh.size(), failed);
        for (std::size_t i : r.fresh) {
            const TestResult& t = r.run.results[i];
            Location at = r.compiled.sources->begin(t.span);
            out += fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"", markup_escape(t.name),
                               markup_escape(r.compiled.flow->name()), markup_escape(r.compiled.sources->path(t.span.file)),
                               at.line);
            if (t.passed) {
                out += "/>\n";
                continue;
            }
            out += ">\n";
            out += fmt::format("      <failure message=\"{}\">{}</failure>\n", markup_escape(t.problems.front()),
                               markup_escape(fmt::format("{}\n\n{}", fmt::join(t.problems, "\n"), t.explanation)));
            out += "    </testcase>\n";
        }
        out += "  </testsuite>\n";
    }
    return out + "</testsuites>\n";
}

struct Uncovered {
    Span span;
    std::string what;
};

std::vector<Uncovered> uncovered(const Flow& flow, const Coverage& c) {
    std::vector<Uncovered> out;
    for (std::uint32_t s = 0; s < flow.steps().size(); ++s) {
        const Step& step = flow.steps()[s];
        if (!c.step_visited[s]) out.push_back({step.name_span, fmt::format("step '{}' is never asked", step.name)});
        for (std::size_t b = 0; b < c.branch_taken[s].size(); ++b) {
            if (c.branch_taken[s][b]) continue;
            const Branch& branch = b < step.branches.size() ? step.branches[b] : *step.otherwise;
            std::string label = b < step.branches.size()
                                    ? fmt::format("if {}", flow.condition_text(branch.condition))
                                    : "else";
            out.push_back({branch.span, fmt::format("branch '{} -> {}' of step '{}' is never taken", label,
                                                    flow.node_name(branch.target), step.name)});
        }
    }
    for (std::uint32_t o = 0; o < flow.outcomes().size(); ++o)
        if (!c.outcome_reached[o])
            out.push_back({flow.outcomes()[o].name_span, fmt::format("outcome '{}' is never reached", flow.outcomes()[o].name)});
    std::sort(out.begin(), out.end(), [](const Uncovered& a, const Uncovered& b) { return a.span.begin < b.span.begin; });
    return out;
}

double percent(std::size_t covered, std::size_t total) { return total == 0 ? 100.0 : 100.0 * covered / total; }

std::string coverage_report(const std::vector<FileRun>& runs, const std::string& format) {
    std::string out;
    JsonWriter json;
    if (format == "json") json.begin_object().key("files").begin_array();
    for (const FileRun& r : runs) {
        if (r.fragment || !r.compiled.ok()) continue;
        const Flow& flow = *r.compiled.flow;
        const Coverage& c = r.run.coverage;
        std::vector<Uncovered> missing = uncovered(flow, c);
        if (format == "text") {
            out += fmt::format("coverage {}: steps {}/{}, branches {}/{} ({:.1f}%), outcomes {}/{}\n", r.path,
                               c.steps_covered(), flow.steps().size(), c.branches_covered(), c.branches_total(),
                               percent(c.branches_covered(), c.branches_total()), c.outcomes_covered(),
                               flow.outcomes().size());
            for (const Uncovered& u : missing) {
                Location at = r.compiled.sources->begin(u.span);
                out += fmt::format("  {}:{}:{}: {}\n", r.compiled.sources->path(u.span.file), at.line, at.column, u.what);
            }
        } else if (format == "json") {
            json.begin_object();
            json.key("path").string(r.path);
            json.key("steps").begin_object().key("covered").number(static_cast<std::int64_t>(c.steps_covered()))
                .key("total").number(static_cast<std::int64_t>(flow.steps().size())).end_object();
            json.key("branches").begin_object().key("covered").number(static_cast<std::int64_t>(c.branches_covered()))
                .key("total").number(static_cast<std::int64_t>(c.branches_total())).end_object();
            json.key("outcomes").begin_object().key("covered").number(static_cast<std::int64_t>(c.outcomes_covered()))
                .key("total").number(static_cast<std::int64_t>(flow.outcomes().size())).end_object();
            json.key("uncovered").begin_array();
            for (const Uncovered& u : missing) {
                Location at = r.compiled.sources->begin(u.span);
                json.begin_object().key("file").string(r.compiled.sources->path(u.span.file));
                json.key("line").number(at.line).key("column").number(at.column).key("message").string(u.what).end_object();
            }
            json.end_array().end_object();
        } else {  // lcov: per source file, a line per step and outcome, a branch record per branch
            auto line_of = [&](Span span) { return r.compiled.sources->begin(span).line; };
            for (FileId file = 0; file < r.compiled.sources->size(); ++file) {
                std::string records;
                std::size_t lines = 0, lines_hit = 0, branches = 0, branches_hit = 0;
                for (std::uint32_t s = 0; s < flow.steps().size(); ++s) {
                    const Step& step = flow.steps()[s];
                    if (step.name_span.file != file) continue;
                    records += fmt::format("DA:{},{}\n", line_of(step.name_span), c.step_visited[s] ? 1 : 0);
                    ++lines;
                    lines_hit += c.step_visited[s];
                    for (std::size_t b = 0; b < c.branch_taken[s].size(); ++b) {
                        const Branch& branch = b < step.branches.size() ? step.branches[b] : *step.otherwise;
                        records += fmt::format("BRDA:{},{},{},{}\n", line_of(branch.span), s, b,
                                               c.step_visited[s] ? (c.branch_taken[s][b] ? "1" : "0") : "-");
                        ++branches;
                        branches_hit += c.branch_taken[s][b];
                    }
                }
                for (std::uint32_t o = 0; o < flow.outcomes().size(); ++o) {
                    if (flow.outcomes()[o].name_span.file != file) continue;
                    records += fmt::format("DA:{},{}\n", line_of(flow.outcomes()[o].name_span), c.outcome_reached[o] ? 1 : 0);
                    ++lines;
                    lines_hit += c.outcome_reached[o];
                }
                if (lines == 0) continue;
                out += fmt::format("TN:{}\nSF:{}\n{}BRF:{}\nBRH:{}\nLF:{}\nLH:{}\nend_of_record\n", flow.name(),
                                   r.compiled.sources->path(file), records, branches, branches_hit, lines, lines_hit);
            }
        }
    }
    if (format == "json") {
        json.end_array().end_object();
        out = json.str() + "\n";
    }
    return out;
}

// Files compile and run their tests in parallel, on as many threads as there are cores, each
// with a stack for the deepest nesting (large_stack.hpp); results keep the files' order.
std::vector<FileRun> compile_and_run(const std::vector<FlowFile>& files) {
    std::vector<FileRun> runs(files.size());
    run_on_large_stacks(files.size(), std::max(1u, std::thread::hardware_concurrency()), [&](std::size_t i) {
        FileRun r{files[i].path, compile_flow_file(files[i].path), {}, false, {}};
        // A fragment (flow_loading.hpp) has no tests of its own to run: they run through the
        // flows that include it.
        r.fragment = is_fragment(r.compiled);
        if (r.compiled.ok()) r.run = run_tests(*r.compiled.flow);
        runs[i] = std::move(r);
    });
    return runs;
}

// A failed test: where it is, what went wrong, and how the mention went.
void print_failure(std::FILE* out, const FileRun& r, const TestResult& t) {
    Location at = r.compiled.sources->begin(t.name_span);
    fmt::print(out, "FAIL {}:{}:{}: test \"{}\"\n", r.compiled.sources->path(t.span.file), at.line, at.column,
               t.name);
    for (const std::string& problem : t.problems) fmt::print(out, "  {}\n", problem);
    fmt::print(out, "  how the mention went:\n");
    std::string explanation = t.explanation;
    for (std::size_t at_line = 0; at_line < explanation.size();) {
        std::size_t next = explanation.find('\n', at_line);
        if (next == std::string::npos) next = explanation.size();
        fmt::print(out, "    {}\n", std::string_view(explanation).substr(at_line, next - at_line));
        at_line = next + 1;
    }
}

// Where the coverage report goes: json and lcov are data for a tool, so they never share a stream
// with the summary: in --coverage-output's file, or alone on stdout (the summary then on stderr).
std::string coverage_destination(const TestOptions& options) {
    if (!options.coverage_output.empty()) return options.coverage_output;
    return options.coverage_format == "text" ? "" : "-";
}

// Writes the coverage report (with the summary on `summary`, or to its own destination); false
// when branch coverage is below --min-coverage or the report could not be written.
bool coverage_met(const std::vector<FileRun>& runs, const TestOptions& options, std::FILE* summary) {
    const std::string report = coverage_report(runs, options.coverage_format);
    const std::string destination = coverage_destination(options);
    if (destination.empty()) fmt::print(summary, "{}", report);
    else if (!write_output(destination, report)) return false;
    std::size_t covered = 0, branches = 0;
    for (const FileRun& r : runs)
        if (!r.fragment && r.compiled.ok()) {
            covered += r.run.coverage.branches_covered();
            branches += r.run.coverage.branches_total();
        }
    if (!destination.empty())  // the report is elsewhere: the totals still belong in the log
        fmt::print(summary, "coverage: branches {}/{} ({:.1f}%)\n", covered, branches, percent(covered, branches));
    if (options.min_coverage >= 0 && percent(covered, branches) + 1e-9 < options.min_coverage) {
        fmt::print(summary, "triage: branch coverage {:.1f}% is below --min-coverage {}\n", percent(covered, branches),
                   options.min_coverage);
        return false;
    }
    return true;
}

// `test --scaffold FLOW [-o FILE]`: a test block per path with a mention (gen --cover's), to stdout
// or a file that is not one the flow is read from.
int scaffold_command(const TestOptions& options) {
    if (options.paths.size() != 1) {
        fmt::print(stderr, "triage: --scaffold takes one flow file\n");
        return exit_usage;
    }
    std::optional<Flow> flow = load_flow(options.paths.front(), options.color);
    if (!flow) return exit_failure;
    if (!options.output.empty() && !outputs_spare_inputs(flow_inputs(*flow), {{"-o", options.output}})) return exit_usage;
    const std::optional<CoverReport> report = cover_for_cli(*flow);
    if (!report) return exit_failure;
    const std::string tests =
        "\n# Written by `triage test --scaffold`: one test per path, each decided by the evaluator as it\n"
        "# expects. Name them after what they show, and keep the ones worth keeping.\n" +
        scaffold_tests(*flow, report->covered);
    if (options.output.empty()) {
        std::fwrite(tests.data(), 1, tests.size(), stdout);
        return exit_ok;
    }
    return write_output(options.output, tests) ? exit_ok : exit_failure;
}

int run_test_command(TestOptions options) {
    if (options.scaffold) return scaffold_command(options);
    if (!options.coverage_format_given) {  // a file's extension names its format
        const std::string extension = std::filesystem::path(options.coverage_output).extension().string();
        if (extension == ".json") options.coverage_format = "json";
        else if (extension == ".info" || extension == ".lcov") options.coverage_format = "lcov";
    }
    const bool coverage = options.coverage || options.coverage_format_given || options.min_coverage >= 0 ||
                          !options.coverage_output.empty();
    // With the coverage data on stdout, everything else goes to stderr.
    std::FILE* const out = coverage && coverage_destination(options) == "-" ? stderr : stdout;
    const bool color = use_color(options.color, fileno(out));
    std::vector<NamedPath> outputs;
    if (!options.junit.empty()) outputs.push_back({"--junit", options.junit});
    if (!options.coverage_output.empty()) outputs.push_back({"--coverage-output", options.coverage_output});
    if (!outputs.empty()) {
        std::vector<NamedPath> inputs;
        for (const std::string& path : options.paths) inputs.push_back({"the flow", path});
        if (!outputs_spare_inputs(inputs, outputs)) return exit_usage;
    }
    std::optional<std::vector<FlowFile>> files = find_flow_files(options.paths);
    if (!files) return exit_failure;
    std::vector<FileRun> runs = compile_and_run(*files);
    if (std::all_of(runs.begin(), runs.end(), [](const FileRun& r) { return r.fragment; }) &&
        !no_flow_allowed(options.paths, options.allow_empty, "flow"))
        return exit_failure;

    bool failed = false;
    bool uncompiled = false;  // then "no test ran" is no news, and "write test blocks" is wrong advice
    std::size_t total = 0, failures = 0;
    std::set<std::pair<std::string, std::uint32_t>> seen;  // a test included by several files runs once
    for (FileRun& r : runs) {
        if (r.fragment) continue;
        if (!r.compiled.ok()) {
            for (const Diagnostic& d : r.compiled.diagnostics)
                if (d.severity == Severity::error) fmt::print(out, "{}", format_text(d, *r.compiled.sources, {color}));
            fmt::print(out, "{}: does not compile; its tests did not run\n", r.path);
            failed = uncompiled = true;
            continue;
        }
        for (std::size_t i = 0; i < r.run.results.size(); ++i) {
            const TestResult& t = r.run.results[i];
            if (seen.emplace(std::string(r.compiled.sources->path(t.span.file)), t.span.begin).second) r.fresh.push_back(i);
        }
        std::size_t file_failures = 0;
        for (std::size_t i : r.fresh) {
            if (r.run.results[i].passed) continue;
            ++file_failures;
            print_failure(out, r, r.run.results[i]);
        }
        total += r.fresh.size();
        failures += file_failures;
        fmt::print(out, "{}: {} test{}, {} passed, {} failed\n", r.path, r.fresh.size(), r.fresh.size() == 1 ? "" : "s",
                   r.fresh.size() - file_failures, file_failures);
    }
    failed |= failures > 0;
    fmt::print(out, "{} passed, {} failed\n", total - failures, failures);
    if (total == 0 && !options.allow_empty && !uncompiled) {
        fmt::print(out, "triage: no test ran (write `test` blocks in the flow, or pass --allow-empty)\n");
        failed = true;
    }
    if (!options.junit.empty()) {
        if (!write_output(options.junit, junit(runs))) return exit_failure;
    }
    if (coverage && !coverage_met(runs, options, out)) failed = true;
    return failed ? exit_failure : exit_ok;
}

}  // namespace

std::function<int()> add_test_command(CLI::App& app) {
    auto options = std::make_shared<TestOptions>();
    CLI::App* cmd = app.add_subcommand("test", "Run the tests written in flow files");
    cmd->add_option("paths", options->paths, "Flow files, or directories searched for *.flow (fragments are tested through the flows that include them)")->required();
    cmd->add_option("--junit", options->junit, "Also write the results as JUnit XML to this file");
    cmd->add_flag("--coverage", options->coverage, "Report the steps, branches and outcomes no test reaches");
    cmd->add_option("--coverage-format", options->coverage_format,
                    "Coverage report format; json and lcov go to --coverage-output, or alone to stdout with the "
                    "summary on stderr")
        ->check(CLI::IsMember({"text", "json", "lcov"}))
        ->capture_default_str()
        ->each([options](const std::string&) { options->coverage_format_given = true; });
    cmd->add_option("--coverage-output", options->coverage_output,
                    "Write the coverage report to this file ('-': stdout), the summary staying on stdout (implies "
                    "--coverage; a .json, .info or .lcov name sets the format)");
    cmd->add_option("--min-coverage", options->min_coverage, "Fail when branch coverage is below this percentage")
        ->check(CLI::Range(0.0, 100.0));
    cmd->add_flag("--allow-empty", options->allow_empty, "Do not fail when no flow is found or no test ran");
    cmd->add_flag("--scaffold", options->scaffold,
                  "Instead of running tests: write a test block for each path through the one flow given, from a "
                  "mention the solver found and the evaluator decided, for you to name and keep");
    cmd->add_option("-o,--output", options->output, "--scaffold: write the tests to this file (never one the flow is read from)");
    cmd->add_option("--color", options->color, "Colour diagnostics")->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->footer("Exit status: 0 when every test passed (and coverage met --min-coverage), 1 otherwise, 2 on usage errors.");
    return [options] { return run_test_command(*options); };
}

}  // namespace triage::cli
