// Reading a time field: triage's compiled formats against date::parse on the same texts (the
// ratio bench/ratios.sh prints), and the default RFC 3339 reader as the floor.
#include "time_format.hpp"

#include "triage/json.hpp"

#define ONLY_C_LOCALE 1  // as tests/time_format_test.cpp: date's own reading of names
#include <benchmark/benchmark.h>
#include <date/date.h>

#include <cstdlib>
#include <sstream>
#include <string>

namespace {

constexpr const char* pattern = "%Y-%m-%d %H:%M:%S %z";
const std::string texts[] = {"2015-02-24 11:35:52 -0800", "2015-02-24 11:36:10 -0800", "2016-11-30 23:59:59 +0530"};

triage::detail::TimeFormat compiled(const char* spec) {
    triage::detail::TimeFormat::Problem problem;
    auto format = triage::detail::TimeFormat::compile(spec, problem);
    if (!format) std::abort();
    return *format;
}

void BM_TimeFormat_Pattern(benchmark::State& state) {
    const triage::detail::TimeFormat format = compiled(pattern);
    std::size_t i = 0;
    for (auto _ : state) benchmark::DoNotOptimize(format.parse(texts[i++ % 3]));
}
BENCHMARK(BM_TimeFormat_Pattern);

void BM_TimeFormat_Twitter(benchmark::State& state) {
    const triage::detail::TimeFormat format = compiled("twitter");
    const std::string text = "Wed Feb 25 11:35:52 +0000 2015";
    for (auto _ : state) benchmark::DoNotOptimize(format.parse(text));
}
BENCHMARK(BM_TimeFormat_Twitter);

void BM_TimeFormat_DateParse(benchmark::State& state) {
    std::size_t i = 0;
    std::istringstream in;
    for (auto _ : state) {
        in.clear();
        in.str(texts[i++ % 3]);
        date::sys_time<std::chrono::milliseconds> t;
        in >> date::parse(pattern, t);
        benchmark::DoNotOptimize(t);
    }
}
BENCHMARK(BM_TimeFormat_DateParse);

void BM_TimeFormat_Rfc3339(benchmark::State& state) {
    const std::string text = "2015-02-24T11:35:52-08:00";
    for (auto _ : state) benchmark::DoNotOptimize(triage::parse_time(text));
}
BENCHMARK(BM_TimeFormat_Rfc3339);

}  // namespace

BENCHMARK_MAIN();
