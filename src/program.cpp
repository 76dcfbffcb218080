#include "program.hpp"

#include "flow_data.hpp"

namespace triage::detail {

void build_program(FlowData& data) {
    Program& p = data.program;
    const std::size_t fields = data.fields.size();
    p.field_matcher.assign(fields, no_matcher);
    p.field_text_slot.assign(fields, no_matcher);
    p.condition_phrases.assign(data.conditions.size(), {});
    p.condition_folded.assign(data.conditions.size(), {});

    auto text_slot = [&](std::uint32_t field) {
        if (p.field_text_slot[field] == no_matcher) {
            p.field_text_slot[field] = static_cast<std::uint32_t>(p.text_fields.size());
            p.text_fields.push_back(field);
        }
    };
    for (std::size_t id = 0; id < data.conditions.size(); ++id) {
        const Condition& c = data.conditions[id];
        if (c.kind == ConditionKind::contains) {
            text_slot(c.field);
            p.condition_folded[id] = fold_case(c.text);
        }
        if (c.kind != ConditionKind::has_any && c.kind != ConditionKind::has_all) continue;
        text_slot(c.field);
        if (p.field_matcher[c.field] == no_matcher) {
            p.field_matcher[c.field] = static_cast<std::uint32_t>(p.matchers.size());
            p.matchers.emplace_back();
        }
        PhraseMatcher& matcher = p.matchers[p.field_matcher[c.field]];
        for (const std::string& phrase : data.word_lists[c.operand].phrases)
            p.condition_phrases[id].push_back(matcher.add_phrase(phrase));
    }
    for (PhraseMatcher& m : p.matchers) m.build();
}

}  // namespace triage::detail
