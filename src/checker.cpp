#include "checker.hpp"

#include "business_hours.hpp"
#include "compile_work.hpp"
#include "regex_compile.hpp"
#include "suggest.hpp"
#include "window_ring.hpp"
#include "syntax/ast.hpp"
#include "text_util.hpp"
#include "triage/json.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace triage {

namespace {

namespace ast = syntax::ast;
namespace x3 = boost::spirit::x3;


constexpr auto max_duration_seconds = static_cast<std::uint64_t>(longest_duration.count());
constexpr unsigned max_test_repeat = 100'000;

bool is_numeric(FieldType type) { return type == FieldType::number || type == FieldType::integer; }

// How messages name a type: "one-of" reads better than "one of" inside a sentence.
std::string describe(FieldType type) {
    return type == FieldType::enumeration ? "one-of" : std::string(to_string(type));
}

std::string with_article(FieldType type) {
    return (type == FieldType::integer ? "an " : "a ") + describe(type);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}


struct ValueSymbol {
    enum class Kind { field, let } kind;
    std::uint32_t index;
};

class Checker {
public:
    Checker(const CheckInput& input, std::vector<Diagnostic>& diagnostics)
        : in_(input), diagnostics_(diagnostics), data_(std::make_unique<detail::FlowData>()) {}

    std::unique_ptr<detail::FlowData> run() {
        for (const BrokenName& b : in_.broken) broken_[static_cast<int>(b.kind)].insert(b.name);
        for (const SourceDeclaration& d : in_.declarations) {
            file_ = d.file;
            collect(*d.declaration);
        }
        check_field_groups();
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

private:
    // ---- spans and reporting ----------------------------------------------------------------

    Span span(const ast::Spanned& node) const { return {file_, node.from, node.to}; }
    Span span_in(FileId file, const ast::Spanned& node) const { return {file, node.from, node.to}; }
    // The first word at a node's start: a keyword such as `if`, `respond`, `flow`.
    Span keyword_span(const ast::Spanned& node) const {
        std::string_view text = in_.sources.text(file_);
        std::uint32_t end = node.from;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                     text[end] == '_'))
            ++end;
        return {file_, node.from, std::max(end, node.from + 1)};
    }

    Diagnostic& report(Severity severity, Code code, Span where, std::string message) {
        diagnostics_.push_back({severity, code, where, std::move(message), {}, {}});
        return diagnostics_.back();
    }
    Diagnostic& error(Code code, Span where, std::string message) {
        return report(Severity::error, code, where, std::move(message));
    }
    Diagnostic& warning(Code code, Span where, std::string message) {
        return report(Severity::warning, code, where, std::move(message));
    }
    template <typename Range, typename NameOf = ItselfName>
    void suggest(Diagnostic& d, std::string_view name, const Range& candidates, NameOf name_of = {}) {
        if (suggestion_budget_ == 0) return;
        const std::uint64_t before = suggestion_budget_;
        std::optional<std::string> best = closest_name(name, candidates, suggestion_budget_, name_of);
        detail::count_compile_work(before - suggestion_budget_);  // cells of edit distance
        if (best) d.help = fmt::format("did you mean '{}'?", *best);
    }

    // ---- pass 1: declarations and symbol tables ---------------------------------------------

    void collect(const ast::Declaration& declaration) {
        boost::apply_visitor(
            overloaded{
                [&](const ast::Header& h) { collect_header(h); },
                [&](const ast::Include&) {},  // expanded in place by compile()
                [&](const ast::FieldsBlock& b) {
                    for (const ast::FieldDecl& f : b.fields) collect_field(f);
                },
                [&](const ast::WordList& w) { collect_word_list(w); },
                [&](const ast::Let& l) { collect_let(l); },
                [&](const ast::Start& s) { collect_start(s); },
                [&](const ast::Step& s) { collect_step(s); },
                [&](const ast::Outcome& o) { collect_outcome(o); },
                [&](const ast::TestCase& t) { tests_.push_back({&t, file_}); },
                [&](const ast::Clock& c) { collect_clock(c); },
                [&](const ast::Hours& h) { collect_hours(h); },
                [&](const ast::Crisis& c) { collect_crisis(c); },
            },
            declaration);
    }

    // ---- clock, business hours, crisis modes --------------------------------------------------

    void collect_clock(const ast::Clock& clock) {
        Span where = keyword_span(clock);
        if (clock_) {
            error(Code::duplicate_singleton, where, "a flow has only one 'clock'")
                .notes.push_back({clock_->second, "the first 'clock' is here"});
            return;
        }
        clock_ = {&clock, where};
        clock_file_ = file_;
    }

    void resolve_clock() {
        if (!clock_) return;
        file_ = clock_file_;
        const ast::Clock& c = *clock_->first;
        auto f = field_ref(c.field);
        if (!f) return;
        if (field(*f).type != FieldType::time) {
            mismatch(c.field, fmt::format("'{}' is {} field; the clock reads a time field", field(*f).name,
                                          with_article(field(*f).type)),
                     "declare it as 'time' in the fields block, or name another field");
            return;
        }
        Clock clock{*f, Duration(0), span(c)};
        if (c.tolerance) clock.tolerance = duration(*c.tolerance).value_or(Duration(0));
        data_->clock = clock;
    }

    // Enters `name` for the next of `defined` (business hours, crises); T010 if it is taken.
    template <typename Item>
    bool define_named(std::unordered_map<std::string, std::uint32_t>& names, const ast::Name& name,
                      const std::vector<Item>& defined, std::string_view what) {
        auto [it, inserted] = names.emplace(name, static_cast<std::uint32_t>(defined.size()));
        if (!inserted)
            error(Code::duplicate_definition, span(name),
                  fmt::format("{} '{}' is already defined", what, std::string(name)))
                .notes.push_back({defined[it->second].name_span,
                                  fmt::format("'{}' was first defined here", std::string(name))});
        return inserted;
    }

    void collect_hours(const ast::Hours& block) {
        Hours h;
        h.name = block.name;
        h.title = block.title;
        h.span = span(block);
        h.name_span = span(block.name);
        if (!define_named(hours_index_, block.name, data_->hours, "business hours")) return;
        static constexpr std::string_view days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
        auto weekday_of = [&](const ast::Name& n) -> std::optional<std::uint8_t> {
            for (std::uint8_t d = 0; d < 7; ++d)
                if (days[d] == std::string_view(n)) return d;
            auto& d = error(Code::invalid_hours, span(n), fmt::format("'{}' is not a day", std::string(n)));
            suggest(d, n, days);
            if (d.help.empty()) d.help = "days are mon, tue, wed, thu, fri, sat and sun";
            return std::nullopt;
        };
        std::optional<Span> zone_span;
        bool valid = true;
        for (const ast::HoursItem& item : block.items) {
            boost::apply_visitor(
                overloaded{
                    [&](const ast::Zone& z) {
                        if (zone_span) {
                            error(Code::invalid_hours, span(z), fmt::format("business hours '{}' have a second zone", h.name))
                                .notes.push_back({*zone_span, "the first zone is here"});
                            valid = false;
                            return;
                        }
                        zone_span = span(z.name);
                        h.zone = z.name;
                    },
                    [&](const ast::Holidays& list) {
                        for (const ast::Date& d : list.dates) {
                            using namespace std::chrono;
                            year_month_day date{year(static_cast<int>(d.year)), month(d.month), day(d.day)};
                            if (!date.ok()) {
                                error(Code::invalid_hours, span(d), "no such date");
                                valid = false;
                                continue;
                            }
                            h.holidays.push_back(static_cast<std::int32_t>(sys_days(date).time_since_epoch().count()));
                        }
                    },
                    [&](const ast::Opening& o) {
                        std::vector<std::uint8_t> weekdays;
                        for (const ast::DayRange& r : o.days) {
                            auto first = weekday_of(r.first);
                            auto last = r.last ? weekday_of(*r.last) : first;
                            if (!first || !last) {
                                valid = false;
                                continue;
                            }
                            for (std::uint8_t d = *first;; d = static_cast<std::uint8_t>((d + 1) % 7)) {
                                weekdays.push_back(d);
                                if (d == *last) break;
                            }
                        }
                        for (const ast::TimeRange& t : o.times) {
                            auto seconds = [&](const ast::LocalTime& at) -> std::optional<std::int32_t> {
                                if (at.minute >= 60 || at.hour > 24 || (at.hour == 24 && at.minute != 0)) {
                                    error(Code::invalid_hours, span(at), "no such time of day")
                                        .help = "write times from 00:00 to 24:00";
                                    return std::nullopt;
                                }
                                return static_cast<std::int32_t>(at.hour * 3600 + at.minute * 60);
                            };
                            auto from = seconds(t.opens);
                            auto to = seconds(t.closes);
                            if (!from || !to) {
                                valid = false;
                                continue;
                            }
                            if (*to <= *from) {
                                auto& d = error(Code::invalid_hours, span(t),
                                                "this opening ends at or before its start; openings run within one day");
                                if (*to < *from)
                                    d.help = fmt::format("a night shift is two openings: '{:02}:{:02}-24:00' and '00:00-{:02}:{:02}' the next day",
                                                         t.opens.hour, t.opens.minute, t.closes.hour, t.closes.minute);
                                valid = false;
                                continue;
                            }
                            for (std::uint8_t d : weekdays) h.openings.push_back({d, *from, *to});
                        }
                    },
                },
                item);
        }
        if (!zone_span) {
            error(Code::invalid_hours, h.name_span, fmt::format("business hours '{}' have no time zone", h.name))
                .help = "add 'zone \"Area/City\"', e.g. zone \"Europe/London\"; 'zone \"UTC\"' for UTC";
            valid = false;
        }
        if (valid && h.openings.empty()) {
            error(Code::invalid_hours, h.name_span, fmt::format("business hours '{}' are never open", h.name))
                .help = "add days and opening times, e.g. 'mon-fri 09:00-18:00'";
            valid = false;
        }
        std::optional<detail::TimeZone> zone;
        if (zone_span) {
            std::string problem;
            zone = detail::TimeZone::load(h.zone, problem);
            if (!zone) {
                error(Code::unknown_time_zone, *zone_span, problem).help =
                    "time zones are named as in the tz database, e.g. \"Europe/London\", \"America/New_York\", \"UTC\"";
                valid = false;
            } else if (std::optional<detail::ZoneAdvice> advice = detail::legacy_zone_advice(h.zone)) {
                warning(Code::legacy_time_zone, *zone_span, advice->why).help =
                    !advice->city.empty()
                        ? advice->city == "UTC" ? std::string("write zone \"UTC\"")
                                                : fmt::format("name the place whose clocks the desk follows, e.g. zone \"{}\"", advice->city)
                        : "name the place whose clocks the desk follows, as Area/City: e.g. zone \"America/New_York\"";
            }
        }
        std::vector<detail::OpenInterval> open;
        for (const Opening& o : h.openings) open.push_back({o.weekday, o.from, o.to});
        data_->calendars.emplace_back(valid ? std::move(*zone) : detail::TimeZone::utc(), std::move(open), h.holidays);
        data_->hours.push_back(std::move(h));
    }

    void collect_crisis(const ast::Crisis& block) {
        Crisis c;
        c.name = block.name;
        c.title = block.title;
        c.span = span(block);
        c.name_span = span(block.name);
        if (!define_named(crisis_index_, block.name, data_->crises, "crisis")) return;
        data_->crises.push_back(std::move(c));
        crises_.push_back({&block, file_});
    }

    void resolve_crisis(std::uint32_t index) {
        const auto& [block, file] = crises_[index];
        file_ = file;
        Crisis& c = data_->crises[index];
        std::optional<Span> when_span, leave_span, minimum_span;
        auto once = [&](std::optional<Span>& seen, Span where, std::string_view what) {
            if (seen) {
                error(Code::invalid_crisis, where, fmt::format("crisis '{}' has a second '{}'", c.name, what))
                    .notes.push_back({*seen, fmt::format("the first '{}' is here", what)});
                return false;
            }
            seen = where;
            return true;
        };
        for (const ast::CrisisItem& item : block->items) {
            boost::apply_visitor(
                overloaded{
                    [&](const ast::CrisisWhen& w) {
                        if (!once(when_span, keyword_span(w), "when")) return;
                        c.enter = resolve(w.condition);
                        c.enter_span = data_->conditions[c.enter].span;
                    },
                    [&](const ast::CrisisLeave& l) {
                        if (once(leave_span, keyword_span(l), "leave when")) c.leave = resolve(l.condition);
                    },
                    [&](const ast::CrisisMinimum& m) {
                        if (once(minimum_span, keyword_span(m), "minimum")) c.minimum = duration(m.length).value_or(Duration(0));
                    },
                    [&](const ast::Route& r) {
                        auto node = node_ref(r.node);
                        auto replacement = node_ref(r.replacement);
                        if (!node || !replacement) return;
                        if (*node == *replacement) {
                            error(Code::invalid_crisis, span(r), fmt::format("'{}' is routed to itself", std::string(r.node)));
                            return;
                        }
                        if (start_ && start_->target == r.node) {
                            error(Code::invalid_crisis, span(r.node), "the start step cannot be routed")
                                .help = "route the steps it leads to, or ask 'if in crisis NAME -> ...' in the start step";
                            return;
                        }
                        for (const Route& earlier : c.routes)
                            if (earlier.node == *node) {
                                error(Code::invalid_crisis, span(r.node),
                                      fmt::format("crisis '{}' routes '{}' twice", c.name, std::string(r.node)))
                                    .notes.push_back({earlier.span, "the first route is here"});
                                return;
                            }
                        c.routes.push_back({*node, *replacement, span(r)});
                    },
                },
                item);
        }
        if (!first_clock_use_) first_clock_use_ = c.name_span;  // it starts and lasts in time
        if (!when_span)
            error(Code::invalid_crisis, c.name_span, fmt::format("crisis '{}' has no 'when'", c.name))
                .help = "say when it starts, e.g. 'when count(sentiment < -0.5) over 1h > 50'";
    }

    // Windows and crisis modes depend on earlier mentions; what they count, and when a crisis
    // starts or ends, must not (that would be circular), and they need a clock.
    void check_state_use() {
        std::vector<char> visiting(data_->lets.size(), 0);
        for (const Window& w : data_->windows)
            if (auto use = first_state_use(w.condition, false, visiting))
                state_not_allowed(*use, "a window counts mentions by what they say, not by other windows or crises");
        for (const Crisis& c : data_->crises)
            for (ConditionId id : {c.enter, c.leave})
                if (id != no_condition) {
                    if (auto use = first_state_use(id, true, visiting))
                        state_not_allowed(*use, "'when' and 'leave when' may use windows and the mention's fields, not other crisis modes");
                    // A crisis is one for the whole stream; a window counted per group answers for
                    // the mention's group only, and the crisis would start and end with each group.
                    else if (auto grouped = first_grouped_window(id, visiting))
                        error(Code::state_not_allowed, grouped->span, "a window counted 'by' a field cannot start or end a crisis")
                            .help = "a crisis is for the whole stream: count without 'by', or ask the grouped window in a step";
                }
        check_state_size();
        if (!data_->clock && first_clock_use_ && !clock_)
            error(Code::clock_needed, *first_clock_use_, "this needs the time of each mention, and the flow has no clock")
                .help = "name the time field that says when a mention was posted: 'clock posted_at'";
    }

    // What a Monitor of this flow may hold at most (see window_ring.hpp), against the limit.
    void check_state_size() {
        const Duration tolerance = data_->clock ? data_->clock->tolerance : Duration(0);
        std::uint64_t total = 0;
        for (const Window& w : data_->windows) {
            total += detail::window_bytes(w, tolerance, in_.options.limits.groups);
            if (total > in_.options.limits.state_bytes) {
                error(Code::limit_exceeded, w.span,
                      fmt::format("with this window the flow's state may need {} bytes; the limit is {}", total,
                                  in_.options.limits.state_bytes))
                    .help = "use fewer groups (--limit groups=N), a shorter baseline or tolerance, or raise the limit: "
                            "--limit state-memory=N";
                return;
            }
        }
    }

    void state_not_allowed(const Condition& use, std::string help) {
        error(Code::state_not_allowed, use.span,
              use.kind == ConditionKind::in_crisis ? "'in crisis' cannot be used here" : "a window cannot be used here")
            .help = std::move(help);
    }

    // The first leaf of a condition (through lets; a recursive let, already reported, is not
    // followed round) for which `wanted` holds.
    template <typename Wanted>
    const Condition* first_leaf(ConditionId id, const Wanted& wanted, std::vector<char>& visiting) const {
        const Condition& c = data_->conditions[id];
        if (c.kind == ConditionKind::let_ref) {
            const Let& let = data_->lets[c.operand];
            if (let.condition == no_condition || visiting[c.operand]) return nullptr;
            visiting[c.operand] = 1;
            const Condition* found = first_leaf(let.condition, wanted, visiting);
            visiting[c.operand] = 0;
            return found;
        }
        if (wanted(c)) return &c;
        for (ConditionId child : c.children)
            if (const Condition* found = first_leaf(child, wanted, visiting)) return found;
        return nullptr;
    }

    // The first window or `in crisis` inside a condition; windows themselves are allowed when
    // `windows_allowed`.
    const Condition* first_state_use(ConditionId id, bool windows_allowed, std::vector<char>& visiting) const {
        return first_leaf(id, [&](const Condition& c) {
            return c.kind == ConditionKind::in_crisis || (c.kind == ConditionKind::window && !windows_allowed);
        }, visiting);
    }

    const Condition* first_grouped_window(ConditionId id, std::vector<char>& visiting) const {
        return first_leaf(id, [&](const Condition& c) {
            return c.kind == ConditionKind::window && data_->windows[c.operand].group.has_value();
        }, visiting);
    }

    // A name of business hours or of a crisis; T027, with a suggestion, if there is none.
    std::optional<std::uint32_t> named_ref(const std::unordered_map<std::string, std::uint32_t>& index,
                                           const ast::Name& name, std::string_view what, std::string_view declare) {
        auto it = index.find(name);
        if (it != index.end()) return it->second;
        auto& d = error(Code::unknown_hours_or_crisis, span(name), fmt::format("unknown {} '{}'", what, std::string(name)));
        suggest(d, name, index, KeyName{});
        if (index.empty()) d.help = declare;
        return std::nullopt;
    }
    std::optional<std::uint32_t> hours_ref(const ast::Name& name) {
        return named_ref(hours_index_, name, "business hours",
                         "declare them: hours NAME \"Title\" { zone \"Europe/London\"  mon-fri 09:00-18:00 }");
    }
    std::optional<std::uint32_t> crisis_ref(const ast::Name& name) {
        return named_ref(crisis_index_, name, "crisis", "declare it: crisis NAME \"Title\" { when ... }");
    }

    ConditionId resolve_within_hours(const ast::WithinHours& test) {
        if (!first_clock_use_) first_clock_use_ = span(test);
        auto h = hours_ref(test.hours);
        if (!h) return constant(false, span(test));
        Condition c;
        c.kind = ConditionKind::within_hours;
        c.operand = *h;
        if (data_->clock) c.field = data_->clock->field;  // read for the mention's time
        c.span = span(test);
        return add(std::move(c));
    }

    ConditionId resolve_in_crisis(const ast::InCrisis& test) {
        auto crisis = crisis_ref(test.crisis);
        if (!crisis) return constant(false, span(test));
        Condition c;
        c.kind = ConditionKind::in_crisis;
        c.operand = *crisis;
        c.span = span(test);
        return add(std::move(c));
    }

    ConditionId resolve_window(const ast::WindowTest& test) {
        if (!first_clock_use_) first_clock_use_ = span(test);
        const std::string_view kind = test.kind == ast::WindowKind::count ? "count"
                                      : test.kind == ast::WindowKind::rate ? "rate"
                                                                          : "spike";
        Window w;
        w.kind = static_cast<WindowKind>(test.kind);
        w.condition = resolve(test.condition);
        w.span = span(test);
        bool ok = true;
        auto invalid = [&](const ast::Spanned& where, std::string message, std::string help) {
            error(Code::invalid_window, span(where), std::move(message)).help = std::move(help);
            ok = false;
        };
        if (auto length = duration(test.length)) w.length = *length;
        else ok = false;
        if (test.kind == ast::WindowKind::spike) {
            if (!test.baseline)
                invalid(test.length, "a spike compares the window with a baseline before it",
                        "name the baseline: 'spike(...) over 1h vs 12h > 3x'");
            else if (auto baseline = duration(*test.baseline)) w.baseline = *baseline;
            else ok = false;
            if (ok && w.baseline < w.length)
                invalid(*test.baseline, "the baseline is shorter than the window it is compared with",
                        "a baseline is usually several times the window: 'over 1h vs 12h'");
            if (ok && w.baseline > w.length * 100)
                invalid(*test.baseline, "the baseline is more than 100 times the window",
                        "compare with a shorter baseline, or a longer window");
            if (!test.threshold.times)
                invalid(test.threshold, "a spike is compared with a factor", fmt::format("write it as {}x", test.threshold.value));
        } else {
            if (test.baseline)
                invalid(*test.baseline, fmt::format("'vs' belongs to spike(...), not {}(...)", kind),
                        "compare a window with a baseline with 'spike(...) over 1h vs 12h > 3x'");
            if (test.threshold.times)
                invalid(test.threshold, fmt::format("{}(...) is compared with a number, not a factor", kind),
                        fmt::format("write {} without the x", test.threshold.value));
        }
        if (test.kind == ast::WindowKind::rate) {
            if (!test.per)
                invalid(test.threshold, "a rate needs a unit", fmt::format("write '> {} per m' (or s, h, d, w)", test.threshold.value));
            else w.unit = *duration(ast::Duration{{}, 1, *test.per});
        } else if (test.per) {
            invalid(test.threshold, fmt::format("'per' belongs to rate(...), not {}(...)", kind),
                    fmt::format("write 'rate(...) over ... > {} per {}', or drop 'per'", test.threshold.value, *test.per));
        }
        if (test.group) {
            if (auto g = field_ref(*test.group)) {
                const Field& f = field(*g);
                if (f.type != FieldType::text && f.type != FieldType::enumeration) {
                    mismatch(*test.group, fmt::format("'{}' is {} field; windows are grouped by text or one-of fields",
                                                      f.name, with_article(f.type)));
                    ok = false;
                }
                w.group = *g;
            } else {
                ok = false;
            }
        }
        if (!ok) return constant(false, span(test));
        w.bucket = std::max(Duration(1), w.length / 60);
        std::string key = fmt::format("{}|{}|{}|{}|{}|{}", kind, w.length.count(), w.baseline.count(), w.unit.count(),
                                      w.group ? static_cast<std::int64_t>(*w.group) : -1,
                                      collapse_whitespace(in_.sources.text(data_->conditions[w.condition].span)));
        auto [it, inserted] = window_index_.emplace(key, static_cast<std::uint32_t>(data_->windows.size()));
        if (inserted) data_->windows.push_back(w);
        Condition c;
        c.kind = ConditionKind::window;
        c.operand = it->second;
        c.op = static_cast<CompareOp>(test.op);
        c.number = test.threshold.value;
        c.span = span(test);
        return add(std::move(c));
    }

    void collect_header(const ast::Header& header) {
        Span where = keyword_span(header);
        if (header_span_) {
            error(Code::duplicate_singleton, where, "a flow has only one 'flow' header")
                .notes.push_back({*header_span_, "the first header is here"});
            return;
        }
        header_span_ = where;
        data_->name = header.name;
        double v = header.version.value;
        // Range first: converting a double past UINT32_MAX to an integer is undefined.
        if (!(v >= 0 && v <= static_cast<double>(UINT32_MAX)) || v != std::floor(v)) {
            error(Code::syntax, span(header.version), "the version must be a whole number from 0 to 4294967295");
            return;
        }
        data_->version = static_cast<std::uint32_t>(v);
    }

    void collect_start(const ast::Start& start) {
        Span where = keyword_span(start);
        if (start_) {
            error(Code::duplicate_singleton, where, "a flow has only one 'start'")
                .notes.push_back({start_->keyword, "the first 'start' is here"});
            return;
        }
        start_ = StartDecl{where, start.target, file_};
    }

    bool define_value(const ast::Name& name, ValueSymbol symbol, std::string_view what) {
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

    void collect_field(const ast::FieldDecl& decl) {
        Field field{decl.name, FieldType::text, {}, span(decl.name)};
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
        field_declared_order_.push_back(index);
        data_->field_index.emplace(field.name, index);
        data_->fields.push_back(std::move(field));
        field_used_.push_back(false);
    }

    void collect_let(const ast::Let& let) {
        auto index = static_cast<std::uint32_t>(data_->lets.size());
        if (!define_value(let.name, {ValueSymbol::Kind::let, index}, "condition")) return;
        data_->lets.push_back({let.name, no_condition, span(let.name)});
        lets_.push_back({&let, file_});
        let_state_.push_back(LetState::pending);
        let_used_.push_back(false);
        let_chain_.push_back(0);
    }

    void collect_word_list(const ast::WordList& list) {
        WordList words{list.name, {}, span(list.name)};
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
                        detail::count_compile_work(p.size());
                        words.phrases.emplace_back(p);
                    }
                },
                [&](const ast::WordFile& file) { read_word_file(file, words); },
            },
            list.source);
        if (words.phrases.size() > in_.options.limits.words) {
            error(Code::limit_exceeded, span(list.name),
                  fmt::format("word list '{}' has {} phrases; the limit is {}", words.name, words.phrases.size(),
                              in_.options.limits.words))
                .help = "split the list, or raise the limit: --limit words=N";
            words.phrases.clear();
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

    void read_word_file(const ast::WordFile& file, WordList& words) {
        const std::filesystem::path path = detail::SourceReader::resolve(in_.sources.path(file_), file.path);
        std::optional<std::string> read = in_.reader.read(path, "word list file", span(file.path), diagnostics_);
        if (!read) return;
        const std::string* content = &*read;
        std::istringstream lines(*content);
        for (std::string line; std::getline(lines, line);) {
            std::string_view phrase = trim(line);
            if (phrase.empty() || phrase.front() == '#') continue;
            words.phrases.emplace_back(phrase);
        }
        if (words.phrases.empty())
            error(Code::empty_phrase, span(file.path),
                  fmt::format("word list file '{}' has no phrases", path.generic_string()));
    }

    bool define_node(const ast::Name& name, NodeRef node) {
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

    void collect_step(const ast::Step& step) {
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
        Step s;
        s.name = step.name;
        s.question = step.question;
        s.span = span(step);
        s.name_span = span(step.name);
        data_->steps.push_back(std::move(s));
        steps_.push_back({&step, file_});
    }

    void collect_outcome(const ast::Outcome& outcome) {
        NodeRef node{NodeKind::outcome, static_cast<std::uint32_t>(data_->outcomes.size())};
        if (!define_node(outcome.name, node)) return;
        Outcome o;
        o.name = outcome.name;
        o.title = outcome.title;
        o.span = span(outcome);
        o.name_span = span(outcome.name);
        data_->outcomes.push_back(std::move(o));
        outcomes_.push_back({&outcome, file_});
    }

    // A field cannot be both a value and a group: `author` and `author.followers`.
    void check_field_groups() {
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

    // ---- pass 2: conditions -----------------------------------------------------------------

    ConditionId add(Condition c) {
        detail::count_compile_work();
        data_->conditions.push_back(std::move(c));
        return static_cast<ConditionId>(data_->conditions.size() - 1);
    }
    ConditionId constant(bool value, Span where) {
        Condition c;
        c.kind = ConditionKind::constant;
        c.number = value ? 1 : 0;
        c.span = where;
        return add(std::move(c));
    }


    // A name used where a field is expected (left of an operator, after `exists`).
    std::optional<std::uint32_t> field_ref(const ast::Name& name) {
        auto it = values_.find(name);
        if (it == values_.end() && is_broken(BrokenName::Kind::value, name)) return std::nullopt;
        if (it == values_.end()) {
            auto& d = error(Code::unknown_value_name, span(name),
                            fmt::format("unknown field or condition '{}'", std::string(name)));
            suggest(d, name, values_, KeyName{});
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

    const Field& field(std::uint32_t index) const { return data_->fields[index]; }

    void mismatch(const ast::Name& name, std::string message, std::string help = {}) {
        error(Code::type_mismatch, span(name), std::move(message)).help = std::move(help);
    }

    ConditionId resolve(const ast::Expr& expr) {
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

    ConditionId resolve_chain(ConditionKind kind, const ast::Expr& first,
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

    ConditionId resolve_name(const ast::Name& name) {
        auto it = values_.find(name);
        if (it == values_.end() && is_broken(BrokenName::Kind::value, name)) return constant(false, span(name));
        if (it == values_.end()) {
            auto& d = error(Code::unknown_value_name, span(name),
                            fmt::format("unknown field or condition '{}'", std::string(name)));
            suggest(d, name, values_, KeyName{});
            return constant(false, span(name));
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
            return constant(false, span(name));
        }
        c.kind = ConditionKind::bool_field;
        c.field = index;
        return add(std::move(c));
    }

    ConditionId resolve_exists(const ast::ExistsTest& test) {
        auto f = field_ref(test.field);
        if (!f) return constant(false, span(test));
        Condition c;
        c.kind = ConditionKind::exists;
        c.field = *f;
        c.span = span(test);
        return add(std::move(c));
    }

    bool require_text(const ast::Name& name, std::uint32_t index, std::string_view op) {
        const Field& f = field(index);
        if (f.type == FieldType::text) return true;
        mismatch(name,
                 fmt::format("'{}' is {} field; '{}' works on text fields", f.name,
                             with_article(f.type), op));
        return false;
    }

    ConditionId resolve_has(const ast::HasTest& test) {
        auto f = field_ref(test.field);
        auto list = lists_.find(test.list);
        if (list == lists_.end() && is_broken(BrokenName::Kind::word_list, test.list)) {
        } else if (list == lists_.end()) {
            auto& d = error(Code::unknown_word_list, span(test.list),
                            fmt::format("unknown word list '{}'", std::string(test.list)));
            suggest(d, test.list, lists_, KeyName{});
        } else {
            list_used_[list->second] = true;
        }
        std::string_view op = test.quantifier == ast::Quantifier::any ? "has any" : "has all";
        if (!f || !require_text(test.field, *f, op) || list == lists_.end())
            return constant(false, span(test));
        Condition c;
        c.kind = test.quantifier == ast::Quantifier::any ? ConditionKind::has_any : ConditionKind::has_all;
        c.field = *f;
        c.operand = list->second;
        c.span = span(test);
        return add(std::move(c));
    }

    ConditionId resolve_contains(const ast::ContainsTest& test) {
        auto f = field_ref(test.field);
        if (!f || !require_text(test.field, *f, "contains")) return constant(false, span(test));
        if (trim(test.phrase).empty()) {
            error(Code::empty_phrase, span(test.phrase), "'contains' needs a non-empty phrase");
            return constant(false, span(test));
        }
        Condition c;
        c.kind = ConditionKind::contains;
        c.field = *f;
        c.text = test.phrase;
        c.span = span(test);
        return add(std::move(c));
    }

    ConditionId resolve_matches(const ast::MatchesTest& test) {
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
            return constant(false, span(test));
        }
        if (!ok) return constant(false, span(test));
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

    // An enumeration value written as a name (or a quoted string); reports T021/T020.
    std::optional<std::uint32_t> enum_value(const Field& f, const ast::Value& value) {
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
            suggest(d, written, f.values);
            d.notes.push_back({std::nullopt, fmt::format("'{}' is one of: {}", f.name,
                                                         fmt::join(f.values, ", "))});
            return std::nullopt;
        }
        return static_cast<std::uint32_t>(it - f.values.begin());
    }

    static const ast::Spanned& value_span(const ast::Value& value) {
        return boost::apply_visitor([](const auto& v) -> const ast::Spanned& { return v; }, value);
    }

    ConditionId resolve_is(const ast::IsTest& test) {
        auto f = field_ref(test.field);
        if (!f) return constant(false, span(test));
        const Field& fd = field(*f);
        Condition c;
        c.field = *f;
        c.negated = test.negated;
        c.span = span(test);
        switch (fd.type) {
        case FieldType::enumeration: {
            auto v = enum_value(fd, test.value);
            if (!v) return constant(false, span(test));
            c.kind = ConditionKind::enum_in;
            c.values = {*v};
            return add(std::move(c));
        }
        case FieldType::boolean: {
            auto* b = boost::get<ast::Boolean>(&test.value.get());
            if (!b) {
                mismatch(test.field, fmt::format("'{}' is a bool field; compare it with true or false", fd.name));
                return constant(false, span(test));
            }
            c.kind = ConditionKind::bool_is;
            c.number = b->value ? 1 : 0;
            return add(std::move(c));
        }
        case FieldType::text: {
            auto* t = boost::get<ast::Text>(&test.value.get());
            if (!t) {
                mismatch(test.field, fmt::format("'{}' is a text field; compare it with a quoted string", fd.name),
                         "write the text in double quotes");
                return constant(false, span(test));
            }
            c.kind = ConditionKind::text_is;
            c.text = *t;
            return add(std::move(c));
        }
        default:
            mismatch(test.field, fmt::format("'{}' is {} field; 'is' compares text, bool and one-of fields",
                                             fd.name, with_article(fd.type)),
                     is_numeric(fd.type) ? "use == to compare numbers" : "");
            return constant(false, span(test));
        }
    }

    ConditionId resolve_in(const ast::InTest& test) {
        auto f = field_ref(test.field);
        if (!f) return constant(false, span(test));
        const Field& fd = field(*f);
        Condition c;
        c.field = *f;
        c.negated = test.negated;
        c.span = span(test);
        bool ok = true;
        switch (fd.type) {
        case FieldType::enumeration:
            c.kind = ConditionKind::enum_in;
            for (const ast::Value& v : test.values) {
                if (auto index = enum_value(fd, v)) c.values.push_back(*index);
                else ok = false;
            }
            break;
        case FieldType::text:
            c.kind = ConditionKind::text_in;
            for (const ast::Value& v : test.values) {
                if (auto* t = boost::get<ast::Text>(&v.get())) {
                    c.strings.push_back(*t);
                } else {
                    error(Code::type_mismatch, span(value_span(v)),
                          fmt::format("'{}' is a text field; its list takes quoted strings", fd.name));
                    ok = false;
                }
            }
            break;
        case FieldType::number:
        case FieldType::integer:
            c.kind = ConditionKind::number_in;
            for (const ast::Value& v : test.values) {
                if (auto* n = boost::get<ast::Number>(&v.get())) {
                    c.numbers.push_back(n->value);
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
            return constant(false, span(test));
        }
        if (!ok) return constant(false, span(test));
        return add(std::move(c));
    }

    ConditionId resolve_comparison(const ast::Comparison& test) {
        static constexpr std::string_view op_text[] = {"<", "<=", ">", ">=", "==", "!="};
        std::string_view op = op_text[static_cast<int>(test.op)];
        auto f = field_ref(test.field);
        if (!f) return constant(false, span(test));
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
            return constant(false, span(test));
        }
        if (auto* number = boost::get<ast::Number>(&test.rhs.get())) {
            if (fd.type == FieldType::time) {
                mismatch(test.field, fmt::format("'{}' is a time field; compare it with another time field", fd.name));
                return constant(false, span(test));
            }
            c.kind = ConditionKind::compare_number;
            c.number = number->value;
            return add(std::move(c));
        }
        const ast::Name& other_name = boost::get<ast::Name>(test.rhs.get());
        auto other = field_ref(other_name);
        if (!other) return constant(false, span(test));
        const Field& od = field(*other);
        bool compatible = fd.type == FieldType::time ? od.type == FieldType::time : is_numeric(od.type);
        if (!compatible) {
            mismatch(test.field, fmt::format("cannot compare {} field '{}' with {} field '{}'",
                                             describe(fd.type), fd.name, describe(od.type), od.name));
            return constant(false, span(test));
        }
        c.kind = ConditionKind::compare_field;
        c.operand = *other;
        return add(std::move(c));
    }

    enum class LetState { pending, resolving, done };

    void resolve_let(std::uint32_t index) {
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

    void too_deep_let(FileId file, const ast::Name& name) {
        let_too_deep_ = true;
        error(Code::limit_exceeded, span_in(file, name),
              fmt::format("conditions refer to conditions more than {} levels deep here", in_.options.limits.nesting))
            .help = "shorten the chain of 'let' conditions, or raise the limit: --limit nesting=N";
    }

    // ---- steps and outcomes -----------------------------------------------------------------

    std::optional<NodeRef> node_ref(const ast::Name& name) {
        auto it = data_->node_index.find(name);
        if (it != data_->node_index.end()) return it->second;
        if (is_broken(BrokenName::Kind::node, name) || too_many_steps_) return std::nullopt;
        auto& d = error(Code::unknown_node, span(name),
                        fmt::format("unknown step or outcome '{}'", std::string(name)));
        suggest(d, name, data_->node_index, KeyName{});
        return std::nullopt;
    }

    // The value of a condition that does not depend on the mention, if any.
    std::optional<bool> fold(ConditionId id, int depth = 0) const {
        detail::count_compile_work();
        if (depth > 64) return std::nullopt;
        const Condition& c = data_->conditions[id];
        switch (c.kind) {
        case ConditionKind::constant: return c.number != 0;
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

    void resolve_step(std::uint32_t index) {
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

    std::optional<Duration> duration(const std::optional<ast::Duration>& d) {
        if (!d) return std::nullopt;
        return duration(*d);
    }
    std::optional<Duration> duration(const ast::Duration& d) {
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

    void deadline(const std::optional<ast::Deadline>& d, Action& a) {
        if (!d) return;
        a.duration = duration(d->length);
        if (d->during)
            if (auto h = hours_ref(*d->during)) a.hours = *h;
    }

    void resolve_outcome(std::uint32_t index) {
        const auto& [outcome, file] = outcomes_.at(index);
        file_ = file;
        Outcome& o = data_->outcomes[index];
        std::map<ActionKind, Span> first_unconditional;
        std::optional<std::pair<ActionKind, Span>> first_reply;  // respond or do not respond
        for (const ast::ActionStmt& stmt : outcome->actions) {
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
            if (stmt.condition) a.condition = resolve(*stmt.condition);
            Span keyword = keyword_span(stmt);

            if (a.kind == ActionKind::respond || a.kind == ActionKind::do_not_respond) {
                if (first_reply && first_reply->first != a.kind)
                    error(Code::conflicting_actions, keyword,
                          fmt::format("outcome '{}' both responds and does not respond", o.name))
                        .notes.push_back({first_reply->second, "the other one is here"});
                if (!first_reply) first_reply = {a.kind, keyword};
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

    // ---- tests --------------------------------------------------------------------------------

    std::optional<TestValue> test_value(const ast::Assignment& a) {
        auto it = values_.find(a.field);
        if (it == values_.end() || it->second.kind != ValueSymbol::Kind::field) {
            auto& d = error(Code::unknown_value_name, span(a.field),
                            fmt::format("the flow has no field '{}'", std::string(a.field)));
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
            std::optional<TimePoint> t = text ? parse_time(*text) : std::nullopt;
            if (!t) return wrong("a date-time such as \"2026-11-22T09:30:00Z\"");
            v.value = FieldValue::of_time(*t);
            return v;
        }
        }
        return std::nullopt;
    }

    void resolve_test(const ast::TestCase& test, FileId file) {
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
        for (const ast::Name& name : test.during)
            if (auto crisis = crisis_ref(name)) t.crises.push_back(*crisis);
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
                case ExpectKind::no_outcome: break;
                }
            }
            t.expectations.push_back(std::move(x));
        }
        data_->tests.push_back(std::move(t));
    }

    // ---- header, start, unused --------------------------------------------------------------

    void resolve_header_and_start() {
        Span file_start{in_.main_file, 0, 0};
        if (!header_span_ && !is_broken(BrokenName::Kind::header, ""))
            error(Code::missing_header, file_start, "the flow has no header")
                .help = "begin the file with 'flow \"Name of the flow\" version 1'";
        if (!start_) {
            if (is_broken(BrokenName::Kind::start, "")) return;
            error(Code::missing_start, file_start, "the flow has no 'start'")
                .help = "name the first step with 'start STEP'";
            return;
        }
        file_ = start_->file;
        if (auto node = node_ref(start_->target)) data_->start = *node;
    }

    void report_unused() {
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

    struct StartDecl {
        Span keyword;
        ast::Name target;
        FileId file;
    };

    const CheckInput& in_;
    std::vector<Diagnostic>& diagnostics_;
    std::uint64_t suggestion_budget_ = suggestion_budget;  // cells of edit distance left (suggest.hpp)
    enum class LetFold : std::int8_t { unknown, varies, always, never };
    mutable std::vector<LetFold> let_fold_;  // fold() of each let, once known
    std::unique_ptr<detail::FlowData> data_;
    FileId file_ = 0;

    std::optional<Span> header_span_;
    std::optional<StartDecl> start_;
    std::unordered_map<std::string, ValueSymbol> values_;
    std::unordered_map<std::string, std::uint32_t> lists_;
    std::vector<std::uint32_t> field_declared_order_;
    std::vector<std::pair<const ast::Let*, FileId>> lets_;
    std::vector<std::pair<const ast::Step*, FileId>> steps_;
    std::vector<std::pair<const ast::Outcome*, FileId>> outcomes_;
    std::vector<std::pair<const ast::TestCase*, FileId>> tests_;
    std::vector<std::pair<const ast::Crisis*, FileId>> crises_;
    std::optional<std::pair<const ast::Clock*, Span>> clock_;
    FileId clock_file_ = 0;
    std::optional<Span> first_clock_use_;  // the first window or `within hours`
    std::unordered_map<std::string, std::uint32_t> hours_index_, crisis_index_, window_index_;
    std::unordered_map<std::string, Span> test_names_;
    std::unordered_map<std::string, std::uint32_t> regex_index_;  // pattern + "/" or "/i" → its index
    std::vector<LetState> let_state_;
    std::unordered_map<std::uint32_t, bool> let_recursive_;
    std::vector<std::uint32_t> let_chain_;    // per let: the longest chain of lets it starts
    std::uint32_t referenced_let_depth_ = 0;  // while resolving a let: the longest chain it names
    std::uint32_t lets_resolving_ = 0;        // lets being resolved, one inside another
    bool let_too_deep_ = false;
    bool too_many_steps_ = false;
    std::vector<bool> field_used_, list_used_, let_used_;
    std::unordered_set<std::string> broken_[5];  // by BrokenName::Kind

    bool is_broken(BrokenName::Kind kind, std::string_view name) const {
        return broken_[static_cast<int>(kind)].contains(std::string(name));
    }
};

}  // namespace

std::unique_ptr<detail::FlowData> check(const CheckInput& input, std::vector<Diagnostic>& diagnostics) {
    return Checker(input, diagnostics).run();
}

}  // namespace triage
