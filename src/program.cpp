#include "program.hpp"

#include "compile_work.hpp"
#include "resolved_flow.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <set>

namespace triage::detail {

Program build_program(const ResolvedFlow& data) {
    Program p;
    const std::size_t fields = data.fields.size();
    p.field_matcher.assign(fields, no_matcher);
    p.field_text_slot.assign(fields, no_matcher);
    p.condition_phrases.assign(data.conditions.size(), {});

    // Every text test of a field goes into the field's one automaton, so that each text field is
    // scanned at most once per mention whatever the number of tests.
    auto matcher_of = [&](std::uint32_t field) -> PhraseMatcher& {
        if (p.field_text_slot[field] == no_matcher) {
            p.field_text_slot[field] = static_cast<std::uint32_t>(p.text_fields.size());
            p.text_fields.push_back(field);
        }
        if (p.field_matcher[field] == no_matcher) {
            p.field_matcher[field] = static_cast<std::uint32_t>(p.matchers.size());
            p.matchers.emplace_back();
        }
        return p.matchers[p.field_matcher[field]];
    };
    for (std::size_t id = 0; id < data.conditions.size(); ++id) {
        const Condition& c = data.conditions[id];
        if (c.kind == ConditionKind::contains) p.condition_phrases[id].push_back(matcher_of(c.field).add_substring(c.text));
        if (!reads_word_list(c.kind)) continue;
        PhraseMatcher& matcher = matcher_of(c.field);
        const bool substrings = c.kind == ConditionKind::contains_any;
        for (const std::string& phrase : data.word_lists[c.operand].phrases)
            p.condition_phrases[id].push_back(substrings ? matcher.add_substring(phrase) : matcher.add_phrase(phrase));
    }
    for (PhraseMatcher& m : p.matchers) m.build();
    p.code = build_condition_code(data, p.condition_phrases);
    return p;
}

bool check_program_size(const ResolvedFlow& data, const Limits& limits, std::vector<Diagnostic>& diagnostics) {
    // Per text field: the distinct folded phrases of every list used with it and of every
    // `contains` (a word and a substring that fold alike are two). A trie has at most one state
    // per phrase byte; the automaton holds 4-byte cells per state: one per byte class, one for
    // the phrases that end there, one for its depth.
    std::vector<std::set<std::string>> phrases(data.fields.size());
    for (const Condition& c : data.conditions) {
        if (c.kind == ConditionKind::contains) {
            count_compile_work(c.text.size());
            phrases[c.field].insert("s" + fold_substring(c.text));  // the kind first, so that both are counted
        }
        if (reads_word_list(c.kind))
            for (const std::string& p : data.word_lists[c.operand].phrases) {
                count_compile_work(p.size());
                phrases[c.field].insert(c.kind == ConditionKind::contains_any ? "s" + fold_substring(p) : "w" + fold_phrase(p));
            }
    }
    for (std::size_t field = 0; field < phrases.size(); ++field) {
        if (phrases[field].empty()) continue;
        std::uint64_t states = 1;
        std::array<bool, 256> seen{};
        std::uint64_t classes = 1;
        for (const std::string& kind_and_phrase : phrases[field]) {
            const std::string_view p = std::string_view(kind_and_phrase).substr(1);
            states += p.size();
            for (char ch : p) {
                auto b = static_cast<unsigned char>(ch);
                if (!seen[b]) {
                    seen[b] = true;
                    ++classes;
                }
            }
        }
        const std::uint64_t bytes = states * (classes + 2) * 4;
        if (bytes > limits.automaton_bytes) {
            diagnostics.push_back({Severity::error, Code::limit_exceeded, data.fields[field].span,
                                   fmt::format("the keyword automaton for '{}' would take {} bytes ({} phrases); "
                                               "the limit is {}",
                                               data.fields[field].name, bytes, phrases[field].size(), limits.automaton_bytes),
                                   {},
                                   "use fewer or shorter phrases with this field, or raise the limit: "
                                   "--limit automaton-memory=N"});
            return false;
        }
    }
    return true;
}

}  // namespace triage::detail
