#include "triage/flow.hpp"
#include "triage/flow_phrases.hpp"

#include "flow_data.hpp"

#include <algorithm>

namespace triage {

std::string_view to_string(FieldType type) {
    switch (type) {
    case FieldType::text: return "text";
    case FieldType::number: return "number";
    case FieldType::integer: return "integer";
    case FieldType::boolean: return "bool";
    case FieldType::time: return "time";
    case FieldType::enumeration: return "one of";
    }
    return "?";
}

std::string_view to_string(ActionKind kind) {
    switch (kind) {
    case ActionKind::respond: return "respond";
    case ActionKind::do_not_respond: return "do not respond";
    case ActionKind::monitor: return "monitor";
    case ActionKind::escalate: return "escalate";
    case ActionKind::tag: return "tag";
    case ActionKind::flag: return "flag";
    case ActionKind::notify: return "notify";
    case ActionKind::assign: return "assign";
    case ActionKind::priority: return "priority";
    case ActionKind::follow_up: return "follow up";
    case ActionKind::note: return "note";
    }
    return "?";
}

std::string_view to_string(WindowKind kind) {
    switch (kind) {
    case WindowKind::count: return "count";
    case WindowKind::rate: return "rate";
    case WindowKind::spike: return "spike";
    }
    return "?";
}

std::string_view to_string(Channel channel) {
    return channel == Channel::publicly ? "publicly" : "privately";
}

std::string_view to_string(Priority priority) {
    switch (priority) {
    case Priority::low: return "low";
    case Priority::normal: return "normal";
    case Priority::high: return "high";
    case Priority::urgent: return "urgent";
    }
    return "?";
}

std::string_view Flow::name() const { return data_->name; }
std::uint32_t Flow::version() const { return data_->version; }
NodeRef Flow::start() const { return data_->start; }
std::span<const Field> Flow::fields() const { return data_->fields; }
std::span<const WordList> Flow::word_lists() const { return data_->word_lists; }
std::vector<std::string_view> contains_phrases(const Flow& flow) {
    std::vector<std::string_view> phrases;
    for (const Condition& c : detail::data_of(flow).conditions)
        if (c.kind == ConditionKind::contains && std::find(phrases.begin(), phrases.end(), c.text) == phrases.end())
            phrases.push_back(c.text);
    return phrases;
}
std::span<const Step> Flow::steps() const { return data_->steps; }
std::span<const Outcome> Flow::outcomes() const { return data_->outcomes; }
std::span<const Window> Flow::windows() const { return data_->windows; }
std::span<const Hours> Flow::hours() const { return data_->hours; }
std::span<const Crisis> Flow::crises() const { return data_->crises; }
const std::optional<Clock>& Flow::clock() const { return data_->clock; }
bool Flow::keeps_state() const { return !data_->windows.empty() || !data_->crises.empty(); }
const SourceMap& Flow::sources() const { return *data_->sources; }
std::string_view Flow::source_text(Span span) const { return data_->sources->text(span); }
Span Flow::condition_span(ConditionId condition) const { return data_->conditions.at(condition).span; }
std::string_view Flow::condition_text(ConditionId condition) const { return source_text(condition_span(condition)); }

std::optional<NodeRef> Flow::find_node(std::string_view name) const {
    auto it = data_->node_index.find(std::string(name));
    if (it == data_->node_index.end()) return std::nullopt;
    return it->second;
}

std::optional<std::uint32_t> Flow::find_field(std::string_view name) const {
    auto it = data_->field_index.find(std::string(name));
    if (it == data_->field_index.end()) return std::nullopt;
    return it->second;
}

std::string_view Flow::node_name(NodeRef node) const {
    return node.kind == NodeKind::step ? std::string_view(data_->steps.at(node.index).name)
                                       : std::string_view(data_->outcomes.at(node.index).name);
}

FlowGraph::vertex_descriptor vertex_of(const Flow& flow, NodeRef node) {
    return node.kind == NodeKind::step ? node.index : flow.steps().size() + node.index;
}

const FlowGraph& graph(const Flow& flow) { return detail::data_of(flow).graph; }

const detail::FlowData& detail::data_of(const Flow& flow) noexcept { return *flow.data_; }

}  // namespace triage
