// triage/worker_log.hpp: text or JSON lines on stderr, each written whole.
#include "worker_log.hpp"

#include "triage/json_writer.hpp"
#include <ctime>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>

namespace triage::detail {

namespace {

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::info: return "info";
        case LogLevel::warn: return "warn";
        case LogLevel::error: return "error";
    }
    return "info";
}

// RFC 3339 in UTC with milliseconds: what log collectors parse without configuration.
std::string now_text() {
    const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(now);
    const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, (now - seconds).count());
}

}  // namespace

WorkerLog::WorkerLog(LogFormat format, bool quiet, std::string worker_name)
    : format_(format), quiet_(quiet), name_(std::move(worker_name)) {}

std::string WorkerLog::line(LogLevel level, std::string_view event, std::string_view message,
                            std::initializer_list<LogField> fields) const {
    if (format_ == LogFormat::text) return fmt::format("triage worker: {}", message);
    JsonWriter json;
    json.begin_object()
        .key("time")
        .string(now_text())
        .key("level")
        .string(level_name(level))
        .key("event")
        .string(event)
        .key("worker")
        .string(name_)
        .key("message")
        .string(message);
    for (const auto& [key, value] : fields) {
        json.key(key);
        if (const auto* text = std::get_if<std::string_view>(&value)) json.string(*text);
        else if (const auto* number = std::get_if<std::uint64_t>(&value)) json.raw(std::to_string(*number));
        else json.boolean(std::get<bool>(value));
    }
    json.end_object();
    return json.take();
}

void WorkerLog::write(LogLevel level, std::string_view event, std::string_view message,
                      std::initializer_list<LogField> fields) const {
    if (quiet_ && level == LogLevel::info) return;
    std::string text = line(level, event, message, fields);
    text += '\n';
    // One fwrite per line: lines from the worker and nats.c's threads never interleave.
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

}  // namespace triage::detail
