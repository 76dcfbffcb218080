#include "triage/diagnostic.hpp"

#include "text_util.hpp"
#include "triage/version.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace triage {

std::string code_name(Code code) { return fmt::format("T{:03}", static_cast<unsigned>(code)); }

std::string_view code_title(Code code) {
    switch (code) {
    case Code::syntax: return "syntax error";
    case Code::unterminated: return "unterminated string or regular expression";
    case Code::invalid_duration: return "invalid duration";
    case Code::invalid_utf8: return "invalid UTF-8";
    case Code::duplicate_definition: return "duplicate definition";
    case Code::unknown_value_name: return "unknown field or condition";
    case Code::unknown_node: return "unknown step or outcome";
    case Code::unknown_word_list: return "unknown word list";
    case Code::duplicate_singleton: return "second header or start";
    case Code::missing_header: return "missing header";
    case Code::missing_start: return "missing start";
    case Code::empty_phrase: return "empty phrase";
    case Code::unreadable_file: return "file cannot be read";
    case Code::include_cycle: return "include cycle";
    case Code::type_mismatch: return "type mismatch";
    case Code::unknown_enum_value: return "unknown value";
    case Code::invalid_regex: return "invalid regular expression";
    case Code::unknown_type: return "unknown field type";
    case Code::duplicate_enum_value: return "value listed twice";
    case Code::recursive_condition: return "recursive condition";
    case Code::unknown_hours_or_crisis: return "unknown business hours or crisis";
    case Code::clock_needed: return "no clock";
    case Code::unknown_time_zone: return "unknown time zone";
    case Code::field_group_conflict: return "field is both a value and a group";
    case Code::cycle: return "cycle";
    case Code::unreachable: return "unreachable step or outcome";
    case Code::missing_else: return "step without else";
    case Code::shadowed_branch: return "shadowed branch";
    case Code::unused_field: return "unused field";
    case Code::unused_word_list: return "unused word list";
    case Code::unused_condition: return "unused condition";
    case Code::time_zone_needed: return "time format without an offset or a zone";
    case Code::conflicting_actions: return "conflicting actions";
    case Code::repeated_action: return "repeated action";
    case Code::empty_outcome: return "outcome without actions";
    case Code::invalid_hours: return "invalid business hours";
    case Code::state_not_allowed: return "window or crisis where a per-mention condition is needed";
    case Code::invalid_window: return "invalid window";
    case Code::invalid_crisis: return "invalid crisis";
    case Code::legacy_time_zone: return "legacy or fixed-offset time zone";
    case Code::invalid_time_format: return "invalid time format";
    case Code::step_without_branches: return "step without branches";
    case Code::test_expects_nothing: return "test expects nothing";
    case Code::test_field_twice: return "field given twice";
    case Code::test_wrong_node_kind: return "step where an outcome is expected, or the reverse";
    case Code::limit_exceeded: return "limit exceeded";
    }
    return "diagnostic";
}

std::span<const Code> all_codes() {
    static constexpr Code codes[] = {
        Code::syntax,             Code::unterminated,          Code::invalid_duration, Code::invalid_utf8,
        Code::duplicate_definition, Code::unknown_value_name,  Code::unknown_node,
        Code::unknown_word_list,  Code::duplicate_singleton,   Code::missing_header,
        Code::missing_start,      Code::empty_phrase,          Code::unreadable_file,
        Code::include_cycle,      Code::type_mismatch,         Code::unknown_enum_value,
        Code::invalid_regex,      Code::unknown_type,          Code::duplicate_enum_value,
        Code::recursive_condition, Code::field_group_conflict, Code::unknown_hours_or_crisis,
        Code::clock_needed,       Code::unknown_time_zone,     Code::cycle,
        Code::unreachable,        Code::missing_else,          Code::shadowed_branch,
        Code::unused_field,       Code::unused_word_list,      Code::unused_condition,
        Code::time_zone_needed,
        Code::conflicting_actions, Code::repeated_action,      Code::empty_outcome,
        Code::step_without_branches, Code::invalid_hours,      Code::state_not_allowed,
        Code::invalid_window,     Code::invalid_crisis,        Code::legacy_time_zone,
        Code::invalid_time_format,
        Code::test_expects_nothing, Code::test_field_twice,
        Code::test_wrong_node_kind,
        Code::limit_exceeded,
    };
    return codes;
}

bool has_errors(std::span<const Diagnostic> diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

namespace {

std::string_view severity_name(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

struct Palette {
    std::string_view bold, red, magenta, green, cyan, reset;
};
Palette palette(bool color) {
    if (!color) return {};
    return {"\x1b[1m", "\x1b[1;31m", "\x1b[1;35m", "\x1b[1;32m", "\x1b[1;36m", "\x1b[0m"};
}

// The source line with a caret under the span's first character and '~' under the rest of it
// (on that line). Tabs in the prefix are kept so the caret lines up in a terminal.
// A message, note or suggestion as shown: printable, and cut after 300 code points (only a
// hostile file's 40,000-character name makes one that long).
std::string shown(std::string_view text) {
    constexpr std::size_t max_message = 300;
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (++count > max_message) return printable(text.substr(0, i)) + "…";
    }
    return printable(text);
}

// A source line is shown whole up to this many code points; a longer one (a minified or hostile
// file) as a window of excerpt_window code points around the span, with "…" where it is cut.
constexpr std::size_t max_shown_line = 200;
constexpr std::size_t excerpt_window = 160;

// The byte offset of 1-based code point `column` in `line` (its size past the end).
std::size_t offset_of_column(std::string_view line, std::size_t column) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
        if (++seen == column) return i;
    }
    return line.size();
}

void append_excerpt(std::string& out, const SourceMap& sources, Span span, const Palette& p) {
    Location begin = sources.begin(span);
    Location end = sources.end(span);
    std::string_view line = sources.line(span.file, begin.line);
    const std::size_t length = code_points(line);
    std::size_t width = 1;
    if (end.line == begin.line && end.column > begin.column) width = end.column - begin.column;
    else if (end.line > begin.line)
        width = std::max<std::size_t>(1, length + 1 - begin.column);
    std::size_t first = 1;  // the first code point shown
    std::string before, after;
    if (length > max_shown_line) {
        first = begin.column > excerpt_window / 3 ? begin.column - excerpt_window / 3 : 1;
        const std::size_t last = std::min(length, first + excerpt_window - 1);
        const std::size_t from = offset_of_column(line, first), to = offset_of_column(line, last + 1);
        if (first > 1) before = "…";
        if (last < length) after = "…";
        line = line.substr(from, to - from);
        width = std::min(width, last + 1 - std::min<std::size_t>(begin.column, last));
    }
    std::string number = std::to_string(begin.line);
    std::string gutter(number.size(), ' ');
    out += fmt::format("{}{} |{} {}{}{}\n", p.cyan, number, p.reset, before, printable(line), after);

    std::string marker(before.empty() ? 0 : 1, ' ');
    std::uint32_t column = static_cast<std::uint32_t>(first);
    for (std::size_t i = 0; i < line.size() && column < begin.column; ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;
        marker += line[i] == '\t' ? '\t' : ' ';
        ++column;
    }
    marker += '^';
    marker.append(width - 1, '~');
    out += fmt::format("{}{} |{} {}{}{}\n", p.cyan, gutter, p.reset, p.green, marker, p.reset);
}

}  // namespace

std::string format_text(const Diagnostic& d, const SourceMap& sources, TextStyle style) {
    Palette p = palette(style.color);
    Location at = sources.begin(d.span);
    std::string out = fmt::format(
        "{}{}:{}:{}: {}{}[{}]:{} {}{}{}\n", p.bold, printable(sources.path(d.span.file)), at.line, at.column,
        d.severity == Severity::error ? p.red : p.magenta, severity_name(d.severity),
        code_name(d.code), p.reset, p.bold, shown(d.message), p.reset);
    append_excerpt(out, sources, d.span, p);
    for (const DiagnosticNote& note : d.notes) {
        if (note.span) {
            Location n = sources.begin(*note.span);
            out += fmt::format("{}:{}:{}: {}note:{} {}\n", printable(sources.path(note.span->file)), n.line,
                               n.column, p.cyan, p.reset, shown(note.message));
            append_excerpt(out, sources, *note.span, p);
        } else {
            out += fmt::format("{}note:{} {}\n", p.cyan, p.reset, shown(note.message));
        }
    }
    if (!d.help.empty()) out += fmt::format("{}help:{} {}\n", p.green, p.reset, shown(d.help));
    return out;
}

void append_json(JsonWriter& json, std::span<const Diagnostic> diagnostics, const SourceMap& sources) {
    for (const Diagnostic& d : diagnostics) {
        Location begin = sources.begin(d.span);
        Location end = sources.end(d.span);
        json.begin_object();
        json.key("file").string(sources.path(d.span.file));
        json.key("line").number(begin.line);
        json.key("column").number(begin.column);
        json.key("end_line").number(end.line);
        json.key("end_column").number(end.column);
        json.key("severity").string(severity_name(d.severity));
        json.key("code").string(code_name(d.code));
        json.key("message").string(d.message);
        json.key("notes").begin_array();
        for (const DiagnosticNote& note : d.notes) {
            json.begin_object();
            if (note.span) {
                Location n = sources.begin(*note.span);
                json.key("file").string(sources.path(note.span->file));
                json.key("line").number(n.line);
                json.key("column").number(n.column);
            }
            json.key("message").string(note.message);
            json.end_object();
        }
        json.end_array();
        if (!d.help.empty()) json.key("help").string(d.help);
        json.end_object();
    }
}

std::string format_json(std::span<const Diagnostic> diagnostics, const SourceMap& sources) {
    JsonWriter json;
    json.begin_array();
    append_json(json, diagnostics, sources);
    json.end_array();
    return json.take();
}

std::string format_sarif(std::span<const DiagnosticSet> compilations) {
    std::vector<Code> rules;
    for (const DiagnosticSet& set : compilations)
        for (const Diagnostic& d : set.diagnostics)
            if (std::find(rules.begin(), rules.end(), d.code) == rules.end()) rules.push_back(d.code);
    std::sort(rules.begin(), rules.end());
    JsonWriter json;
    json.begin_object();
    json.key("$schema").string("https://json.schemastore.org/sarif-2.1.0.json");
    json.key("version").string("2.1.0");
    json.key("runs").begin_array().begin_object();
    json.key("tool").begin_object().key("driver").begin_object();
    json.key("name").string("triage");
    json.key("version").string(TRIAGE_VERSION_STRING);
    json.key("rules").begin_array();
    for (Code code : rules) {
        json.begin_object();
        json.key("id").string(code_name(code));
        json.key("name").string(code_title(code));
        json.key("shortDescription").begin_object().key("text").string(code_title(code)).end_object();
        json.key("help").begin_object().key("text")
            .string(fmt::format("docs/diagnostics.md, section {}, explains this with an example and the fix",
                                code_name(code)))
            .end_object();
        json.end_object();
    }
    json.end_array().end_object().end_object();
    auto location = [&](JsonWriter& w, const SourceMap& sources, Span span, std::string_view message) {
        Location begin = sources.begin(span);
        Location end = sources.end(span);
        if (end.line == begin.line && end.column <= begin.column) end.column = begin.column + 1;
        w.begin_object();
        w.key("physicalLocation").begin_object();
        w.key("artifactLocation").begin_object().key("uri").string(sources.path(span.file)).end_object();
        w.key("region").begin_object();
        w.key("startLine").number(begin.line).key("startColumn").number(begin.column);
        w.key("endLine").number(end.line).key("endColumn").number(end.column);
        w.end_object().end_object();
        if (!message.empty()) w.key("message").begin_object().key("text").string(message).end_object();
        w.end_object();
    };
    json.key("results").begin_array();
    for (const DiagnosticSet& set : compilations) {
        for (const Diagnostic& d : set.diagnostics) {
            json.begin_object();
            json.key("ruleId").string(code_name(d.code));
            json.key("ruleIndex").number(static_cast<std::int64_t>(std::find(rules.begin(), rules.end(), d.code) - rules.begin()));
            json.key("level").string(d.severity == Severity::error ? "error" : "warning");
            std::string text = d.message;
            if (!d.help.empty()) text += " (help: " + d.help + ")";
            json.key("message").begin_object().key("text").string(text).end_object();
            json.key("locations").begin_array();
            location(json, *set.sources, d.span, {});
            json.end_array();
            json.key("relatedLocations").begin_array();
            for (const DiagnosticNote& note : d.notes)
                if (note.span) location(json, *set.sources, *note.span, note.message);
            json.end_array();
            json.end_object();
        }
    }
    json.end_array();
    json.end_object().end_array().end_object();
    return json.take();
}

}  // namespace triage
