// The context of docs/embedding.md's examples: what a host has around them. Each example is
// compiled on its own, in the block below, where its declarations may hide these.
#include <triage/triage.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {
struct Mention {
    std::string text;
    double sentiment = 0;
    std::chrono::sys_seconds posted_at{};
};
template <typename... Any> void show(const Any&...) {}
template <typename... Any> void mark(const Any&...) {}
template <typename... Any> void page_the_crisis_team(const Any&...) {}
void log(const std::string&) {}
}  // namespace

void example(const triage::Flow& flow, const triage::CompileOptions& options, const std::string& text,
             std::uint32_t file, std::size_t offset, const std::vector<std::string>& lines, std::ostream& out,
             const triage::RecordView& view, triage::TimePoint now, triage::TimePoint reference_time,
             triage::Binding<Mention>& binding, const Mention& mention, const std::string& line,
             const std::vector<std::vector<Mention>>& shards, const std::vector<Mention>& mentions) {
    triage::Evaluator evaluator(flow);
    triage::Decision decision;
    {
        // @block@
    }
}
