// libFuzzer target: a time format and a text, as a flow and a record supply them. The first line
// of the input is the format (a pattern or a named format), the rest is the text to read in it,
// in UTC and in a zone with daylight saving time.
#include "time_format.hpp"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::shared_ptr<const triage::detail::TimeZone> london = [] {
        std::string error;
        auto zone = triage::detail::TimeZone::load("Europe/London", error);
        if (!zone) std::abort();
        return std::make_shared<const triage::detail::TimeZone>(std::move(*zone));
    }();
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view spec = input.substr(0, newline);
    const std::string_view text = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    triage::detail::TimeFormat::Problem problem;
    std::optional<triage::detail::TimeFormat> format = triage::detail::TimeFormat::compile(spec, problem);
    if (!format) {
        if (problem.message.empty() || problem.offset > spec.size()) std::abort();  // every refusal says why, and where
        return 0;
    }
    (void)format->parse(text);
    format->set_zone(london);
    std::optional<triage::TimePoint> t = format->parse(text);
    // Every time read is in the years 0000-9999.
    if (t && (t->time_since_epoch().count() < -62167219200000 || t->time_since_epoch().count() > 253402300799999))
        std::abort();
    return 0;
}
