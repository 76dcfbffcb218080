// The flow's own tests: given values, expectations, repeats.
#include "checker_context.hpp"

namespace triage::checking {

std::optional<TestValue> Checker::test_value(const ast::Assignment& a) {
    auto it = values_.find(a.field);
    if (it == values_.end() && is_broken(BrokenName::Kind::value, a.field)) return std::nullopt;
    if (it == values_.end() || it->second.kind != ValueSymbol::Kind::field) {
        auto& d = error(Code::unknown_value_name, span(a.field),
                        fmt::format("the flow has no field '{}'", std::string(a.field)));
        if (!explain_other_kind(d, a.field, Wanted::test_field))
            suggest(d, a.field, data_->fields, [](const Field& f) { return std::string_view(f.name); });
        return std::nullopt;
    }
    const Field& f = field(it->second.index);
    TestValue v;
    v.field = it->second.index;
    v.span = span(a);
    auto wrong = [&](std::string_view expected) {
        error(Code::type_mismatch, span(value_span(a.value)),
              fmt::format("'{}' is {} field; give it {}", f.name, with_article(f.type), expected));
        return std::nullopt;
    };
    const auto* number = boost::get<ast::Number>(&a.value.get());
    const auto* text = boost::get<ast::Text>(&a.value.get());
    const auto* boolean = boost::get<ast::Boolean>(&a.value.get());
    switch (f.type) {
    case FieldType::text:
        if (!text) return wrong("a quoted string");
        v.text = *text;
        v.value = FieldValue::of_text({});
        return v;
    case FieldType::number:
    case FieldType::integer:
        if (!number) return wrong("a number");
        v.value = FieldValue::of_number(number->value);
        return v;
    case FieldType::boolean:
        if (!boolean) return wrong("true or false");
        v.value = FieldValue::of_bool(boolean->value);
        return v;
    case FieldType::enumeration: {
        auto index = enum_value(f, a.value);
        if (!index) return std::nullopt;
        v.value = FieldValue::of_enum(*index);
        return v;
    }
    case FieldType::time: {
        // Written as the records write it: in the field's format.
        const detail::TimeFormat& format = test_time_formats_[v.field];
        std::optional<TimePoint> t = text     ? format.parse(*text)
                                     : number ? format.from_number(number->value)
                                              : std::nullopt;
        if (!t)
            return wrong(format.is_default() ? std::string("a date-time such as \"2026-11-22T09:30:00Z\"")
                                             : fmt::format("a time in its format, \"{}\"", format.spec()));
        v.value = FieldValue::of_time(*t);
        return v;
    }
    }
    return std::nullopt;
}

void Checker::resolve_test(const ast::TestCase& test, FileId file) {
    file_ = file;
    FlowTest t;
    t.name = test.name;
    t.span = span(test);
    t.name_span = span(test.name);
    if (auto [it, inserted] = test_names_.emplace(t.name, t.name_span); !inserted)
        error(Code::duplicate_definition, t.name_span, fmt::format("a test named \"{}\" already exists", t.name))
            .notes.push_back({it->second, "the first test with that name is here"});
    std::map<std::uint32_t, Span> given;
    for (const ast::Assignment& a : test.given) {
        std::optional<TestValue> v = test_value(a);
        if (!v) continue;
        if (auto [it, inserted] = given.emplace(v->field, v->span); !inserted) {
            error(Code::test_field_twice, span(a.field),
                  fmt::format("test \"{}\" gives '{}' twice", t.name, std::string(a.field)))
                .notes.push_back({it->second, "the first value is here"});
            continue;
        }
        t.given.push_back(std::move(*v));
    }
    if (test.repeat) {
        if (test.repeat->count == 0 || test.repeat->count > max_test_repeat)
            error(Code::syntax, span(*test.repeat),
                  fmt::format("a test gives its mention 1 to {} times", max_test_repeat));
        else
            t.repeat = test.repeat->count;
    }
    for (const ast::Name& name : test.during) {
        auto crisis = crisis_ref(name);
        if (!crisis) continue;
        t.crises.push_back(*crisis);
        // A grouped crisis is active for the mention's group: the test must say which it is.
        const Crisis& c = data_->crises[*crisis];
        if (c.group && !given.contains(*c.group))
            error(Code::invalid_crisis, span(name),
                  fmt::format("crisis '{}' is kept per {}, and the test gives no {}", c.name, field(*c.group).name,
                              field(*c.group).name))
                .help = fmt::format("give the mention's group: given {{ {}: ... }}", field(*c.group).name);
    }
    if (test.expectations.empty())
        error(Code::test_expects_nothing, t.name_span, fmt::format("test \"{}\" expects nothing", t.name))
            .help = "add what should happen, e.g. 'expect OUTCOME' or 'expect path STEP, STEP'";
    for (const ast::Expectation& e : test.expectations) {
        TestExpectation x;
        x.kind = static_cast<ExpectKind>(e.kind);
        x.span = span(e);
        for (const ast::Name& n : e.names) {
            switch (x.kind) {
            case ExpectKind::outcome:
            case ExpectKind::path: {
                auto node = node_ref(n);
                if (!node) break;
                const bool want_outcome = x.kind == ExpectKind::outcome;
                if ((node->kind == NodeKind::outcome) != want_outcome) {
                    error(Code::test_wrong_node_kind, span(n),
                          fmt::format("'{}' is {}; {}", std::string(n),
                                      want_outcome ? "a step, not an outcome" : "an outcome, not a step",
                                      want_outcome ? "'expect' names the outcome the mention should reach"
                                                   : "'expect path' lists the steps asked, in order"));
                    break;
                }
                (want_outcome ? x.outcomes : x.steps).push_back(node->index);
                break;
            }
            case ExpectKind::tag:
            case ExpectKind::escalate: x.labels.push_back(n); break;
            case ExpectKind::priority: {
                static constexpr std::string_view levels[] = {"low", "normal", "high", "urgent"};
                for (std::size_t i = 0; i < 4; ++i)
                    if (levels[i] == std::string_view(n)) x.priorities.push_back(static_cast<Priority>(i));
                break;
            }
            case ExpectKind::fell_through: break;
            }
        }
        t.expectations.push_back(std::move(x));
    }
    data_->tests.push_back(std::move(t));
}

}  // namespace triage::checking
