// `triage run FLOW [MENTIONS.jsonl|-]`: one JSON decision per input line, in input order.
//
// The input is read in chunks of whole lines. With one job the main thread reads, decides and
// writes each chunk in turn. With more, the main thread only reads and writes: it fills a fixed
// ring of chunks, workers decide them in parallel (each with its own Evaluator and JSON reader,
// parsing lines in place), and finished chunks are written in input order. Memory is bounded by
// the ring, whatever the input size.
#include "cli/commands.hpp"
#include "cli/flow_loading.hpp"
#include "cli/output_file.hpp"

#include "decision_format.hpp"
#include "triage/evaluator.hpp"
#include "triage/json.hpp"
#include "triage/monitor.hpp"
#include "triage/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
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
    std::string state;
    std::size_t chunk_size = 1 << 20;
};

// Whole lines of input and, once decided, their output lines.
struct Chunk {
    std::string input;  // lines, then JsonRecordReader::padding bytes so they parse in place
    std::size_t size = 0;  // bytes of lines in `input`
    std::uint64_t overlong = 0;  // when not 0: the chunk is one line of this many bytes, past the limit
    std::uint64_t first_line = 0;
    std::string output;
    std::uint64_t first_error_line = 0;  // 0 = none
    std::string first_error;
    // Counts for the summary and --traffic, merged when the chunk is written, so that a --strict
    // stop counts exactly the lines up to the bad one.
    Traffic traffic;
    std::uint64_t errors = 0;
    bool decided = false;  // by a worker, and not yet written
};

struct Worker {
    Worker(const Flow& flow, const JsonOptions& options) : evaluator(flow), reader(flow, options) {}
    Evaluator evaluator;
    JsonRecordReader reader;
    Decision decision;
    JsonWriter json;
};

struct Context {
    const Flow& flow;
    const DecisionJson& decision_json;  // read-only, shared by the workers
    std::optional<std::uint32_t> time_slot;
    TimePoint now;
    bool strict = false;
    std::size_t max_line_bytes = 0;
    Monitor* monitor = nullptr;  // for a flow that keeps state; decided on one thread, in order
    bool latest_from_clock = false;  // no --now: mentions may be dated up to a day past the system clock
};


void decide_chunk(const Context& ctx, Worker& w, Chunk& chunk) {
    chunk.output.clear();
    chunk.first_error_line = 0;
    chunk.errors = 0;
    if (chunk.traffic.step_visits.empty()) chunk.traffic = Traffic::for_flow(ctx.flow);
    else chunk.traffic.clear();
    // An error record for line `number`; false when --strict stops the chunk there.
    auto report = [&](std::uint64_t number, std::string_view message) {
        w.json.clear();
        write_error_json(w.json, number, message);
        chunk.output += w.json.str();
        chunk.output += '\n';
        ++chunk.errors;
        if (chunk.first_error_line != 0) return true;
        chunk.first_error_line = number;
        chunk.first_error = message;
        return !ctx.strict;
    };
    std::uint64_t number = chunk.first_line;
    if (ctx.monitor != nullptr && ctx.latest_from_clock)
        ctx.monitor->set_latest(std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()) + future_margin);
    if (chunk.overlong != 0) {
        report(number, JsonRecordReader::line_too_long(chunk.overlong, ctx.max_line_bytes));
        return;
    }
    const char* at = chunk.input.data();
    const char* const end = at + chunk.size;
    for (; at < end; ++number) {
        const char* newline = static_cast<const char*>(std::memchr(at, '\n', static_cast<std::size_t>(end - at)));
        const char* line_end = newline != nullptr ? newline : end;
        std::string_view line(at, static_cast<std::size_t>(line_end - at));
        at = line_end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
        if (blank || !w.reader.read_padded(line)) {
            if (!report(number, blank ? std::string_view("empty line") : std::string_view(w.reader.error())))
                return;  // --strict: nothing after it is written
            continue;
        }
        TimePoint reference = ctx.now;
        if (ctx.time_slot) {
            FieldValue t = w.reader.value(*ctx.time_slot);
            if (t.kind == ValueKind::time) reference = t.time;
        }
        if (ctx.monitor != nullptr) w.evaluator.evaluate(w.reader.view(), reference, w.decision, *ctx.monitor);
        else w.evaluator.evaluate(w.reader.view(), reference, w.decision);
        chunk.traffic.record(w.decision);
        ctx.decision_json.append(chunk.output, w.decision, number, w.reader.id());
        chunk.output += '\n';
    }
}

// Reads whole lines into chunks; a line longer than the chunk size grows that chunk.
class ChunkReader {
public:
    ChunkReader(std::FILE* in, std::size_t chunk_size, std::size_t max_line_bytes)
        : in_(in), chunk_size_(std::max<std::size_t>(chunk_size, 1)), max_line_bytes_(max_line_bytes) {}

    // Fills `chunk` with the next lines; false at the end of the input.
    bool fill(Chunk& chunk) {
        std::string& buf = chunk.input;
        buf.assign(carry_);
        carry_.clear();
        chunk.overlong = 0;
        std::size_t lines_end = 0;
        std::size_t scanned = 0;  // bytes of buf known to hold no '\n'
        for (;;) {
            if (!eof_ && buf.size() < chunk_size_) {
                read_more(buf, chunk_size_ - buf.size());
                continue;
            }
            if (eof_) {  // everything left, the last line with or without its '\n'
                lines_end = buf.size();
                break;
            }
            if (std::size_t last = std::string_view(buf).substr(scanned).rfind('\n'); last != std::string::npos) {
                lines_end = scanned + last + 1;
                break;
            }
            scanned = buf.size();
            // A line longer than a chunk. Past the line-length limit (with room for a byte-order
            // mark and a CR) it is not kept: the chunk stands for it alone.
            if (buf.size() > max_line_bytes_ + 4) {
                skip_line(chunk, buf);
                return true;
            }
            read_more(buf, std::max(chunk_size_, buf.size()));  // doubling: linear in the line
        }
        carry_.assign(buf, lines_end, std::string::npos);
        buf.resize(lines_end);
        bytes_ += lines_end;
        chunk.size = lines_end;
        chunk.first_line = next_line_;
        auto lines = static_cast<std::uint64_t>(std::count(buf.begin(), buf.end(), '\n'));
        if (lines_end > 0 && buf.back() != '\n') ++lines;
        next_line_ += lines;
        buf.append(JsonRecordReader::padding, '\0');
        return lines_end > 0;
    }

    [[nodiscard]] bool failed() const { return std::ferror(in_) != 0; }
    [[nodiscard]] int error() const { return error_; }  // the errno of the failed read
    [[nodiscard]] std::uint64_t lines() const { return next_line_ - 1; }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }

private:
    // Reads on to the end of the overlong line that `buf` holds the start of, keeping only its
    // length.
    void skip_line(Chunk& chunk, std::string& buf) {
        std::uint64_t length = buf.size();
        bytes_ += buf.size();
        while (!eof_) {
            buf.clear();
            read_more(buf, chunk_size_);
            if (std::size_t newline = buf.find('\n'); newline != std::string::npos) {
                length += newline;
                bytes_ += newline + 1;
                carry_.assign(buf, newline + 1, std::string::npos);
                break;
            }
            length += buf.size();
            bytes_ += buf.size();
        }
        buf.assign(JsonRecordReader::padding, '\0');
        chunk.size = 0;
        chunk.overlong = length;
        chunk.first_line = next_line_++;
    }

    void read_more(std::string& buf, std::size_t n) {
        std::size_t have = buf.size();
        buf.resize(have + n);
        errno = 0;
        std::size_t got = std::fread(buf.data() + have, 1, n, in_);
        buf.resize(have + got);
        if (got < n) eof_ = true;
        if (got < n && std::ferror(in_) != 0 && error_ == 0) error_ = errno != 0 ? errno : EIO;
    }

    std::FILE* in_;
    std::size_t chunk_size_;
    std::size_t max_line_bytes_;
    std::string carry_;  // the start of a line that the last read cut
    bool eof_ = false;
    int error_ = 0;
    std::uint64_t next_line_ = 1;
    std::uint64_t bytes_ = 0;
};

class Progress {
public:
    explicit Progress(std::uintmax_t input_size) : enabled_(isatty(STDERR_FILENO) != 0), input_size_(input_size) {}
    void update(std::uint64_t lines, std::uint64_t bytes) {
        if (!enabled_) return;
        auto now = std::chrono::steady_clock::now();
        if (now - shown_ < std::chrono::milliseconds(100)) return;
        shown_ = now;
        double seconds = std::chrono::duration<double>(now - started_).count();
        double rate = seconds > 0 ? static_cast<double>(lines) / seconds : 0.0;
        if (input_size_ > 0) {
            double done = std::min(1.0, static_cast<double>(bytes) / static_cast<double>(input_size_));
            auto filled = static_cast<std::size_t>(done * 30);
            fmt::print(stderr, "\r[{}{}] {:3.0f}%  {} mentions, {:.0f}/s", std::string(filled, '#'),
                       std::string(30 - filled, '.'), done * 100, lines, rate);
        } else {
            fmt::print(stderr, "\r{} mentions, {:.0f}/s", lines, rate);
        }
    }
    ~Progress() {
        if (enabled_) fmt::print(stderr, "\r\x1b[K");
    }

private:
    bool enabled_;
    std::uintmax_t input_size_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point shown_{};
};

struct Totals {
    Traffic traffic;
    std::uint64_t errors = 0;
};

// Writes a decided chunk and adds its counts; under --strict, stops before its first bad line.
// False = stop (--strict, or the output failed: nothing more is decided).
bool write_chunk(const Chunk& chunk, bool strict, OutputFile& out, Totals& totals) {
    totals.traffic.merge(chunk.traffic);
    totals.errors += chunk.errors;
    if (strict && chunk.first_error_line != 0) {
        std::size_t keep = 0;
        for (std::uint64_t l = chunk.first_line; l < chunk.first_error_line; ++l) keep = chunk.output.find('\n', keep) + 1;
        out.write(std::string_view(chunk.output).substr(0, keep));
        fmt::print(stderr, "triage: line {}: {} (--strict stops here)\n", chunk.first_error_line, chunk.first_error);
        return false;
    }
    return out.write(chunk.output);
}

// One job: read, decide, write, chunk after chunk on this thread.
bool run_serial(const Context& ctx, ChunkReader& reader, Worker& worker, OutputFile& out, Progress& progress,
                Totals& totals) {
    Chunk chunk;
    while (reader.fill(chunk)) {
        decide_chunk(ctx, worker, chunk);
        if (!write_chunk(chunk, ctx.strict, out, totals)) return false;
        progress.update(reader.lines(), reader.bytes());
    }
    return true;
}

// Several jobs: this thread reads into a ring of chunks and writes them back in order; the
// workers decide filled chunks in the order they were read.
bool run_parallel(const Context& ctx, ChunkReader& reader, std::vector<std::unique_ptr<Worker>>& workers,
                  OutputFile& out, Progress& progress, Totals& totals) {
    std::vector<Chunk> ring(workers.size() * 2 + 2);
    std::mutex mutex;
    std::condition_variable filled_cv;   // workers wait for a filled chunk
    std::condition_variable decided_cv;  // the writer waits for the oldest chunk
    std::uint64_t next_to_fill = 0, next_to_decide = 0, next_to_write = 0;
    bool input_done = false, stopping = false;

    auto work = [&](Worker& w) {
        for (;;) {
            std::unique_lock lock(mutex);
            filled_cv.wait(lock, [&] { return stopping || next_to_decide < next_to_fill || input_done; });
            if (stopping || next_to_decide == next_to_fill) return;
            Chunk& chunk = ring[next_to_decide++ % ring.size()];
            lock.unlock();
            decide_chunk(ctx, w, chunk);
            lock.lock();
            chunk.decided = true;
            decided_cv.notify_one();
        }
    };
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back(work, std::ref(*w));

    bool ok = true;
    for (;;) {
        std::unique_lock lock(mutex);
        Chunk& oldest = ring[next_to_write % ring.size()];
        const bool ring_full = next_to_fill - next_to_write == ring.size();
        if (next_to_write < next_to_fill && (ring_full || input_done || oldest.decided)) {
            decided_cv.wait(lock, [&] { return oldest.decided; });
            lock.unlock();
            ok = write_chunk(oldest, ctx.strict, out, totals);
            progress.update(reader.lines(), reader.bytes());
            lock.lock();
            oldest.decided = false;
            ++next_to_write;
            if (!ok) break;
            continue;
        }
        if (input_done) break;  // and everything is written
        Chunk& free = ring[next_to_fill % ring.size()];
        lock.unlock();
        const bool more = reader.fill(free);
        lock.lock();
        if (more) ++next_to_fill;
        else input_done = true;
        filled_cv.notify_all();
    }
    {
        std::lock_guard lock(mutex);
        stopping = true;
    }
    filled_cv.notify_all();
    for (std::thread& t : threads) t.join();
    return ok;
}

void print_state_summary(const Monitor& monitor) {
    const MonitorStats stats = monitor.stats();
    fmt::print(stderr, "state: {} late and {} dated in the future (not counted), {} without a time, {} group{} held, {} dropped",
               stats.late, stats.future, stats.without_time, stats.groups, stats.groups == 1 ? "" : "s",
               stats.groups_dropped);
    for (std::size_t i = 0; i < monitor.crises().size(); ++i) {
        const CrisisState& c = monitor.crises()[i];
        if (c.active)
            fmt::print(stderr, "; crisis {} active since {}", monitor.flow().crises()[i].name, format_time(c.since));
    }
    fmt::print(stderr, "\n");
}

int run(const RunOptions& options) {
    std::optional<Flow> loaded = load_flow(options.flow, options.color);
    if (!loaded) return exit_failure;
    const Flow& flow = *loaded;

    // Before anything is read or written: an output that is an input would destroy it.
    std::vector<NamedPath> inputs = flow_inputs(flow);
    inputs.push_back({"the mentions", options.input});
    std::vector<NamedPath> outputs{{"-o", options.output}};
    if (!options.traffic.empty()) outputs.push_back({"--traffic", options.traffic});
    if (!options.state.empty()) outputs.push_back({"--state", options.state});
    if (!outputs_spare_inputs(inputs, outputs)) return exit_usage;

    JsonOptions json_options = cli::json_options();
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
    } else if (flow.clock()) {
        time_slot = flow.clock()->field;
    }
    std::optional<Monitor> monitor;
    if (flow.keeps_state()) {
        monitor.emplace(flow, compile_options().limits);
        if (!options.state.empty() && !restore_state(options.state, *monitor, true)) return exit_failure;
    } else if (!options.state.empty()) {
        fmt::print(stderr, "triage: --state {}: the flow has no windows or crises, so there is no state to keep\n",
                   options.state);
        return exit_usage;
    }
    std::optional<TimePoint> reference = reference_time(options.now);
    if (!reference) return exit_usage;
    const TimePoint now = *reference;

    std::FILE* in = stdin;
    std::uintmax_t input_size = 0;  // for the progress bar; 0 when unknown (a pipe)
    if (options.input != "-") {
        std::error_code ec;
        input_size = std::filesystem::file_size(options.input, ec);
        if (ec) input_size = 0;
        in = std::fopen(options.input.c_str(), "rb");
        if (in == nullptr || std::filesystem::is_directory(options.input, ec)) {
            fmt::print(stderr, "triage: cannot read '{}': {}\n", options.input,
                       in == nullptr ? std::strerror(errno) : "it is a directory");
            if (in != nullptr) std::fclose(in);
            return exit_failure;
        }
    }
    std::optional<OutputFile> out = OutputFile::open(options.output);
    if (!out) {
        if (in != stdin) std::fclose(in);
        return exit_failure;
    }

    unsigned jobs = options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    if (monitor && jobs > 1) {
        if (options.jobs > 1)
            fmt::print(stderr, "triage: note: the flow keeps state (windows, crises), so mentions are decided in "
                               "order on one thread; -j {} is not used\n", options.jobs);
        jobs = 1;
    }
    std::vector<std::unique_ptr<Worker>> workers;
    for (unsigned j = 0; j < jobs; ++j) workers.push_back(std::make_unique<Worker>(flow, json_options));
    const DecisionJson decision_json(flow);
    if (monitor && !options.now.empty()) monitor->set_latest(now + future_margin);
    const Context ctx{flow, decision_json, time_slot, now, options.strict, json_options.max_line_bytes,
                      monitor ? &*monitor : nullptr, options.now.empty()};
    Totals totals{Traffic::for_flow(flow), 0};
    ChunkReader reader(in, options.chunk_size, json_options.max_line_bytes);
    int status = exit_ok;
    {
        Progress progress(input_size);
        bool completed = jobs == 1 ? run_serial(ctx, reader, *workers[0], *out, progress, totals)
                                   : run_parallel(ctx, reader, workers, *out, progress, totals);
        if (!completed) status = exit_failure;
    }
    if (reader.failed()) {
        fmt::print(stderr, "triage: reading '{}' failed after line {}: {}\n", options.input, reader.lines(),
                   std::strerror(reader.error() != 0 ? reader.error() : EIO));
        status = exit_failure;
    }
    if (in != stdin) std::fclose(in);
    // Decisions first, then what counts them: a saved state or traffic file never counts a
    // mention whose decision was not written.
    if (!out->commit()) {
        if (!options.state.empty()) fmt::print(stderr, "triage: --state {} was not saved\n", options.state);
        return exit_failure;
    }
    if (monitor && !options.state.empty() && !write_output(options.state, monitor->snapshot() + '\n'))
        status = exit_failure;

    const Traffic& traffic = totals.traffic;
    const std::uint64_t errors = totals.errors;
    if (!options.traffic.empty() && !write_output(options.traffic, traffic.to_json(flow) + '\n')) status = exit_failure;
    const std::uint64_t total = traffic.mentions + errors;
    fmt::print(stderr, "{} mention{}:", total, total == 1 ? "" : "s");
    for (std::size_t i = 0; i < traffic.outcome_counts.size(); ++i)
        if (traffic.outcome_counts[i] > 0) fmt::print(stderr, " {} {},", flow.outcomes()[i].name, traffic.outcome_counts[i]);
    fmt::print(stderr, " no outcome {}, errors {}\n", traffic.fell_through, errors);
    if (monitor) print_state_summary(*monitor);
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
    cmd->add_option("-j,--jobs", options->jobs, "Worker threads, at most 256 (default: all cores)")
        ->check(CLI::Range(0u, 256u));
    cmd->add_flag("--strict", options->strict, "Stop with exit status 1 at the first line that cannot be read");
    cmd->add_option("--fields", options->renames, "Map a record key onto a flow field: KEY=FIELD (repeatable)");
    cmd->add_option("--now", options->now, "Reference time for deadlines (default: the current time)");
    cmd->add_option("--time-field", options->time_field,
                    "A time field whose value, when present, is the reference time for that mention "
                    "(default: the flow's clock)");
    cmd->add_option("--state", options->state,
                    "Keep the state of windows and crisis modes in this file: read at the start if it exists, "
                    "written at the end");
    cmd->add_option("--color", options->color, "Colour diagnostics")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    cmd->add_option("--chunk-size", options->chunk_size,
                    "Bytes of input read and decided as one unit of work (whole lines; default 1 MiB)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
    cmd->add_option("--traffic", options->traffic,
                    "Also write per-step, per-branch and per-outcome counts (JSON) for 'triage graph --traffic'");
    cmd->footer(
        "Every input line gives exactly one output line: a decision, or {\"line\": N, \"error\": ...}. "
        "A summary goes to stderr. Exit status: 0, or 1 if the flow has errors or --strict met a bad line.");
    return [options] { return run(*options); };
}

}  // namespace triage::cli
