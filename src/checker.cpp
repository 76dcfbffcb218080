// Pass 1 (declarations into symbol tables), the order of the passes, and what is never used.
#include "checker_context.hpp"

namespace triage::checking {

std::unique_ptr<detail::ResolvedFlow> Checker::run() {
    for (const BrokenName& b : in_.broken) broken_[static_cast<int>(b.kind)].insert(b.name);
    for (const SourceDeclaration& d : in_.declarations) {
        file_ = d.file;
        collect(*d.declaration);
    }
    check_field_groups();
    resolve_time_formats();
    resolve_clock();
    for (std::uint32_t i = 0; i < lets_.size(); ++i) resolve_let(i);
    for (std::uint32_t i = 0; i < steps_.size(); ++i) resolve_step(i);
    for (std::uint32_t i = 0; i < outcomes_.size(); ++i) resolve_outcome(i);
    for (std::uint32_t i = 0; i < crises_.size(); ++i) resolve_crisis(i);
    for (const auto& [test, file] : tests_) resolve_test(*test, file);
    resolve_header_and_start();
    check_state_use();
    detail::compile_regexes(*data_, in_.options.limits, diagnostics_);
    if (!in_.syntax_errors) report_unused();  // after a syntax error these are mostly cascades
    return std::move(data_);
}

Span Checker::keyword_span(const ast::Spanned& node) const {
    std::string_view text = in_.sources.text(file_);
    std::uint32_t end = node.from;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '_'))
        ++end;
    return {file_, node.from, std::max(end, node.from + 1)};
}

Diagnostic& Checker::report(Severity severity, Code code, Span where, std::string message) {
    diagnostics_.push_back({severity, code, where, std::move(message), {}, {}});
    return diagnostics_.back();
}

void Checker::replace_with(Diagnostic& d, Span at, std::string_view written, const std::string& replacement,
                           bool literal) {
    static constexpr std::string_view reserved[] = {"true", "false", "and", "or", "not"};
    const bool plain_name =
        !replacement.empty() && !(replacement[0] >= '0' && replacement[0] <= '9') &&
        std::all_of(replacement.begin(), replacement.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        }) &&
        std::find(std::begin(reserved), std::end(reserved), replacement) == std::end(reserved);
    d.fixes.push_back({fmt::format("replace '{}' with '{}'", written, replacement),
                       {{at, literal || !plain_name ? string_literal(replacement) : replacement}}});
}

bool Checker::explain_other_kind(Diagnostic& d, const std::string& name, Wanted wanted) {
    std::string_view is;  // what `name` is
    auto value = values_.find(name);
    auto node = data_->node_index.find(name);
    const bool hours = hours_index_.contains(name), crisis = crisis_index_.contains(name);
    if (value != values_.end() && wanted != Wanted::value)
        is = value->second.kind == ValueSymbol::Kind::field ? "a field" : "a condition";
    else if (lists_.contains(name)) is = "a word list";
    else if (node != data_->node_index.end()) is = node->second.kind == NodeKind::step ? "a step" : "an outcome";
    else if (hours && wanted != Wanted::hours) is = "business hours";
    else if (crisis && wanted != Wanted::crisis) is = "a crisis";
    if (is.empty() || (wanted == Wanted::field && is == "a condition")) return false;  // the latter: T020
    static constexpr std::string_view wanted_names[] = {"a field or condition", "a field", "a field", "a word list",
                                                        "a step or outcome", "business hours", "a crisis"};
    d.help = fmt::format("'{}' is {}, not {}", name, is, wanted_names[static_cast<int>(wanted)]);
    const bool condition = wanted == Wanted::value;
    if (hours || crisis) {
        const std::string test = fmt::format("{} {}", hours ? "within hours" : "in crisis", name);
        d.help += fmt::format(": write '{}'", test);
        if (condition) d.fixes.push_back({fmt::format("write '{}'", test), {{d.span, test}}});
    } else if (is == "a word list" && condition) {
        auto text_field = std::find_if(data_->fields.begin(), data_->fields.end(),
                                       [](const Field& f) { return f.type == FieldType::text; });
        d.help += fmt::format(": test a text field with it, as in 'if {} has any {}'",
                              text_field == data_->fields.end() ? "text" : text_field->name, name);
    } else if (node != data_->node_index.end() && (condition || wanted == Wanted::field)) {
        d.help += fmt::format(": a branch leads to it with '-> {}'", name);
    } else if (wanted == Wanted::test_field && is == "a condition") {
        d.help += ": a test gives values to fields, and the conditions follow from them";
    } else if (wanted == Wanted::word_list) {
        d.help += ": 'has any' and 'has all' take a list declared with 'words NAME = \"phrase\", ...'";
    }
    return true;
}

Diagnostic& Checker::error(Code code, Span where, std::string message) {
    return report(Severity::error, code, where, std::move(message));
}

Diagnostic& Checker::warning(Code code, Span where, std::string message) {
    return report(Severity::warning, code, where, std::move(message));
}

void Checker::collect(const ast::Declaration& declaration) {
    boost::apply_visitor(
        overloaded{
            [&](const ast::Header& h) { collect_header(h); },
            [&](const ast::Include&) {},  // expanded in place by compile()
            [&](const ast::FieldsBlock& b) {
                for (const ast::FieldDecl& f : b.fields) collect_field(f);
            },
            [&](const ast::WordList& w) { collect_word_list(w); },
            [&](const ast::Let& l) { collect_let(l); },
            [&](const ast::Start& s) { declare_once(start_, s, "'start'"); },
            [&](const ast::Step& s) { collect_step(s); },
            [&](const ast::Outcome& o) { collect_outcome(o); },
            [&](const ast::TestCase& t) { tests_.push_back({&t, file_}); },
            [&](const ast::Clock& c) { declare_once(clock_, c, "'clock'"); },
            [&](const ast::Hours& h) { collect_hours(h); },
            [&](const ast::Crisis& c) { collect_crisis(c); },
            [&](const ast::Zone& z) { declare_once(flow_zone_, z, "'zone'"); },
        },
        declaration);
}

void Checker::collect_header(const ast::Header& header) {
    if (!declare_once(header_, header, "'flow' header", "header")) return;
    data_->name = header.name;
    double v = header.version.value;
    // Range first: converting a double past UINT32_MAX to an integer is undefined.
    if (!(v >= 0 && v <= static_cast<double>(UINT32_MAX)) || v != std::floor(v)) {
        error(Code::syntax, span(header.version), "the version must be a whole number from 0 to 4294967295");
        return;
    }
    data_->version = static_cast<std::uint32_t>(v);
}

bool Checker::define_value(const ast::Name& name, ValueSymbol symbol, std::string_view what) {
    auto [it, inserted] = values_.emplace(name, symbol);
    if (!inserted) {
        Span first = it->second.kind == ValueSymbol::Kind::field
                         ? data_->fields[it->second.index].span
                         : data_->lets[it->second.index].span;
        error(Code::duplicate_definition, span(name),
              fmt::format("{} '{}' is already defined", what, std::string(name)))
            .notes.push_back({first, fmt::format("'{}' was first defined here", std::string(name))});
    }
    return inserted;
}

void Checker::collect_field(const ast::FieldDecl& decl) {
    Field field{decl.name, FieldType::text, {}, span(decl.name), {}, {}};
    std::string keyword = collapse_whitespace(decl.type.keyword);
    if (keyword == "one of") {
        field.type = FieldType::enumeration;
        for (const ast::Name& value : decl.type.values) {
            if (std::find(field.values.begin(), field.values.end(), value) != field.values.end()) {
                error(Code::duplicate_enum_value, span(value),
                      fmt::format("'{}' is listed twice in the values of '{}'",
                                  std::string(value), field.name));
                continue;
            }
            field.values.push_back(value);
        }
    } else {
        static const std::map<std::string, FieldType, std::less<>> types = {
            {"text", FieldType::text},       {"number", FieldType::number},
            {"integer", FieldType::integer}, {"bool", FieldType::boolean},
            {"time", FieldType::time}};
        auto it = types.find(keyword);
        if (it == types.end()) {
            auto& d = error(Code::unknown_type, span(decl.type.keyword),
                            fmt::format("unknown field type '{}'", keyword));
            static const std::vector<std::string> names = {"text", "number", "integer",
                                                           "bool", "time"};
            suggest(d, keyword, names);
            if (d.help.empty())
                d.help = "the types are text, number, integer, bool, time and 'one of a, b, c'";
        } else {
            field.type = it->second;
        }
    }
    auto index = static_cast<std::uint32_t>(data_->fields.size());
    if (!define_value(decl.name, {ValueSymbol::Kind::field, index}, "field")) return;
    time_decls_.push_back({index, &decl, file_});
    field_declared_order_.push_back(index);
    data_->field_index.emplace(field.name, index);
    data_->fields.push_back(std::move(field));
    field_used_.push_back(false);
}

void Checker::collect_let(const ast::Let& let) {
    auto index = static_cast<std::uint32_t>(data_->lets.size());
    if (!define_value(let.name, {ValueSymbol::Kind::let, index}, "condition")) return;
    data_->lets.push_back({let.name, no_condition, span(let.name)});
    lets_.push_back({&let, file_});
    let_state_.push_back(LetState::pending);
    let_used_.push_back(false);
    let_chain_.push_back(0);
}

bool Checker::define_node(const ast::Name& name, NodeRef node) {
    auto [it, inserted] = data_->node_index.emplace(name, node);
    if (!inserted) {
        NodeRef first = it->second;
        Span first_span = first.kind == NodeKind::step ? data_->steps[first.index].name_span
                                                       : data_->outcomes[first.index].name_span;
        error(Code::duplicate_definition, span(name),
              fmt::format("'{}' is already defined", std::string(name)))
            .notes.push_back({first_span, fmt::format("'{}' was first defined here", std::string(name))});
    }
    return inserted;
}

void Checker::collect_step(const ast::Step& step) {
    NodeRef node{NodeKind::step, static_cast<std::uint32_t>(data_->steps.size())};
    if (data_->steps.size() == in_.options.limits.steps) {
        if (!too_many_steps_)
            error(Code::limit_exceeded, span(step.name),
                  fmt::format("the flow has more than {} steps", in_.options.limits.steps))
                .help = "raise the limit: --limit steps=N";
        too_many_steps_ = true;
        return;
    }
    if (!define_node(step.name, node)) return;
    Step s = named<Step>(step);
    s.question = step.question;
    data_->steps.push_back(std::move(s));
    steps_.push_back({&step, file_});
}

void Checker::collect_outcome(const ast::Outcome& outcome) {
    NodeRef node{NodeKind::outcome, static_cast<std::uint32_t>(data_->outcomes.size())};
    if (!define_node(outcome.name, node)) return;
    Outcome o = named<Outcome>(outcome);
    o.title = outcome.title;
    data_->outcomes.push_back(std::move(o));
    outcomes_.push_back({&outcome, file_});
}

void Checker::check_field_groups() {
    std::vector<std::uint32_t> by_name(field_declared_order_);
    std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) {
        return data_->fields[a].name < data_->fields[b].name;
    });
    for (std::size_t i = 1; i < by_name.size(); ++i) {
        const Field& group = data_->fields[by_name[i - 1]];
        const Field& member = data_->fields[by_name[i]];
        if (member.name.size() <= group.name.size() ||
            member.name.compare(0, group.name.size(), group.name) != 0 ||
            member.name[group.name.size()] != '.')
            continue;
        // Report at whichever was declared later; by_name holds declaration indices.
        bool member_later = by_name[i] > by_name[i - 1];
        const Field& later = member_later ? member : group;
        const Field& earlier = member_later ? group : member;
        auto& d = error(Code::field_group_conflict, later.span,
                        fmt::format("field '{}' cannot be both a value and a group of fields "
                                    "('{}' is declared too)",
                                    group.name, member.name));
        d.notes.push_back({earlier.span, fmt::format("'{}' is declared here", earlier.name)});
        d.help = "rename one of them: a record's value cannot also be an object";
    }
}

void Checker::resolve_header_and_start() {
    Span file_start{in_.main_file, 0, 0};
    if (!header_ && !is_broken(BrokenName::Kind::header, ""))
        error(Code::missing_header, file_start, "the flow has no header")
            .help = "begin the file with 'flow \"Name of the flow\" version 1'";
    if (!start_) {
        if (is_broken(BrokenName::Kind::start, "")) return;
        error(Code::missing_start, file_start, "the flow has no 'start'")
            .help = "name the first step with 'start STEP'";
        return;
    }
    file_ = start_->keyword.file;
    if (auto node = node_ref(start_->declaration->target)) data_->start = *node;
}

void Checker::report_unused() {
    for (std::uint32_t i = 0; i < data_->fields.size(); ++i)
        if (!field_used_[i])
            warning(Code::unused_field, data_->fields[i].span,
                    fmt::format("field '{}' is never used", data_->fields[i].name));
    for (std::uint32_t i = 0; i < data_->word_lists.size(); ++i)
        if (!list_used_[i])
            warning(Code::unused_word_list, data_->word_lists[i].span,
                    fmt::format("word list '{}' is never used", data_->word_lists[i].name));
    for (std::uint32_t i = 0; i < data_->lets.size(); ++i)
        if (!let_used_[i])
            warning(Code::unused_condition, data_->lets[i].span,
                    fmt::format("condition '{}' is never used", data_->lets[i].name));
}

bool Checker::is_broken(BrokenName::Kind kind, std::string_view name) const {
    return broken_[static_cast<int>(kind)].contains(std::string(name));
}

}  // namespace triage::checking

namespace triage {

detail::ResolvedFlow check(const CheckInput& input, std::vector<Diagnostic>& diagnostics) {
    return std::move(*checking::Checker(input, diagnostics).run());
}

}  // namespace triage
