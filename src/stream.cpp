#include "triage/stream.hpp"

#include "triage/decision_format.hpp"
#include "triage/json_writer.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace triage {

namespace {

TimePoint system_now() { return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()); }

// The latest mention time a monitor believes: `now` plus the margin, within the years a Monitor
// accepts (0000-9999), so that --now 9999-12-31T23:59:59Z is a time like any other.
TimePoint latest_believed(TimePoint now, Duration margin) {
    constexpr TimePoint last{std::chrono::milliseconds(253402300799999)};  // 9999-12-31T23:59:59.999Z
    return now > last - margin ? last : now + margin;
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// How many mentions share one reading of the system clock for the future margin.
constexpr std::uint32_t clock_reading_every = 1024;

}  // namespace

struct Stream::Impl {
    Impl(Flow f, StreamOptions o)
        : flow(std::move(f)), options(std::move(o)), reader(flow, options.json), evaluator(flow) {
        evaluator.record_matches(options.matches);
        if (options.time_field) {
            if (*options.time_field >= flow.fields().size() || flow.fields()[*options.time_field].type != FieldType::time)
                throw std::invalid_argument("StreamOptions::time_field is not a time field of the flow");
            time_slot = options.time_field;
        } else if (flow.clock()) {
            time_slot = flow.clock()->field;
        }
        latest_from_system_clock = !options.now;
        if (!options.now) options.now = system_now();
        if (flow.keeps_state()) {
            monitor.emplace(flow, options.limits);
            if (!latest_from_system_clock && options.future_margin)
                monitor->set_latest(latest_believed(*options.now, *options.future_margin));
        }
    }

    // The reference time for a mention.
    [[nodiscard]] TimePoint reference_of(const RecordView& record) const {
        if (time_slot) {
            FieldValue t = record.get(*time_slot);
            if (t.kind == ValueKind::time) return t.time;
        }
        return *options.now;
    }

    // Reads one line of text; false, with `error`, when it is no mention.
    bool read(std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (blank(line)) return refuse("empty line");
        if (!reader.read(line)) return refuse(reader.error());
        return true;
    }

    // Counts (for a flow that keeps state) and decides one mention.
    void decide_view(const RecordView& record, Decision& decision, Trace* trace) {
        reference = reference_of(record);
        if (!monitor) {
            if (trace != nullptr) evaluator.explain(record, reference, decision, *trace);
            else evaluator.evaluate(record, reference, decision);
            return;
        }
        if (latest_from_system_clock && options.future_margin && until_clock_reading-- == 0) {
            monitor->set_latest(latest_believed(system_now(), *options.future_margin));
            until_clock_reading = clock_reading_every - 1;
        }
        if (trace != nullptr) evaluator.explain(record, reference, decision, *trace, *monitor);
        else evaluator.evaluate(record, reference, decision, *monitor);
    }
    void decide_read(Decision& decision, Trace* trace) { decide_view(reader.view(), decision, trace); }

    bool refuse(std::string_view why) {
        error.assign(why);
        return false;
    }

    Flow flow;
    StreamOptions options;  // `now` resolved
    JsonRecordReader reader;
    Evaluator evaluator;
    std::optional<Monitor> monitor;
    std::optional<std::uint32_t> time_slot;
    bool latest_from_system_clock = false;
    std::uint32_t until_clock_reading = 0;
    TimePoint reference{};
    std::string error;
};

Stream::Stream(Flow flow, StreamOptions options) : impl_(std::make_unique<Impl>(std::move(flow), std::move(options))) {}
Stream::~Stream() = default;
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

const Flow& Stream::flow() const noexcept { return impl_->flow; }
const StreamOptions& Stream::options() const noexcept { return impl_->options; }
Monitor* Stream::monitor() noexcept { return impl_->monitor ? &*impl_->monitor : nullptr; }
const Monitor* Stream::monitor() const noexcept { return impl_->monitor ? &*impl_->monitor : nullptr; }
const std::string& Stream::error() const noexcept { return impl_->error; }
std::string_view Stream::id() const noexcept { return impl_->reader.id(); }
FieldValue Stream::value(std::uint32_t slot) const noexcept { return impl_->reader.value(slot); }
TimePoint Stream::reference() const noexcept { return impl_->reference; }

bool Stream::decide(std::string_view line, Decision& decision) {
    if (!impl_->read(line)) return false;
    impl_->decide_read(decision, nullptr);
    return true;
}

bool Stream::explain(std::string_view line, Decision& decision, Trace& trace) {
    if (!impl_->read(line)) return false;
    impl_->decide_read(decision, &trace);
    return true;
}

std::optional<TimePoint> Stream::reference_for(std::string_view line) {
    if (!impl_->read(line)) return std::nullopt;
    return impl_->reference_of(impl_->reader.view());
}

void Stream::decide(const RecordView& record, Decision& decision) { impl_->decide_view(record, decision, nullptr); }

void Stream::explain(const RecordView& record, Decision& decision, Trace& trace) {
    impl_->decide_view(record, decision, &trace);
}

bool Stream::decide(const LineReader::Line& line, Decision& decision) {
    if (line.overlong != 0)
        return impl_->refuse(JsonRecordReader::line_too_long(line.overlong, impl_->options.json.max_line_bytes));
    if (blank(line.text)) return impl_->refuse("empty line");
    if (!impl_->reader.read_padded(line.text)) return impl_->refuse(impl_->reader.error());
    impl_->decide_read(decision, nullptr);
    return true;
}

// ---- run_stream: a whole input, in order, on several threads --------------------------------

namespace {

// Whole lines of input and, once decided, their output lines.
struct Chunk {
    LineChunk lines;
    std::string output;
    std::uint64_t first_error_line = 0;  // 0 = none
    std::string first_error;
    // Counts, merged when the chunk is written, so that a strict stop counts exactly the lines
    // up to the bad one.
    Traffic traffic;
    std::uint64_t errors = 0;
    ErrorTally error_reasons;
    bool decided = false;  // by a worker, and not yet written
};

struct Worker {
    Stream& stream;
    Decision decision;
    JsonWriter json;
};

void decide_chunk(Worker& w, const DecisionJson& decision_json, bool strict, Chunk& chunk) {
    chunk.output.clear();
    chunk.first_error_line = 0;
    chunk.errors = 0;
    chunk.error_reasons.clear();
    if (chunk.traffic.step_visits.empty()) chunk.traffic = Traffic::for_flow(w.stream.flow());
    else chunk.traffic.clear();
    // An error record for line `number`; false when `strict` stops the chunk there.
    auto report = [&](std::uint64_t number, std::string_view message) {
        w.json.clear();
        write_error_json(w.json, number, message);
        chunk.output += w.json.str();
        chunk.output += '\n';
        ++chunk.errors;
        chunk.error_reasons.add(number, message);
        if (chunk.first_error_line != 0) return true;
        chunk.first_error_line = number;
        chunk.first_error = message;
        return !strict;
    };
    const LineChunk& in = chunk.lines;
    if (in.overlong != 0) {
        if (!w.stream.decide(LineReader::Line{in.first_line, {}, in.overlong}, w.decision))
            report(in.first_line, w.stream.error());
        return;
    }
    std::size_t at = 0;
    for (std::uint64_t number = in.first_line; at < in.size; ++number) {
        if (!w.stream.decide(LineReader::Line{number, in.line_at(at), 0}, w.decision)) {
            if (!report(number, w.stream.error())) return;  // strict: nothing after it is decided
            continue;
        }
        chunk.traffic.record(w.decision);
        decision_json.append(chunk.output, w.decision, number, w.stream.id());
        chunk.output += '\n';
    }
}

// Hands a decided chunk to the sink and adds its counts; with `strict`, stops before its first
// bad line. False = stop.
bool write_chunk(const Chunk& chunk, const RunStreamOptions& options, StreamSummary& summary) {
    summary.traffic.merge(chunk.traffic);
    summary.errors += chunk.errors;
    summary.error_reasons.merge(chunk.error_reasons);
    if (options.strict && chunk.first_error_line != 0) {
        std::size_t keep = 0;
        for (std::uint64_t l = chunk.lines.first_line; l < chunk.first_error_line; ++l)
            keep = chunk.output.find('\n', keep) + 1;
        if (!options.sink(std::string_view(chunk.output).substr(0, keep))) summary.sink_failed = true;
        summary.strict_line = chunk.first_error_line;
        summary.strict_error = chunk.first_error;
        return false;
    }
    if (!options.sink(chunk.output)) {
        summary.sink_failed = true;
        return false;
    }
    return true;
}

void run_serial(Worker& worker, const DecisionJson& decision_json, LineReader& reader, const RunStreamOptions& options,
                StreamSummary& summary) {
    Chunk chunk;
    while (reader.fill(chunk.lines)) {
        decide_chunk(worker, decision_json, options.strict, chunk);
        if (!write_chunk(chunk, options, summary)) return;
        if (options.progress) options.progress(reader.lines(), reader.bytes());
    }
}

// This thread reads into a ring of chunks and writes them back in order; the workers decide
// filled chunks in the order they were read.
void run_parallel(std::vector<Worker>& workers, const DecisionJson& decision_json, LineReader& reader,
                  const RunStreamOptions& options, StreamSummary& summary) {
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
            decide_chunk(w, decision_json, options.strict, chunk);
            lock.lock();
            chunk.decided = true;
            decided_cv.notify_one();
        }
    };
    std::vector<std::thread> threads;
    for (Worker& w : workers) threads.emplace_back(work, std::ref(w));

    for (;;) {
        std::unique_lock lock(mutex);
        Chunk& oldest = ring[next_to_write % ring.size()];
        const bool ring_full = next_to_fill - next_to_write == ring.size();
        if (next_to_write < next_to_fill && (ring_full || input_done || oldest.decided)) {
            decided_cv.wait(lock, [&] { return oldest.decided; });
            lock.unlock();
            const bool go_on = write_chunk(oldest, options, summary);
            if (options.progress) options.progress(reader.lines(), reader.bytes());
            lock.lock();
            oldest.decided = false;
            ++next_to_write;
            if (!go_on) break;
            continue;
        }
        if (input_done) break;  // and everything is written
        Chunk& free = ring[next_to_fill % ring.size()];
        lock.unlock();
        const bool more = reader.fill(free.lines);
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
}

}  // namespace

StreamSummary run_stream(Stream& stream, ByteSource input, const RunStreamOptions& options) {
    StreamSummary summary;
    summary.traffic = Traffic::for_flow(stream.flow());
    LineReader reader(std::move(input), stream.options().json.max_line_bytes, options.chunk_size);
    const DecisionJson decision_json(stream.flow());
    // A flow that keeps state needs its mentions in order, on one monitor: one thread.
    const unsigned jobs = stream.monitor() != nullptr ? 1 : std::max(1u, options.jobs);
    if (jobs == 1) {
        Worker worker{stream, {}, {}};
        run_serial(worker, decision_json, reader, options, summary);
    } else {
        // Copies of the stream for the other threads: the same options, `now` included.
        std::vector<Stream> copies;
        copies.reserve(jobs - 1);
        for (unsigned j = 1; j < jobs; ++j) copies.emplace_back(stream.flow(), stream.options());
        std::vector<Worker> workers;
        workers.reserve(jobs);
        workers.push_back(Worker{stream, {}, {}});
        for (Stream& copy : copies) workers.push_back(Worker{copy, {}, {}});
        run_parallel(workers, decision_json, reader, options, summary);
    }
    summary.lines = reader.lines();
    summary.bytes = reader.bytes();
    summary.read_error = reader.error();
    return summary;
}

}  // namespace triage
