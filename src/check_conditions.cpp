// Word lists and conditions: expressions resolved against the symbol tables, lets.
#include "checker_context.hpp"
#include "text_fold.hpp"

namespace triage::checking {

namespace {

// A phrase that reads as nothing where text is matched: white space once folded (`&nbsp;`, `<br>`,
// `<p>` read as text reads them) or only characters folding ignores (zero-width ones). It would
// match nothing, or, for `contains`, every space.
bool folds_to_nothing(std::string_view phrase) { return detail::fold_phrase(phrase).empty(); }

constexpr std::string_view nothing_to_match =
    "once read as text is read it is only white space (HTML line breaks, &nbsp;) or characters matching ignores "
    "(zero-width ones)";

}  // namespace

void Checker::collect_word_list(const ast::WordList& list) {
    WordList words{list.name, {}, {}, span(list.name)};
    boost::apply_visitor(
        overloaded{
            [&](const std::vector<ast::Text>& phrases) {
                for (const ast::Text& phrase : phrases) {
                    std::string_view p = trim(phrase);
                    if (p.empty()) {
                        error(Code::empty_phrase, span(phrase),
                              fmt::format("empty phrase in word list '{}'", words.name));
                        continue;
                    }
                    if (folds_to_nothing(p)) {
                        error(Code::empty_phrase, span(phrase),
                              fmt::format("phrase \"{}\" in word list '{}' has nothing to match: {}", p, words.name,
                                          nothing_to_match));
                        continue;
                    }
                    detail::count_compile_work(p.size());
                    words.phrases.emplace_back(p);
                    words.phrase_spans.push_back(span(phrase));
                }
            },
            [&](const ast::WordFile& file) { read_word_file(file, words); },
        },
        list.source);
    if (words.phrases.size() > in_.options.limits.words) {
        auto& d = error(Code::limit_exceeded, span(list.name),
                        fmt::format("word list '{}' has {} phrases; the limit is {}", words.name, words.phrases.size(),
                                    in_.options.limits.words));
        d.notes.push_back({words.phrase_spans[in_.options.limits.words],
                           fmt::format("phrase {} of the list", in_.options.limits.words + 1)});
        d.help = "split the list, or raise the limit: --limit words=N";
        words.phrases.clear();
        words.phrase_spans.clear();
    }
    auto [it, inserted] = lists_.emplace(words.name, static_cast<std::uint32_t>(data_->word_lists.size()));
    if (!inserted) {
        error(Code::duplicate_definition, span(list.name),
              fmt::format("word list '{}' is already defined", words.name))
            .notes.push_back({data_->word_lists[it->second].span,
                              fmt::format("'{}' was first defined here", words.name)});
        return;
    }
    data_->word_lists.push_back(std::move(words));
    list_used_.push_back(false);
}

std::optional<FileId> Checker::word_file(const std::filesystem::path& path, Span where) {
    const std::filesystem::path identity = detail::file_identity(path);
    if (auto it = word_files_.find(identity); it != word_files_.end()) return it->second;
    // A file that cannot be read is not remembered: each list that names it gets the error.
    std::optional<std::string> bytes = in_.reader.read(path, "word list file", where, diagnostics_);
    if (!bytes) return std::nullopt;
    const FileId file = in_.sources.add(path.generic_string(), std::move(*bytes));
    check_utf8(in_.sources, file, diagnostics_, "word list files");
    word_files_.emplace(identity, file);
    return file;
}

void Checker::read_word_file(const ast::WordFile& file, WordList& words) {
    const std::filesystem::path path = detail::SourceReader::resolve(in_.sources.path(file_), file.path);
    const std::optional<FileId> read = word_file(path, span(file.path));
    if (!read) return;
    // One phrase a line, trimmed; blank lines and lines starting with '#' are not phrases.
    const std::string_view text = in_.sources.text(*read);
    // A byte-order mark (Notepad's) is no part of the first phrase or comment.
    for (std::size_t begin = text.starts_with(byte_order_mark) ? byte_order_mark.size() : 0; begin < text.size();) {
        const std::size_t end = std::min(text.find('\n', begin), text.size());
        const std::string_view phrase = trim(text.substr(begin, end - begin));
        begin = end + 1;
        if (phrase.empty() || phrase.front() == '#') continue;
        detail::count_compile_work(phrase.size());
        const auto at = static_cast<std::uint32_t>(phrase.data() - text.data());
        const Span where{*read, at, at + static_cast<std::uint32_t>(phrase.size())};
        if (folds_to_nothing(phrase)) {
            error(Code::empty_phrase, where,
                  fmt::format("phrase \"{}\" of word list '{}' has nothing to match: {}", phrase, words.name,
                              nothing_to_match));
            continue;
        }
        words.phrases.emplace_back(phrase);
        words.phrase_spans.push_back(where);
    }
    if (words.phrases.empty()) {
        auto& d = error(Code::empty_phrase, span(file.path),
                        fmt::format("word list file '{}' has no phrases", path.generic_string()));
        d.notes.push_back({Span{*read, 0, 0},
                           text.empty() ? "the file is empty" : "the file holds only blank lines and comments ('#')"});
    }
}

ConditionId Checker::add(Condition c) {
    detail::count_compile_work();
    data_->conditions.push_back(std::move(c));
    return static_cast<ConditionId>(data_->conditions.size() - 1);
}

ConditionId Checker::constant(bool value, Span where) {
    Condition c;
    c.kind = ConditionKind::constant;
    c.number = value ? 1 : 0;
    c.span = where;
    return add(std::move(c));
}

ConditionId Checker::unresolved(Span where) {
    const ConditionId id = constant(false, where);
    unresolved_.insert(id);
    return id;
}

ConditionId Checker::add_test(ConditionKind kind, std::uint32_t field, std::uint32_t operand, Span where) {
    Condition c;
    c.kind = kind;
    c.field = field;
    c.operand = operand;
    c.span = where;
    return add(std::move(c));
}

std::optional<Condition> Checker::value_test(const ast::Name& name, bool negated, Span where) {
    auto f = field_ref(name);
    if (!f) return std::nullopt;
    Condition c;
    c.field = *f;
    c.negated = negated;
    c.span = where;
    return c;
}

std::optional<std::uint32_t> Checker::field_ref(const ast::Name& name) {
    auto it = values_.find(name);
    if (it == values_.end() && is_broken(BrokenName::Kind::value, name)) return std::nullopt;
    if (it == values_.end()) {
        auto& d = error(Code::unknown_value_name, span(name),
                        fmt::format("unknown field or condition '{}'", std::string(name)));
        if (!explain_other_kind(d, name, Wanted::field))  // fields only: a condition there is T020
            suggest(d, name, data_->fields, [](const Field& f) { return std::string_view(f.name); });
        return std::nullopt;
    }
    if (it->second.kind == ValueSymbol::Kind::let) {
        auto& d = error(Code::type_mismatch, span(name),
                        fmt::format("'{}' is a condition, not a field", std::string(name)));
        d.help = fmt::format("use it on its own, e.g. 'if {} -> ...'", std::string(name));
        let_used_[it->second.index] = true;
        return std::nullopt;
    }
    field_used_[it->second.index] = true;
    return it->second.index;
}

void Checker::mismatch(const ast::Name& name, std::string message, std::string help) {
    error(Code::type_mismatch, span(name), std::move(message)).help = std::move(help);
}

ConditionId Checker::resolve(const ast::Expr& expr) {
    return boost::apply_visitor(
        overloaded{
            [&](const ast::Boolean& b) { return constant(b.value, span(b)); },
            [&](const ast::Name& n) { return resolve_name(n); },
            [&](const x3::forward_ast<ast::ExistsTest>& e) { return resolve_exists(e.get()); },
            [&](const x3::forward_ast<ast::HasTest>& e) { return resolve_has(e.get()); },
            [&](const x3::forward_ast<ast::ContainsTest>& e) { return resolve_contains(e.get()); },
            [&](const x3::forward_ast<ast::MatchesTest>& e) { return resolve_matches(e.get()); },
            [&](const x3::forward_ast<ast::IsTest>& e) { return resolve_is(e.get()); },
            [&](const x3::forward_ast<ast::InTest>& e) { return resolve_in(e.get()); },
            [&](const x3::forward_ast<ast::Comparison>& e) { return resolve_comparison(e.get()); },
            [&](const x3::forward_ast<ast::WindowTest>& e) { return resolve_window(e.get()); },
            [&](const x3::forward_ast<ast::WithinHours>& e) { return resolve_within_hours(e.get()); },
            [&](const x3::forward_ast<ast::InCrisis>& e) { return resolve_in_crisis(e.get()); },
            [&](const x3::forward_ast<ast::Negation>& e) {
                ConditionId operand = resolve(e.get().operand);
                Condition c;
                c.kind = ConditionKind::negation;
                c.children = {operand};
                c.span = span(e.get());
                return add(std::move(c));
            },
            [&](const x3::forward_ast<ast::Conjunction>& e) {
                return resolve_chain(ConditionKind::conjunction, e.get().first, e.get().rest, span(e.get()));
            },
            [&](const x3::forward_ast<ast::Disjunction>& e) {
                return resolve_chain(ConditionKind::disjunction, e.get().first, e.get().rest, span(e.get()));
            },
        },
        expr);
}

ConditionId Checker::resolve_chain(ConditionKind kind, const ast::Expr& first,
                          const std::vector<ast::Expr>& rest, Span where) {
    ConditionId head = resolve(first);
    if (rest.empty()) return head;
    Condition c;
    c.kind = kind;
    c.children.push_back(head);
    for (const ast::Expr& term : rest) c.children.push_back(resolve(term));
    c.span = where;
    return add(std::move(c));
}

ConditionId Checker::resolve_name(const ast::Name& name) {
    auto it = values_.find(name);
    if (it == values_.end() && is_broken(BrokenName::Kind::value, name)) return unresolved(span(name));
    if (it == values_.end()) {
        auto& d = error(Code::unknown_value_name, span(name),
                        fmt::format("unknown field or condition '{}'", std::string(name)));
        // `True`, `FALSE`: the words of the language are lower case (and no name can be `true`).
        const std::string lower = ascii_lower(name);
        if ((lower == "true" || lower == "false") && values_.find(lower) == values_.end()) {
            d.help = fmt::format("write '{}' in lower case, as every word of the language", lower);
            d.fixes.push_back({fmt::format("replace '{}' with '{}'", std::string(name), lower), {{span(name), lower}}});
        } else if (!explain_other_kind(d, name, Wanted::value)) {
            suggest(d, name, values_, KeyName{});
        }
        return unresolved(span(name));
    }
    Condition c;
    c.span = span(name);
    if (it->second.kind == ValueSymbol::Kind::let) {
        let_used_[it->second.index] = true;
        resolve_let(it->second.index);
        referenced_let_depth_ = std::max(referenced_let_depth_, let_chain_[it->second.index]);
        c.kind = ConditionKind::let_ref;
        c.operand = it->second.index;
        return add(std::move(c));
    }
    std::uint32_t index = it->second.index;
    field_used_[index] = true;
    const Field& f = field(index);
    if (f.type != FieldType::boolean) {
        std::string help;
        switch (f.type) {
        case FieldType::number:
        case FieldType::integer: help = fmt::format("compare it, e.g. '{} > 0'", f.name); break;
        case FieldType::enumeration:
            help = fmt::format("test its value, e.g. '{} is {}'", f.name,
                               f.values.empty() ? "..." : f.values.front());
            break;
        case FieldType::text:
            help = fmt::format("test its text, e.g. '{} contains \"...\"'", f.name);
            break;
        default: help = fmt::format("test whether it is present: 'exists {}'", f.name);
        }
        mismatch(name, fmt::format("'{}' is {} field, not a condition", f.name, with_article(f.type)),
                 std::move(help));
        return unresolved(span(name));
    }
    c.kind = ConditionKind::bool_field;
    c.field = index;
    return add(std::move(c));
}

ConditionId Checker::resolve_exists(const ast::ExistsTest& test) {
    auto f = field_ref(test.field);
    if (!f) return unresolved(span(test));
    return add_test(ConditionKind::exists, *f, 0, span(test));
}

bool Checker::require_text(const ast::Name& name, std::uint32_t index, std::string_view op) {
    const Field& f = field(index);
    if (f.type == FieldType::text) return true;
    mismatch(name,
             fmt::format("'{}' is {} field; '{}' works on text fields", f.name,
                         with_article(f.type), op));
    return false;
}

ConditionId Checker::resolve_has(const ast::HasTest& test) {
    auto f = field_ref(test.field);
    auto list = lists_.find(test.list);
    if (list == lists_.end() && is_broken(BrokenName::Kind::word_list, test.list)) {
    } else if (list == lists_.end()) {
        auto& d = error(Code::unknown_word_list, span(test.list),
                        fmt::format("unknown word list '{}'", std::string(test.list)));
        if (!explain_other_kind(d, test.list, Wanted::word_list)) suggest(d, test.list, lists_, KeyName{});
    } else {
        list_used_[list->second] = true;
    }
    const ConditionKind kind = test.substring                             ? ConditionKind::contains_any
                               : test.quantifier == ast::Quantifier::any ? ConditionKind::has_any
                                                                          : ConditionKind::has_all;
    std::string_view op = kind == ConditionKind::contains_any ? "contains any"
                          : kind == ConditionKind::has_any    ? "has any"
                                                              : "has all";
    if (!f || !require_text(test.field, *f, op) || list == lists_.end())
        return unresolved(span(test));
    return add_test(kind, *f, list->second, span(test));
}

ConditionId Checker::resolve_contains(const ast::ContainsTest& test) {
    auto f = field_ref(test.field);
    if (!f || !require_text(test.field, *f, "contains")) return unresolved(span(test));
    if (trim(test.phrase).empty()) {
        error(Code::empty_phrase, span(test.phrase), "'contains' needs a non-empty phrase");
        return unresolved(span(test));
    }
    if (folds_to_nothing(test.phrase)) {  // `contains "<p>"` would be `contains " "`
        error(Code::empty_phrase, span(test.phrase),
              fmt::format("'contains' phrase \"{}\" has nothing to match: {}", std::string(test.phrase),
                          nothing_to_match));
        return unresolved(span(test));
    }
    Condition c;
    c.kind = ConditionKind::contains;
    c.field = *f;
    c.text = test.phrase;
    c.span = span(test);
    return add(std::move(c));
}

ConditionId Checker::resolve_matches(const ast::MatchesTest& test) {
    auto f = field_ref(test.field);
    bool ok = f && require_text(test.field, *f, "matches");
    const ast::Regex& regex = test.regex;
    Span where{file_, regex.from, regex.to};
    bool case_insensitive = false;
    for (char flag : regex.flags) {
        if (flag == 'i') {
            case_insensitive = true;
            continue;
        }
        error(Code::invalid_regex, where,
              fmt::format("unknown regular expression flag '{}'", flag))
            .help = "the only flag is 'i' (ignore case)";
        return unresolved(span(test));
    }
    if (!ok) return unresolved(span(test));
    Condition c;
    c.kind = ConditionKind::matches;
    c.field = *f;
    // One compiled expression serves every test that writes it the same way; all are compiled
    // together at the end, within the flow's regex budget (regex_compile.hpp).
    auto [it, added] = regex_index_.try_emplace(regex.pattern + (case_insensitive ? "/i" : "/"),
                                                static_cast<std::uint32_t>(data_->regexes.size()));
    if (added) data_->regexes.push_back({regex.pattern, case_insensitive, where});
    c.operand = it->second;
    c.span = span(test);
    return add(std::move(c));
}

std::optional<std::uint32_t> Checker::enum_value(const Field& f, const ast::Value& value) {
    const ast::Spanned* where = nullptr;
    std::string written;
    if (auto* n = boost::get<ast::Name>(&value.get())) {
        where = n;
        written = *n;
    } else if (auto* t = boost::get<ast::Text>(&value.get())) {
        where = t;
        written = *t;
    } else {
        const ast::Spanned& s = value_span(value);
        error(Code::type_mismatch, span(s),
              fmt::format("'{}' takes one of its values ({}), not a number or true/false",
                          f.name, fmt::join(f.values, ", ")));
        return std::nullopt;
    }
    auto it = std::find(f.values.begin(), f.values.end(), written);
    if (it == f.values.end()) {
        auto& d = error(Code::unknown_enum_value, span(*where),
                        fmt::format("'{}' is not a value of '{}'", written, f.name));
        const bool quoted = boost::get<ast::Text>(&value.get()) != nullptr;
        suggest(d, written, f.values, ItselfName{}, {quoted ? Rewrite::As::literal : Rewrite::As::name, span(*where)});
        d.notes.push_back({std::nullopt, fmt::format("'{}' is one of: {}", f.name,
                                                     fmt::join(f.values, ", "))});
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(it - f.values.begin());
}

const ast::Spanned& Checker::value_span(const ast::Value& value) {
    return boost::apply_visitor([](const auto& v) -> const ast::Spanned& { return v; }, value);
}

ConditionId Checker::resolve_is(const ast::IsTest& test) {
    std::optional<Condition> c = value_test(test.field, test.negated, span(test));
    if (!c) return unresolved(span(test));
    const Field& fd = field(c->field);
    switch (fd.type) {
    case FieldType::enumeration: {
        auto v = enum_value(fd, test.value);
        if (!v) return unresolved(span(test));
        c->kind = ConditionKind::enum_in;
        c->values = {*v};
        return add(std::move(*c));
    }
    case FieldType::boolean: {
        auto* b = boost::get<ast::Boolean>(&test.value.get());
        if (!b) {
            mismatch(test.field, fmt::format("'{}' is a bool field; compare it with true or false", fd.name));
            return unresolved(span(test));
        }
        c->kind = ConditionKind::bool_is;
        c->number = b->value ? 1 : 0;
        return add(std::move(*c));
    }
    case FieldType::text: {
        auto* t = boost::get<ast::Text>(&test.value.get());
        if (!t) {
            mismatch(test.field, fmt::format("'{}' is a text field; compare it with a quoted string", fd.name),
                     "write the text in double quotes");
            return unresolved(span(test));
        }
        c->kind = ConditionKind::text_is;
        c->text = *t;
        return add(std::move(*c));
    }
    default:
        mismatch(test.field, fmt::format("'{}' is {} field; 'is' compares text, bool and one-of fields",
                                         fd.name, with_article(fd.type)),
                 is_numeric(fd.type) ? "use == to compare numbers" : "");
        return unresolved(span(test));
    }
}

ConditionId Checker::resolve_in(const ast::InTest& test) {
    std::optional<Condition> c = value_test(test.field, test.negated, span(test));
    if (!c) return unresolved(span(test));
    const Field& fd = field(c->field);
    bool ok = true;
    switch (fd.type) {
    case FieldType::enumeration:
        c->kind = ConditionKind::enum_in;
        for (const ast::Value& v : test.values) {
            if (auto index = enum_value(fd, v)) c->values.push_back(*index);
            else ok = false;
        }
        break;
    case FieldType::text:
        c->kind = ConditionKind::text_in;
        for (const ast::Value& v : test.values) {
            if (auto* t = boost::get<ast::Text>(&v.get())) {
                c->strings.push_back(*t);
            } else {
                error(Code::type_mismatch, span(value_span(v)),
                      fmt::format("'{}' is a text field; its list takes quoted strings", fd.name));
                ok = false;
            }
        }
        break;
    case FieldType::number:
    case FieldType::integer:
        c->kind = ConditionKind::number_in;
        for (const ast::Value& v : test.values) {
            if (auto* n = boost::get<ast::Number>(&v.get())) {
                c->numbers.push_back(n->value);
            } else {
                error(Code::type_mismatch, span(value_span(v)),
                      fmt::format("'{}' is {} field; its list takes numbers", fd.name,
                                  with_article(fd.type)));
                ok = false;
            }
        }
        break;
    default:
        mismatch(test.field, fmt::format("'{}' is {} field; 'in' works on text, number and "
                                         "one-of fields",
                                         fd.name, with_article(fd.type)));
        return unresolved(span(test));
    }
    if (!ok) return unresolved(span(test));
    return add(std::move(*c));
}

ConditionId Checker::resolve_comparison(const ast::Comparison& test) {
    static constexpr std::string_view op_text[] = {"<", "<=", ">", ">=", "==", "!="};
    std::string_view op = op_text[static_cast<int>(test.op)];
    auto f = field_ref(test.field);
    if (!f) return unresolved(span(test));
    const Field& fd = field(*f);
    Condition c;
    c.field = *f;
    c.op = static_cast<CompareOp>(test.op);
    c.span = span(test);
    if (!is_numeric(fd.type) && fd.type != FieldType::time) {
        std::string help = fd.type == FieldType::text
                               ? "use 'is', 'contains', 'has any' or 'matches' on text"
                               : "use 'is' or 'is not'";
        mismatch(test.field, fmt::format("'{}' is {} field and cannot be compared with '{}'",
                                         fd.name, with_article(fd.type), op),
                 std::move(help));
        return unresolved(span(test));
    }
    if (auto* number = boost::get<ast::Number>(&test.rhs.get())) {
        if (fd.type == FieldType::time) {
            mismatch(test.field, fmt::format("'{}' is a time field; compare it with another time field", fd.name));
            return unresolved(span(test));
        }
        c.kind = ConditionKind::compare_number;
        c.number = number->value;
        return add(std::move(c));
    }
    const ast::Name& other_name = boost::get<ast::Name>(test.rhs.get());
    auto other = field_ref(other_name);
    if (!other) return unresolved(span(test));
    const Field& od = field(*other);
    bool compatible = fd.type == FieldType::time ? od.type == FieldType::time : is_numeric(od.type);
    if (!compatible) {
        mismatch(test.field, fmt::format("cannot compare {} field '{}' with {} field '{}'",
                                         describe(fd.type), fd.name, describe(od.type), od.name));
        return unresolved(span(test));
    }
    c.kind = ConditionKind::compare_field;
    c.operand = *other;
    return add(std::move(c));
}

void Checker::resolve_let(std::uint32_t index) {
    if (let_state_[index] == LetState::done) return;
    const auto& [let, file] = lets_[index];
    if (let_state_[index] == LetState::resolving) {
        if (!let_recursive_.contains(index)) {
            let_recursive_.insert({index, true});
            error(Code::recursive_condition, span_in(file, let->name),
                  fmt::format("condition '{}' refers to itself", std::string(let->name)))
                .help = "a condition cannot depend on its own value; break the loop";
        }
        return;
    }
    if (lets_resolving_ >= in_.options.limits.nesting) {
        // Declared in the reverse order of use: the chain shows here, while resolving.
        let_chain_[index] = in_.options.limits.nesting + 1;
        if (!let_too_deep_) too_deep_let(file, let->name);
        return;
    }
    let_state_[index] = LetState::resolving;
    ++lets_resolving_;
    FileId saved = file_;
    file_ = file;
    const std::uint32_t outer = referenced_let_depth_;
    referenced_let_depth_ = 0;
    data_->lets[index].condition = resolve(let->condition);
    // Evaluating a let recurses into the lets it names: bound the length of such chains.
    let_chain_[index] = referenced_let_depth_ + 1;
    referenced_let_depth_ = outer;
    if (let_chain_[index] > in_.options.limits.nesting && !let_too_deep_) too_deep_let(file, let->name);
    file_ = saved;
    --lets_resolving_;
    let_state_[index] = LetState::done;
}

void Checker::too_deep_let(FileId file, const ast::Name& name) {
    let_too_deep_ = true;
    error(Code::limit_exceeded, span_in(file, name),
          fmt::format("conditions refer to conditions more than {} levels deep here", in_.options.limits.nesting))
        .help = "shorten the chain of 'let' conditions, or raise the limit: --limit nesting=N";
}

}  // namespace triage::checking
