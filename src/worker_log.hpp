// A worker's log on stderr: one line per event, either text for people ("triage worker: ...") or
// one JSON object per line for a log collector: {"time", "level", "event", "worker", "message",
// then the event's own fields}.
#pragma once

#include "triage/worker.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace triage::detail {

enum class LogLevel { info, warn, error };

using LogValue = std::variant<std::string_view, std::uint64_t, bool>;
using LogField = std::pair<std::string_view, LogValue>;

class WorkerLog {
public:
    WorkerLog(LogFormat format, bool quiet, std::string worker_name);

    // Writes the event unless quiet and only informational.
    void write(LogLevel level, std::string_view event, std::string_view message,
               std::initializer_list<LogField> fields = {}) const;

    // The line write() would write (without '\n').
    [[nodiscard]] std::string line(LogLevel level, std::string_view event, std::string_view message,
                                   std::initializer_list<LogField> fields) const;

private:
    LogFormat format_;
    bool quiet_;
    std::string name_;
};

}  // namespace triage::detail
