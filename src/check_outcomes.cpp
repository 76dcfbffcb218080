// Steps and outcomes: branches, constant conditions, actions and deadlines.
#include "checker_context.hpp"

namespace triage::checking {

std::optional<NodeRef> Checker::node_ref(const ast::Name& name) {
    auto it = data_->node_index.find(name);
    if (it != data_->node_index.end()) return it->second;
    if (is_broken(BrokenName::Kind::node, name) || too_many_steps_) return std::nullopt;
    auto& d = error(Code::unknown_node, span(name),
                    fmt::format("unknown step or outcome '{}'", std::string(name)));
    if (!explain_other_kind(d, name, Wanted::node)) suggest(d, name, data_->node_index, KeyName{});
    return std::nullopt;
}

std::optional<bool> Checker::fold(ConditionId id, int depth) const {
    detail::count_compile_work();
    if (depth > 64) return std::nullopt;
    const Condition& c = data_->conditions[id];
    switch (c.kind) {
    case ConditionKind::constant:
        if (unresolved_.contains(id)) return std::nullopt;
        return c.number != 0;
    case ConditionKind::let_ref: {
        const Let& let = data_->lets[c.operand];
        if (let.condition == no_condition || let_recursive_.contains(c.operand)) return std::nullopt;
        // Once per let: a let used k times by the next one would otherwise cost k^depth.
        if (let_fold_.size() <= c.operand) let_fold_.resize(data_->lets.size(), LetFold::unknown);
        LetFold& known = let_fold_[c.operand];
        if (known == LetFold::unknown) {
            std::optional<bool> v = fold(let.condition, depth + 1);
            known = !v ? LetFold::varies : *v ? LetFold::always : LetFold::never;
        }
        if (known == LetFold::varies) return std::nullopt;
        return known == LetFold::always;
    }
    case ConditionKind::negation: {
        auto v = fold(c.children[0], depth + 1);
        if (!v) return std::nullopt;
        return !*v;
    }
    case ConditionKind::conjunction:
    case ConditionKind::disjunction: {
        const bool dominant = c.kind == ConditionKind::disjunction;  // true for or, false for and
        bool all_known = true;
        for (ConditionId child : c.children) {
            auto v = fold(child, depth + 1);
            if (!v) all_known = false;
            else if (*v == dominant) return dominant;
        }
        if (all_known) return !dominant;
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

void Checker::resolve_step(std::uint32_t index) {
    const auto& [step, file] = steps_[index];
    file_ = file;
    Step& s = data_->steps[index];
    std::optional<std::size_t> always_true;
    std::unordered_map<std::string, std::size_t> seen;  // normalised condition → its first branch
    for (std::size_t i = 0; i < step->branches.size(); ++i) {
        const ast::Branch& b = step->branches[i];
        Branch branch;
        branch.condition = resolve(b.condition);
        branch.span = span(b);
        branch.target_span = span(b.target);
        Span if_keyword = keyword_span(b);
        std::string text = collapse_whitespace(in_.sources.text(data_->conditions[branch.condition].span));
        detail::count_compile_work(text.size());  // collapsing and hashing it
        auto [repeated, first_time] = seen.try_emplace(text, i);
        if (always_true) {
            warning(Code::shadowed_branch, if_keyword,
                    "this branch is never taken: an earlier branch always matches")
                .notes.push_back({s.branches[*always_true].span, "this branch always matches"});
        } else if (!first_time) {
            warning(Code::shadowed_branch, if_keyword,
                    fmt::format("this branch is never taken: an earlier branch has the same "
                                "condition '{}'",
                                text))
                .notes.push_back({s.branches[repeated->second].span, "the earlier branch is here"});
        }
        if (!always_true && fold(branch.condition) == true) always_true = i;
        branch.target = node_ref(b.target).value_or(detail::unresolved_node);
        s.branches.push_back(branch);
    }
    if (step->otherwise) {
        const ast::ElseBranch& e = *step->otherwise;
        if (always_true)
            warning(Code::shadowed_branch, span(e.keyword),
                    "'else' is never taken: an earlier branch always matches")
                .notes.push_back({s.branches[*always_true].span, "this branch always matches"});
        if (auto target = node_ref(e.target)) {
            Branch branch;
            branch.target = *target;
            branch.span = span(e);
            branch.target_span = span(e.target);
            s.otherwise = branch;
        }
    } else {
        warning(Code::missing_else, s.name_span,
                fmt::format("step '{}' has no 'else': mentions that match no branch get no "
                            "outcome",
                            s.name))
            .help = "add 'else -> ...' as the last branch";
    }
    if (step->branches.empty())
        warning(Code::step_without_branches, s.name_span,
                fmt::format("step '{}' asks nothing: it has no 'if' branch", s.name));
}

std::optional<Duration> Checker::duration(const std::optional<ast::Duration>& d) {
    if (!d) return std::nullopt;
    return duration(*d);
}

std::optional<Duration> Checker::duration(const ast::Duration& d) {
    std::uint64_t unit = 1;
    switch (d.unit) {
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: break;
    }
    if (d.amount == 0) {
        error(Code::invalid_duration, span(d), "a duration must be longer than zero");
        return std::nullopt;
    }
    if (d.amount > max_duration_seconds / unit) {
        error(Code::invalid_duration, span(d), "a duration cannot be longer than 10 years");
        return std::nullopt;
    }
    return Duration(static_cast<std::int64_t>(d.amount * unit));
}

void Checker::deadline(const std::optional<ast::Deadline>& d, Action& a) {
    if (!d) return;
    a.duration = duration(d->length);
    if (d->during)
        if (auto h = hours_ref(*d->during)) a.hours = *h;
}

bool Checker::same_condition(ConditionId a, ConditionId b) const {
    if (a == b) return true;
    if (a == no_condition || b == no_condition) return false;
    const Condition& x = data_->conditions[a];
    const Condition& y = data_->conditions[b];
    if (x.kind != y.kind || x.op != y.op || x.negated != y.negated || x.field != y.field || x.operand != y.operand ||
        x.number != y.number || x.text != y.text || x.numbers != y.numbers || x.strings != y.strings ||
        x.values != y.values || x.children.size() != y.children.size())
        return false;
    for (std::size_t i = 0; i < x.children.size(); ++i)
        if (!same_condition(x.children[i], y.children[i])) return false;
    return true;
}

bool Checker::excludes(ConditionId a, ConditionId b) const {
    if (a == no_condition || b == no_condition) return false;
    auto negates = [&](ConditionId n, ConditionId c) {
        const Condition& x = data_->conditions[n];
        return x.kind == ConditionKind::negation && same_condition(x.children[0], c);
    };
    return negates(a, b) || negates(b, a);
}

Action Checker::action(const ast::ActionStmt& stmt) {
    Action a;
    a.span = span(stmt);
    boost::apply_visitor(
        overloaded{
            [&](const ast::Respond& r) {
                a.kind = ActionKind::respond;
                a.channel = r.channel == ast::Channel::publicly ? Channel::publicly : Channel::privately;
                deadline(r.within, a);
                if (r.template_name) a.text = *r.template_name;
            },
            [&](const ast::DoNotRespond& r) {
                a.kind = ActionKind::do_not_respond;
                a.text = r.reason;
            },
            [&](const ast::Monitor& m) {
                a.kind = ActionKind::monitor;
                a.duration = duration(m.period);
            },
            [&](const ast::Escalate& e) {
                a.kind = ActionKind::escalate;
                a.text = e.team;
                deadline(e.within, a);
            },
            [&](const ast::Tag& t) {
                a.kind = ActionKind::tag;
                a.labels.assign(t.labels.begin(), t.labels.end());
            },
            [&](const ast::Flag& f) {
                a.kind = ActionKind::flag;
                a.text = f.team;
            },
            [&](const ast::Notify& n) {
                a.kind = ActionKind::notify;
                a.text = n.team;
            },
            [&](const ast::Assign& n) {
                a.kind = ActionKind::assign;
                a.text = n.team;
            },
            [&](const ast::Priority& p) {
                a.kind = ActionKind::priority;
                a.priority = static_cast<Priority>(p.level);
            },
            [&](const ast::FollowUp& f) {
                a.kind = ActionKind::follow_up;
                deadline(f.after, a);
            },
            [&](const ast::Note& n) {
                a.kind = ActionKind::note;
                a.text = n.text;
            },
        },
        stmt.action);
    return a;
}

void Checker::resolve_outcome(std::uint32_t index) {
    const auto& [outcome, file] = outcomes_.at(index);
    file_ = file;
    Outcome& o = data_->outcomes[index];
    std::map<ActionKind, Span> first_unconditional;
    struct Reply {
        ActionKind kind;  // respond or do not respond
        Span keyword;
        ConditionId condition;
    };
    std::vector<Reply> replies;
    for (const ast::ActionStmt& stmt : outcome->actions) {
        Action a = action(stmt);
        if (stmt.condition) a.condition = resolve(*stmt.condition);
        Span keyword = keyword_span(stmt);

        if (a.kind == ActionKind::respond || a.kind == ActionKind::do_not_respond) {
            // `respond ... if X` with `do not respond ... if not X` never apply together; two other
            // conditions are the solver's to compare when the build has it (check_conflicting_actions).
            const bool solver_decides = semantic_checks_built() && a.condition != no_condition;
            auto conflict = std::find_if(replies.begin(), replies.end(), [&](const Reply& r) {
                return r.kind != a.kind && !excludes(r.condition, a.condition) &&
                       !(solver_decides && r.condition != no_condition);
            });
            if (conflict != replies.end())
                error(Code::conflicting_actions, keyword,
                      fmt::format("outcome '{}' both responds and does not respond", o.name))
                    .notes.push_back({conflict->keyword, "the other one is here"});
            replies.push_back({a.kind, keyword, a.condition});
        }
        const bool single = a.kind == ActionKind::respond || a.kind == ActionKind::do_not_respond ||
                            a.kind == ActionKind::priority || a.kind == ActionKind::follow_up ||
                            a.kind == ActionKind::monitor;
        if (single && a.condition == no_condition) {
            auto [it, inserted] = first_unconditional.emplace(a.kind, keyword);
            if (!inserted)
                error(Code::repeated_action, keyword,
                      fmt::format("outcome '{}' has a second unconditional '{}'", o.name,
                                  to_string(a.kind)))
                    .notes.push_back({it->second, "the first one is here"});
        }
        o.actions.push_back(std::move(a));
    }
    if (outcome->actions.empty())
        warning(Code::empty_outcome, o.name_span,
                fmt::format("outcome '{}' has no actions", o.name))
            .help = "say what to do, e.g. 'monitor' or 'do not respond because \"...\"'";
}

}  // namespace triage::checking
