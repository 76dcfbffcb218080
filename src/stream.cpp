#include "triage/stream.hpp"

#include "reorder_buffer.hpp"
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
    return now > latest_time - margin ? latest_time : now + margin;
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view without_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

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
        if (options.reorder < Duration(0)) throw std::invalid_argument("StreamOptions::reorder is negative");
        latest_from_system_clock = !options.now;
        if (!options.now) options.now = system_now();
        if (flow.keeps_state()) {
            monitor.emplace(flow, options.limits);
            if (!latest_from_system_clock && options.future_margin)
                believe_until(latest_believed(*options.now, *options.future_margin));
            // A flow that keeps state has a clock (T028); without one there would be no order.
            if (flow.clock()) {
                clock_slot = flow.clock()->field;
                if (options.reorder > Duration(0)) reorder.emplace(options.reorder, options.limits.reorder_buffer);
            }
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
        line = without_cr(line);
        if (blank(line)) return refuse("empty line");
        if (!reader.read(line)) return refuse(reader.error());
        return true;
    }
    // The same for a line as LineReader gives it, parsed in place.
    bool read(const LineReader::Line& line) {
        if (line.overlong != 0)
            return refuse(JsonRecordReader::line_too_long(line.overlong, options.json.max_line_bytes));
        if (blank(line.text)) return refuse("empty line");
        if (!reader.read_padded(line.text)) return refuse(reader.error());
        return true;
    }

    void believe_until(TimePoint latest) {
        monitor->set_latest(latest);
        believed_until = latest;
    }

    // A mention arrives (for a flow that keeps state): the system clock is read now and then for
    // the future margin, and the mention's time, if the Monitor will believe it, is noted in the
    // arrival order and returned.
    std::optional<TimePoint> arrive(const RecordView& record) {
        if (latest_from_system_clock && options.future_margin && until_clock_reading-- == 0) {
            believe_until(latest_believed(system_now(), *options.future_margin));
            until_clock_reading = clock_reading_every - 1;
        }
        if (!clock_slot) return std::nullopt;
        const FieldValue t = record.get(*clock_slot);
        if (t.kind != ValueKind::time || !in_time_range(t.time) || (believed_until && t.time > *believed_until))
            return std::nullopt;
        arrivals.arrive(t.time);
        return t.time;
    }

    // Whether a mention is decided as it arrives, or arrived earlier and was held (reorder).
    enum class Arrived : bool { now, earlier };

    // Counts (for a flow that keeps state) and decides one mention.
    void decide_view(const RecordView& record, Decision& decision, Trace* trace, Arrived arrived = Arrived::now) {
        reference = reference_of(record);
        if (!monitor) {
            if (trace != nullptr) evaluator.explain(record, reference, decision, *trace);
            else evaluator.evaluate(record, reference, decision);
            return;
        }
        if (arrived == Arrived::now) arrive(record);
        if (trace != nullptr) evaluator.explain(record, reference, decision, *trace, *monitor);
        else evaluator.evaluate(record, reference, decision, *monitor);
    }
    void decide_read(Decision& decision, Trace* trace) { decide_view(reader.view(), decision, trace); }

    // feed(), before the line is read (a mention let go reads its own line again): room for it.
    void make_room(Decision& decision, const Decided& decided) {
        if (reorder)
            while (reorder->full()) release(*reorder->take_oldest(true), decision, decided);
    }

    // feed(), once the line is read: `text` is its JSON when `ok`, for holding it.
    void feed(std::uint64_t line, bool ok, std::string_view text, Decision& decision, const Decided& decided) {
        if (!reorder) {
            if (ok) decide_read(decision, nullptr);
            decided(line, ok);
            return;
        }
        if (!ok) {
            reorder->pass(line);
            decided(line, false);
            return;
        }
        // A mention without a time the Monitor believes waits at the newest time arrived, in the
        // place it arrived; before any time has arrived, nothing is held and it goes at once.
        const std::optional<TimePoint> t = arrive(reader.view());
        const std::optional<TimePoint> at = t ? t : arrivals.newest();
        if (!at) {
            reorder->pass(line);
            decide_view(reader.view(), decision, nullptr, Arrived::earlier);
            decided(line, true);
            return;
        }
        reorder->hold(line, *at, text);
        while (const detail::ReorderBuffer::Held* due = reorder->take_due(*arrivals.newest()))
            release(*due, decision, decided);
    }

    // A held mention's turn: read again (it was read once when it arrived) and decided.
    void release(const detail::ReorderBuffer::Held& held, Decision& decision, const Decided& decided) {
        const bool ok = reader.read_padded(held.json()) || refuse(reader.error());
        if (ok) decide_view(reader.view(), decision, nullptr, Arrived::earlier);
        decided(held.line, ok);
    }

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
    std::optional<std::uint32_t> clock_slot;      // a flow that keeps state: the clock's field
    std::optional<TimePoint> believed_until;      // what the Monitor was given with set_latest()
    detail::ArrivalOrder arrivals;                // a flow that keeps state: how far from clock order
    std::optional<detail::ReorderBuffer> reorder;  // StreamOptions::reorder, for a flow that keeps state
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
    if (!impl_->read(line)) return false;
    impl_->decide_read(decision, nullptr);
    return true;
}

void Stream::feed(const LineReader::Line& line, Decision& decision, const Decided& decided) {
    impl_->make_room(decision, decided);
    const bool ok = impl_->read(line);
    impl_->feed(line.number, ok, line.text, decision, decided);
}

void Stream::feed(std::uint64_t line, std::string_view text, Decision& decision, const Decided& decided) {
    impl_->make_room(decision, decided);
    const bool ok = impl_->read(text);
    impl_->feed(line, ok, without_cr(text), decision, decided);
}

void Stream::finish(Decision& decision, const Decided& decided) {
    if (!impl_->reorder) return;
    while (const detail::ReorderBuffer::Held* held = impl_->reorder->take_oldest(false))
        impl_->release(*held, decision, decided);
}

bool Stream::reorders() const noexcept { return impl_->reorder.has_value(); }

void Stream::pending(std::vector<std::uint64_t>& held, std::vector<std::uint64_t>& decided) const {
    if (impl_->reorder) {
        impl_->reorder->pending(held, decided);
        return;
    }
    held.clear();
    decided.clear();
}

StreamOrder Stream::order() const noexcept {
    StreamOrder order;
    order.behind = impl_->arrivals.behind();
    order.most_behind = impl_->arrivals.most_behind();
    if (impl_->reorder) {
        order.most_held = impl_->reorder->most_held();
        order.released_early = impl_->reorder->released_early();
    }
    return order;
}

std::optional<Duration> Stream::reorder_needed(std::uint64_t allowed) const noexcept {
    return impl_->arrivals.horizon_for(allowed);
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
    for (std::size_t i = 0; i < in.lines(); ++i) {
        const std::uint64_t number = in.first_line + i;
        if (!w.stream.decide(LineReader::Line{number, in.line(i), 0}, w.decision)) {
            if (!report(number, w.stream.error())) return;  // strict: nothing after it is decided
            continue;
        }
        chunk.traffic.record(w.decision, number);
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

// This thread reads into a ring of chunks and writes them back in order; `jobs` workers decide
// filled chunks in the order they were read. Each worker builds its own copy of the stream on
// its own thread, so that its scratch memory comes from that thread's heap: built here, the
// copies' small per-mention arrays sat in cache lines next to each other's and the flow's, and
// two jobs spent 11% more time than needed bouncing those lines between the cores.
void run_parallel(const Stream& stream, unsigned jobs, const DecisionJson& decision_json, LineReader& reader,
                  const RunStreamOptions& options, StreamSummary& summary) {
    std::vector<Chunk> ring(std::size_t{jobs} * 2 + 2);
    std::mutex mutex;
    std::condition_variable filled_cv;   // workers wait for a filled chunk
    std::condition_variable decided_cv;  // the writer waits for the oldest chunk
    std::uint64_t next_to_fill = 0, next_to_decide = 0, next_to_write = 0;
    bool input_done = false, stopping = false;

    auto work = [&] {
        Stream copy(stream.flow(), stream.options());  // the same options, `now` included
        Worker w{copy, {}, {}};
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
    for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(work);

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

// A stream that reorders: decided on this thread as its mentions' turns come, each output line
// held until the lines before it are written. With `strict`, the input ends before the first
// line that is no mention, so the mentions held then are decided and written, and it is not.
void run_in_clock_order(Stream& stream, const DecisionJson& decision_json, LineReader& reader,
                        const RunStreamOptions& options, StreamSummary& summary) {
    InputOrder<std::string> output;
    Decision decision;
    JsonWriter json;
    std::uint64_t strict_line = 0;
    const Stream::Decided decided = [&](std::uint64_t line, bool ok) {
        std::string& out = output.at(line);
        out.clear();
        if (ok) {
            summary.traffic.record(decision, line);
            decision_json.append(out, decision, line, stream.id());
        } else {
            json.clear();
            write_error_json(json, line, stream.error());
            out += json.str();
            ++summary.errors;
            summary.error_reasons.add(line, stream.error());
            if (options.strict && strict_line == 0) {
                strict_line = line;
                summary.strict_error = stream.error();
            }
        }
        out += '\n';
        output.done(line);
    };
    std::string ready;  // output lines whose turn has come, for the sink: about a chunk at a time
    auto collect = [&](std::uint64_t before_line) {
        for (; output.ready() && output.front_line() < before_line; output.pop()) ready += output.front();
    };
    auto flush = [&] {
        if (ready.empty()) return true;
        const bool taken = options.sink(ready);
        ready.clear();
        summary.sink_failed = !taken;
        return taken;
    };
    LineChunk chunk;
    while (strict_line == 0 && reader.fill(chunk)) {
        if (chunk.overlong != 0) {
            stream.feed(LineReader::Line{chunk.first_line, {}, chunk.overlong}, decision, decided);
        } else {
            for (std::size_t i = 0; i < chunk.lines() && strict_line == 0; ++i) {
                stream.feed(LineReader::Line{chunk.first_line + i, chunk.line(i), 0}, decision, decided);
                if (strict_line != 0) break;
                collect(UINT64_MAX);
                if (ready.size() >= options.chunk_size && !flush()) return;
            }
        }
        if (strict_line == 0) collect(UINT64_MAX);
        if (!flush()) return;
        if (options.progress) options.progress(reader.lines(), reader.bytes());
    }
    stream.finish(decision, decided);
    summary.strict_line = strict_line;
    collect(strict_line != 0 ? strict_line : UINT64_MAX);
    flush();
}

}  // namespace

StreamSummary run_stream(Stream& stream, ByteSource input, const RunStreamOptions& options) {
    StreamSummary summary;
    summary.traffic = Traffic::for_flow(stream.flow());
    LineReader reader(std::move(input), stream.options().json.max_line_bytes, options.chunk_size);
    const DecisionJson decision_json(stream.flow());
    // A flow that keeps state needs its mentions in order, on one monitor: one thread.
    const unsigned jobs = stream.monitor() != nullptr ? 1 : std::max(1u, options.jobs);
    if (stream.reorders()) {
        run_in_clock_order(stream, decision_json, reader, options, summary);
    } else if (jobs == 1) {
        Worker worker{stream, {}, {}};
        run_serial(worker, decision_json, reader, options, summary);
    } else {
        run_parallel(stream, jobs, decision_json, reader, options, summary);
    }
    summary.lines = reader.lines();
    summary.bytes = reader.bytes();
    summary.read_error = reader.error();
    return summary;
}

}  // namespace triage
