// Time and state: the clock, time fields' formats and zones, business hours, crisis modes, windows.
#include "checker_context.hpp"

#include <cerrno>
#include <cstring>

namespace triage::checking {

void Checker::resolve_clock() {
    if (!clock_) return;
    file_ = clock_->keyword.file;
    const ast::Clock& c = *clock_->declaration;
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

const Checker::ZoneRead& Checker::read_zone(const std::string& name) {
    if (auto it = zones_.find(name); it != zones_.end()) return it->second;
    ZoneRead& out = zones_[name];
    if (name == "UTC" || name == "Etc/UTC" || !detail::TimeZone::valid_name(name, out.problem)) {
        out.zone = detail::TimeZone::load(name, out.problem);
        return out;
    }
    const std::string directory = detail::TimeZone::directory();
    const std::filesystem::path path = std::filesystem::path(directory) / name;
    const std::uint64_t cap = in_.options.limits.file_bytes;
    FileRead read = in_.options.read_file ? in_.options.read_file(path, cap) : read_file_from_disk(path, cap);
    if (read.bytes && read.bytes->size() > cap) {  // a reader that read past what it was allowed
        read.size = read.bytes->size();
        read.bytes.reset();
    }
    if (read.bytes) {
        out.zone = detail::TimeZone::from_tzif(name, *read.bytes, path.generic_string(), out.problem);
    } else if (read.error.empty()) {
        out.code = Code::limit_exceeded;
        out.problem = fmt::format("time zone file '{}' is {} bytes; the limit is {}", path.generic_string(), read.size, cap);
        out.help = "raise the limit: --limit file-size=N";
    } else if (read.error == std::strerror(ENOENT) || read.error == std::strerror(ENOTDIR) ||
               read.error == "it is a directory") {  // what read_file_from_disk says of a name with no file
        out.problem = fmt::format("no time zone '{}' in {}", name, directory);
    } else {
        out.code = Code::unreadable_file;
        out.problem = fmt::format("cannot read time zone file '{}': {}", path.generic_string(), read.error);
        out.help = "check that the tz database is installed and readable, or point TZDIR at a copy of it";
    }
    return out;
}

std::optional<detail::TimeZone> Checker::load_zone(const std::string& name, Span where, std::string_view whose) {
    const ZoneRead& read = read_zone(name);
    const std::optional<detail::TimeZone>& zone = read.zone;
    if (!zone) {
        error(read.code, where, read.problem).help =
            !read.help.empty()
                ? read.help
                : "time zones are named as in the tz database, e.g. \"Europe/London\", \"America/New_York\", \"UTC\"";
    } else if (std::optional<detail::ZoneAdvice> advice = detail::legacy_zone_advice(name)) {
        warning(Code::legacy_time_zone, where, advice->why).help =
            !advice->city.empty()
                ? advice->city == "UTC" ? std::string("write zone \"UTC\"")
                                        : fmt::format("name the place whose clocks {}, e.g. zone \"{}\"", whose, advice->city)
                : fmt::format("name the place whose clocks {}, as Area/City: e.g. zone \"America/New_York\"", whose);
    }
    return zone;
}

Span Checker::inside_literal(const ast::Text& literal, std::size_t offset, std::size_t length) const {
    Span whole = span(literal);
    if (whole.end - whole.begin != literal.size() + 2 || length == 0) return whole;
    const auto begin = static_cast<std::uint32_t>(whole.begin + 1 + offset);
    return {whole.file, begin, static_cast<std::uint32_t>(std::min<std::size_t>(begin + length, whole.end - 1))};
}

void Checker::resolve_time_formats() {
    data_->time_formats.resize(data_->fields.size());
    test_time_formats_.resize(data_->fields.size());
    std::optional<std::shared_ptr<const detail::TimeZone>> flow_zone, option_zone;
    auto shared = [](std::optional<detail::TimeZone> z) -> std::shared_ptr<const detail::TimeZone> {
        return z ? std::make_shared<const detail::TimeZone>(std::move(*z)) : nullptr;
    };
    if (flow_zone_) {
        file_ = flow_zone_->keyword.file;
        const ast::Zone& zone = *flow_zone_->declaration;
        flow_zone = shared(load_zone(zone.name, span(zone.name), "these times follow"));
    }
    if (!in_.options.time_zone.empty()) {
        const ZoneRead& read = read_zone(in_.options.time_zone);
        std::optional<detail::TimeZone> z = read.zone;
        const Span top{in_.main_file, 0, 0};
        if (!z) {
            error(read.code, top, fmt::format("--time-zone: {}", read.problem)).help = read.help;
        } else if (std::optional<detail::ZoneAdvice> advice = detail::legacy_zone_advice(in_.options.time_zone)) {
            warning(Code::legacy_time_zone, top, fmt::format("--time-zone: {}", advice->why)).help =
                fmt::format("name the place whose clocks the records' times follow, e.g. --time-zone {}",
                            advice->city.empty() ? std::string("America/New_York") : advice->city);
        }
        option_zone = shared(std::move(z));
    }
    for (const auto& [name, spec] : in_.options.time_formats) {
        auto it = data_->field_index.find(name);
        if (it == data_->field_index.end() && is_broken(BrokenName::Kind::value, name)) continue;
        if (it == data_->field_index.end() || data_->fields[it->second].type != FieldType::time)
            error(Code::invalid_time_format, {in_.main_file, 0, 0},
                  fmt::format("--time-format {}={}: the flow has no time field '{}'", name, spec, name));
    }
    for (const auto& [index, decl, file] : time_decls_) {
        file_ = file;
        Field& field = data_->fields[index];
        const ast::FieldType& type = decl->type;
        if (field.type != FieldType::time) {
            if (type.format)
                error(Code::invalid_time_format, span(*type.format),
                      fmt::format("'{}' is {} field; only time fields have a format", field.name, with_article(field.type)));
            if (type.zone)
                error(Code::invalid_time_format, span(*type.zone),
                      fmt::format("'{}' is {} field; only time fields have a zone", field.name, with_article(field.type)));
            continue;
        }
        if (type.zone && !type.format)
            error(Code::invalid_time_format, span(*type.zone),
                  fmt::format("'{}' has a zone but no format; RFC 3339 times carry their own offset", field.name))
                .help = "give the format before the zone, e.g. time \"%Y-%m-%d %H:%M:%S\" zone \"Europe/London\"";
        std::shared_ptr<const detail::TimeZone> own_zone;
        if (type.format && type.zone)
            own_zone = shared(load_zone(type.zone->name, span(type.zone->name), "these times follow"));
        // The flow's own format: its tests' `given` times are written in it.
        std::optional<detail::TimeFormat> declared;
        if (type.format) {
            declared = time_format(field.name, std::string(*type.format), &*type.format, span(*type.format),
                                   type.zone ? own_zone : flow_zone.value_or(nullptr),
                                   type.zone || flow_zone.has_value());
            if (!declared) continue;
            test_time_formats_[index] = *declared;
        }
        auto option = in_.options.time_formats.find(field.name);
        std::optional<detail::TimeFormat> used = declared;
        if (option != in_.options.time_formats.end() || option_zone) {
            const std::string spec = option != in_.options.time_formats.end() ? option->second
                                     : type.format                              ? std::string(*type.format)
                                                                                : std::string();
            if (spec.empty()) continue;  // --time-zone alone leaves RFC 3339 fields as they are
            used = time_format(field.name, spec, nullptr, span(decl->name),
                               option_zone ? *option_zone : type.zone ? own_zone : flow_zone.value_or(nullptr),
                               option_zone || type.zone || flow_zone);
            if (!used) continue;
        }
        if (!used) continue;  // RFC 3339 or seconds: the default
        field.time_format = used->spec();
        if (used->zone()) field.time_zone = used->zone()->name();
        data_->time_formats[index] = std::move(*used);
    }
}

std::optional<detail::TimeFormat> Checker::time_format(const std::string& field, const std::string& spec,
                                              const ast::Text* literal, Span where,
                                              std::shared_ptr<const detail::TimeZone> zone, bool zone_named) {
    detail::TimeFormat::Problem problem;
    std::optional<detail::TimeFormat> format = detail::TimeFormat::compile(spec, problem);
    if (!format) {
        Diagnostic& d = literal ? error(Code::invalid_time_format,
                                        inside_literal(*literal, problem.offset, problem.length), problem.message)
                                : error(Code::invalid_time_format, where,
                                        fmt::format("--time-format {}: {}", field, problem.message));
        if (spec.find('%') == std::string::npos)  // the fix rewrites the whole literal; --time-format has none
            suggest(d, spec, detail::TimeFormat::named_formats(), ItselfName{},
                    literal ? Rewrite{Rewrite::As::literal, span(*literal)} : Rewrite{Rewrite::As::none, {}});
        return std::nullopt;
    }
    if (format->carries_offset()) return format;
    if (!zone_named) {
        if (is_broken(BrokenName::Kind::zone, "")) return std::nullopt;  // the flow's zone has a syntax error
        Diagnostic& d = error(Code::time_zone_needed, where,
                              fmt::format("'{}' is read with \"{}\", which has no offset from UTC, and no zone says "
                                          "where its times are",
                                          field, spec));
        d.help = literal ? fmt::format("add the zone after the format, e.g. {}: time \"{}\" zone \"America/New_York\", "
                                       "or a flow-wide zone \"...\"; or read the offset with %z",
                                       field, spec)
                         : "add --time-zone ZONE (e.g. America/New_York), or a zone in the flow";
        return std::nullopt;
    }
    format->set_zone(std::move(zone));
    return format;
}

void Checker::collect_hours(const ast::Hours& block) {
    Hours h = named<Hours>(block);
    h.title = block.title;
    if (!define_named(hours_index_, block.name, data_->hours, "business hours")) return;
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
                    if (!add_opening(o, h.openings)) valid = false;
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
        zone = load_zone(h.zone, *zone_span, "the desk follows");
        if (!zone) valid = false;
    }
    std::vector<detail::OpenInterval> open;
    for (const Opening& o : h.openings) open.push_back({o.weekday, o.from, o.to});
    data_->calendars.emplace_back(valid ? std::move(*zone) : detail::TimeZone::utc(), std::move(open), h.holidays);
    data_->hours.push_back(std::move(h));
}

bool Checker::add_opening(const ast::Opening& opening, std::vector<Opening>& openings) {
    static constexpr std::string_view days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    auto weekday_of = [&](const ast::Name& n) -> std::optional<std::uint8_t> {
        for (std::uint8_t d = 0; d < 7; ++d)
            if (days[d] == std::string_view(n)) return d;
        auto& d = error(Code::invalid_hours, span(n), fmt::format("'{}' is not a day", std::string(n)));
        suggest(d, n, days);
        if (d.help.empty()) d.help = "days are mon, tue, wed, thu, fri, sat and sun";
        return std::nullopt;
    };
    bool valid = true;
    std::vector<std::uint8_t> weekdays;
    for (const ast::DayRange& r : opening.days) {
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
    auto seconds = [&](const ast::LocalTime& at) -> std::optional<std::int32_t> {
        if (at.minute >= 60 || at.hour > 24 || (at.hour == 24 && at.minute != 0)) {
            error(Code::invalid_hours, span(at), "no such time of day").help = "write times from 00:00 to 24:00";
            return std::nullopt;
        }
        return static_cast<std::int32_t>(at.hour * 3600 + at.minute * 60);
    };
    for (const ast::TimeRange& t : opening.times) {
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
        for (std::uint8_t d : weekdays) openings.push_back({d, *from, *to});
    }
    return valid;
}

void Checker::collect_crisis(const ast::Crisis& block) {
    Crisis c = named<Crisis>(block);
    c.title = block.title;
    if (!define_named(crisis_index_, block.name, data_->crises, "crisis")) return;
    data_->crises.push_back(std::move(c));
    crises_.push_back({&block, file_});
}

void Checker::resolve_crisis(std::uint32_t index) {
    const auto& [block, file] = crises_[index];
    file_ = file;
    Crisis& c = data_->crises[index];
    if (block->group) {
        if (auto g = field_ref(*block->group)) {
            const Field& f = field(*g);
            if (f.type != FieldType::text && f.type != FieldType::enumeration)
                mismatch(*block->group, fmt::format("'{}' is {} field; crises are grouped by text or one-of fields",
                                                    f.name, with_article(f.type)));
            else c.group = *g;
        }
        c.group_span = span(*block->group);
        if (c.group) crisis_group_.emplace(*c.group, c.group_span);
    }
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
                    if (start_ && start_->declaration->target == r.node) {
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
    crisis_group_.reset();
    if (!first_clock_use_) first_clock_use_ = c.name_span;  // it starts and lasts in time
    if (!when_span)
        error(Code::invalid_crisis, c.name_span, fmt::format("crisis '{}' has no 'when'", c.name))
            .help = "say when it starts, e.g. 'when count(sentiment < -0.5) over 1h > 50'";
}

void Checker::check_state_use() {
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
                else if (!c.group) {
                    if (auto grouped = first_grouped_window(id, visiting))
                        error(Code::state_not_allowed, grouped->span,
                              "a window counted 'by' a field cannot start or end a crisis")
                            .help = fmt::format("count without 'by', or give the crisis one crisis mode per group: "
                                                "crisis {} \"...\" by {} {{ ... }}",
                                                c.name, data_->fields[*data_->windows[grouped->operand].group].name);
                }
                // The windows written in a grouped crisis count per group; one reached through a
                // `let` was resolved for the whole stream (or by another field).
                else if (auto other = first_grouped_window(id, visiting, c.group);
                         other || (other = first_leaf(id, [&](const Condition& l) {
                             return l.kind == ConditionKind::window && !data_->windows[l.operand].group;
                         }, visiting)))
                    error(Code::state_not_allowed, other->span,
                          fmt::format("crisis '{}' counts per '{}'; this window is not", c.name, data_->fields[*c.group].name))
                        .help = "write the window in the crisis's 'when' or 'leave when' itself, not in a 'let'";
            }
    check_state_size();
    if (!data_->clock && first_clock_use_ && !clock_ && !is_broken(BrokenName::Kind::clock, ""))
        error(Code::clock_needed, *first_clock_use_, "this needs the time of each mention, and the flow has no clock")
            .help = "name the time field that says when a mention was posted: 'clock posted_at'";
}

void Checker::check_state_size() {
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

void Checker::state_not_allowed(const Condition& use, std::string help) {
    error(Code::state_not_allowed, use.span,
          use.kind == ConditionKind::in_crisis ? "'in crisis' cannot be used here" : "a window cannot be used here")
        .help = std::move(help);
}

const Condition* Checker::first_state_use(ConditionId id, bool windows_allowed, std::vector<char>& visiting) const {
    return first_leaf(id, [&](const Condition& c) {
        return c.kind == ConditionKind::in_crisis || (c.kind == ConditionKind::window && !windows_allowed);
    }, visiting);
}

const Condition* Checker::first_grouped_window(ConditionId id, std::vector<char>& visiting,
                                              std::optional<std::uint32_t> except) const {
    return first_leaf(id, [&](const Condition& c) {
        return c.kind == ConditionKind::window && data_->windows[c.operand].group.has_value() &&
               data_->windows[c.operand].group != except;
    }, visiting);
}

std::optional<std::uint32_t> Checker::named_ref(const std::unordered_map<std::string, std::uint32_t>& index,
                                       const ast::Name& name, std::string_view what, std::string_view declare) {
    auto it = index.find(name);
    if (it != index.end()) return it->second;
    // Declared in a block with a syntax error (reported there): not unknown, only unusable.
    if (is_broken(&index == &hours_index_ ? BrokenName::Kind::hours : BrokenName::Kind::crisis, name)) return std::nullopt;
    auto& d = error(Code::unknown_hours_or_crisis, span(name), fmt::format("unknown {} '{}'", what, std::string(name)));
    if (explain_other_kind(d, name, &index == &hours_index_ ? Wanted::hours : Wanted::crisis)) return std::nullopt;
    suggest(d, name, index, KeyName{});
    if (index.empty()) d.help = declare;
    return std::nullopt;
}

std::optional<std::uint32_t> Checker::hours_ref(const ast::Name& name) {
    return named_ref(hours_index_, name, "business hours",
                     "declare them: hours NAME \"Title\" { zone \"Europe/London\"  mon-fri 09:00-18:00 }");
}

std::optional<std::uint32_t> Checker::crisis_ref(const ast::Name& name) {
    return named_ref(crisis_index_, name, "crisis", "declare it: crisis NAME \"Title\" { when ... }");
}

ConditionId Checker::resolve_within_hours(const ast::WithinHours& test) {
    if (!first_clock_use_) first_clock_use_ = span(test);
    auto h = hours_ref(test.hours);
    if (!h) return unresolved(span(test));
    const std::uint32_t time_field = data_->clock ? data_->clock->field : 0;  // read for the mention's time
    return add_test(ConditionKind::within_hours, time_field, *h, span(test));
}

ConditionId Checker::resolve_in_crisis(const ast::InCrisis& test) {
    auto crisis = crisis_ref(test.crisis);
    if (!crisis) return unresolved(span(test));
    return add_test(ConditionKind::in_crisis, 0, *crisis, span(test));
}

// The field a window counts by: its own `by`, or inside a grouped crisis the crisis's (where a
// `by` of its own is T045). False after an error.
bool Checker::window_group(const ast::WindowTest& test, Window& w) {
    if (test.group && crisis_group_) {
        error(Code::state_not_allowed, span(*test.group),
              fmt::format("a window in a grouped crisis counts per '{}' already; it cannot have a 'by' of its own",
                          field(crisis_group_->first).name))
            .notes.push_back({crisis_group_->second, "the crisis is grouped here"});
        return false;
    }
    if (crisis_group_) {
        w.group = crisis_group_->first;
        return true;
    }
    if (!test.group) return true;
    auto g = field_ref(*test.group);
    if (!g) return false;
    const Field& f = field(*g);
    if (f.type != FieldType::text && f.type != FieldType::enumeration) {
        mismatch(*test.group, fmt::format("'{}' is {} field; windows are grouped by text or one-of fields", f.name,
                                          with_article(f.type)));
        return false;
    }
    w.group = *g;
    return true;
}

ConditionId Checker::resolve_window(const ast::WindowTest& test) {
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
    if (!window_group(test, w)) ok = false;
    if (!ok) return unresolved(span(test));
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

}  // namespace triage::checking
