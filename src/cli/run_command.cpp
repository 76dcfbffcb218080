// `triage run FLOW [MENTIONS.jsonl|-]`: one JSON decision per input line, in input order.
//
// The input is read in rounds of batches; within a round the batches are evaluated in parallel
// (one Evaluator and JSON reader per worker) and then written in order, so memory stays bounded
// by the round size whatever the input size.
#include "cli/commands.hpp"
#include "cli/flow_loading.hpp"

#include "decision_format.hpp"
#include "triage/evaluator.hpp"
#include "triage/json.hpp"
#include "triage/render.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

namespace triage::cli {

namespace {

struct RunOptions {
    std::string flow;
    std::string input = "-";
    std::string output = "-";
    unsigned jobs = 0;
    bool strict = false;
    std::vector<std::string> renames;
    std::string now;
    std::string time_field;
    std::string color = "auto";
    std::string traffic;
    std::size_t batch_lines = 4096;
};

struct Batch {
    std::uint64_t first_line = 0;
    std::vector<std::string> lines;
    std::string output;
    std::uint64_t first_error_line = 0;  // 0 = none
    std::string first_error;
};

struct Worker {
    Worker(const Flow& flow, const JsonOptions& options) : evaluator(flow), reader(flow, options) {}
    Evaluator evaluator;
    JsonRecordReader reader;
    Decision decision;
    JsonWriter json;
    std::uint64_t errors = 0;
    Traffic traffic;  // outcome counts for the summary, and the --traffic file
};

void process(const Flow& flow, std::optional<std::uint32_t> time_slot, TimePoint now, Worker& w, Batch& batch) {
    batch.output.clear();
    for (std::size_t i = 0; i < batch.lines.size(); ++i) {
        std::string_view line = batch.lines[i];
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::uint64_t number = batch.first_line + i;
        w.json.clear();
        bool ok = line.find_first_not_of(" \t") != std::string_view::npos && w.reader.read(line);
        if (!ok) {
            std::string message = line.find_first_not_of(" \t") == std::string_view::npos ? "empty line" : w.reader.error();
            write_error_json(w.json, number, message);
            ++w.errors;
            if (batch.first_error_line == 0) {
                batch.first_error_line = number;
                batch.first_error = message;
            }
        } else {
            TimePoint reference = now;
            if (time_slot) {
                FieldValue t = w.reader.value(*time_slot);
                if (t.kind == ValueKind::time) reference = t.time;
            }
            w.evaluator.evaluate(w.reader.view(), reference, w.decision);
            w.traffic.record(w.decision);
            write_decision_json(w.json, flow, w.decision, number, w.reader.id());
        }
        batch.output += w.json.str();
        batch.output += '\n';
    }
}

int run(const RunOptions& options) {
    std::optional<Flow> loaded = load_flow(options.flow, options.color);
    if (!loaded) return exit_failure;
    const Flow& flow = *loaded;

    JsonOptions json_options;
    for (const std::string& rename : options.renames) {
        auto eq = rename.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == rename.size()) {
            fmt::print(stderr, "triage: --fields takes KEY=FIELD, not '{}'\n", rename);
            return exit_usage;
        }
        std::string field = rename.substr(eq + 1);
        if (!flow.find_field(field)) {
            fmt::print(stderr, "triage: --fields {}: the flow has no field '{}'\n", rename, field);
            return exit_usage;
        }
        json_options.renames.emplace_back(rename.substr(0, eq), field);
    }
    std::optional<std::uint32_t> time_slot;
    if (!options.time_field.empty()) {
        time_slot = flow.find_field(options.time_field);
        if (!time_slot || flow.fields()[*time_slot].type != FieldType::time) {
            fmt::print(stderr, "triage: --time-field {}: the flow has no time field of that name\n", options.time_field);
            return exit_usage;
        }
    }
    std::optional<TimePoint> reference = reference_time(options.now);
    if (!reference) return exit_usage;
    const TimePoint now = *reference;

    std::ifstream file;
    std::istream* in = &std::cin;
    std::uintmax_t input_size = 0;  // for the progress bar; 0 when unknown (a pipe)
    if (options.input != "-") {
        std::error_code ec;
        input_size = std::filesystem::file_size(options.input, ec);
        if (ec) input_size = 0;
        file.open(options.input, std::ios::binary);
        if (!file) {
            fmt::print(stderr, "triage: cannot read '{}'\n", options.input);
            return exit_failure;
        }
        in = &file;
    }
    std::FILE* out = stdout;
    if (options.output != "-") {
        out = std::fopen(options.output.c_str(), "wb");
        if (out == nullptr) {
            fmt::print(stderr, "triage: cannot write '{}'\n", options.output);
            return exit_failure;
        }
    }
    std::ios::sync_with_stdio(false);

    const unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned j = 0; j < jobs; ++j) {
        workers.push_back(std::make_unique<Worker>(flow, json_options));
        workers.back()->traffic = Traffic::for_flow(flow);
    }
    std::vector<Batch> round(jobs * 4);
    const bool progress = isatty(STDERR_FILENO) != 0;
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t next_line = 1;
    std::uintmax_t bytes_read = 0;
    bool input_done = false;
    int status = exit_ok;

    while (!input_done && status == exit_ok) {
        std::size_t filled = 0;
        for (Batch& batch : round) {
            batch.lines.clear();
            batch.first_line = next_line;
            batch.first_error_line = 0;
            std::string line;
            while (batch.lines.size() < options.batch_lines && std::getline(*in, line)) {
                bytes_read += line.size() + 1;
                batch.lines.push_back(std::move(line));
            }
            next_line += batch.lines.size();
            if (batch.lines.empty()) {
                input_done = true;
                break;
            }
            ++filled;
            if (batch.lines.size() < options.batch_lines) {
                input_done = true;
                break;
            }
        }
        std::atomic<std::size_t> next_batch{0};
        auto work = [&](Worker& w) {
            for (std::size_t b; (b = next_batch.fetch_add(1)) < filled;) process(flow, time_slot, now, w, round[b]);
        };
        std::vector<std::thread> threads;
        for (unsigned j = 1; j < jobs && j < filled; ++j) threads.emplace_back(work, std::ref(*workers[j]));
        work(*workers[0]);
        for (std::thread& t : threads) t.join();

        for (std::size_t b = 0; b < filled; ++b) {
            Batch& batch = round[b];
            if (options.strict && batch.first_error_line != 0) {
                // Write the decisions before the bad line, then stop.
                std::size_t keep = 0;
                for (std::uint64_t l = batch.first_line; l < batch.first_error_line; ++l)
                    keep = batch.output.find('\n', keep) + 1;
                std::fwrite(batch.output.data(), 1, keep, out);
                fmt::print(stderr, "triage: line {}: {} (--strict stops here)\n", batch.first_error_line, batch.first_error);
                status = exit_failure;
                break;
            }
            std::fwrite(batch.output.data(), 1, batch.output.size(), out);
        }
        if (progress) {
            double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            double rate = seconds > 0 ? static_cast<double>(next_line - 1) / seconds : 0.0;
            if (input_size > 0) {
                double done = std::min(1.0, static_cast<double>(bytes_read) / static_cast<double>(input_size));
                auto filled_width = static_cast<std::size_t>(done * 30);
                fmt::print(stderr, "\r[{}{}] {:3.0f}%  {} mentions, {:.0f}/s", std::string(filled_width, '#'),
                           std::string(30 - filled_width, '.'), done * 100, next_line - 1, rate);
            } else {
                fmt::print(stderr, "\r{} mentions, {:.0f}/s", next_line - 1, rate);
            }
        }
    }
    if (progress) fmt::print(stderr, "\r\x1b[K");
    std::fflush(out);
    if (out != stdout) std::fclose(out);

    Traffic traffic = Traffic::for_flow(flow);
    std::uint64_t errors = 0;
    for (const auto& w : workers) {
        traffic.merge(w->traffic);
        errors += w->errors;
    }
    if (!options.traffic.empty()) {
        std::ofstream traffic_file(options.traffic, std::ios::binary | std::ios::trunc);
        traffic_file << traffic.to_json(flow) << '\n';
        if (!traffic_file) {
            fmt::print(stderr, "triage: cannot write '{}'\n", options.traffic);
            status = exit_failure;
        }
    }
    const std::uint64_t total = traffic.mentions + errors;
    fmt::print(stderr, "{} mention{}:", total, total == 1 ? "" : "s");
    for (std::size_t i = 0; i < traffic.outcome_counts.size(); ++i)
        if (traffic.outcome_counts[i] > 0) fmt::print(stderr, " {} {},", flow.outcomes()[i].name, traffic.outcome_counts[i]);
    fmt::print(stderr, " no outcome {}, errors {}\n", traffic.fell_through, errors);
    return status;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Decide every mention of a JSON Lines stream");
    cmd->add_option("flow", options->flow, "The flow file")->required();
    cmd->add_option("mentions", options->input, "JSON Lines input, one mention per line ('-' = stdin)")
        ->capture_default_str();
    cmd->add_option("-o,--output", options->output, "Where to write decisions ('-' = stdout)")->capture_default_str();
    cmd->add_option("-j,--jobs", options->jobs, "Worker threads (default: all cores)");
    cmd->add_flag("--strict", options->strict, "Stop with exit status 1 at the first line that cannot be read");
    cmd->add_option("--fields", options->renames, "Map a record key onto a flow field: KEY=FIELD (repeatable)");
    cmd->add_option("--now", options->now, "Reference time for deadlines (default: the current time)");
    cmd->add_option("--time-field", options->time_field,
                    "A time field whose value, when present, is the reference time for that mention");
    cmd->add_option("--color", options->color, "Colour diagnostics")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->add_option("--traffic", options->traffic,
                    "Also write per-step, per-branch and per-outcome counts (JSON) for 'triage graph --traffic'");
    cmd->footer(
        "Every input line gives exactly one output line: a decision, or {\"line\": N, \"error\": ...}. "
        "A summary goes to stderr. Exit status: 0, or 1 if the flow has errors or --strict met a bad line.");
    return [options] { return run(*options); };
}

}  // namespace triage::cli
