#include "triage/diagnostic.hpp"

#include "text_util.hpp"
#include "triage/diagnostic_docs.hpp"
#include "triage/version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace triage {

std::string code_name(Code code) { return fmt::format("T{:03}", static_cast<unsigned>(code)); }

std::string_view code_title(Code code) {
    switch (code) {
#define TRIAGE_DIAGNOSTIC_CODE_TITLE(name, number, title) \
    case Code::name: return title;
        TRIAGE_DIAGNOSTIC_CODES(TRIAGE_DIAGNOSTIC_CODE_TITLE)
#undef TRIAGE_DIAGNOSTIC_CODE_TITLE
    }
    return "diagnostic";
}

std::span<const Code> all_codes() {
    static constexpr Code codes[] = {
#define TRIAGE_DIAGNOSTIC_CODE_VALUE(name, number, title) Code::name,
        TRIAGE_DIAGNOSTIC_CODES(TRIAGE_DIAGNOSTIC_CODE_VALUE)
#undef TRIAGE_DIAGNOSTIC_CODE_VALUE
    };
    return codes;
}

bool has_errors(std::span<const Diagnostic> diagnostics) {
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::error; });
}

std::optional<std::string> apply_fixes(std::string_view text, FileId file, std::span<const Fix> fixes) {
    std::vector<const TextEdit*> edits;
    for (const Fix& fix : fixes)
        for (const TextEdit& edit : fix.edits)
            if (edit.span.file == file) edits.push_back(&edit);
    std::stable_sort(edits.begin(), edits.end(),
                     [](const TextEdit* a, const TextEdit* b) { return a->span.begin < b->span.begin; });
    std::string out;
    std::size_t copied = 0;  // the text before this is in `out`
    for (std::size_t i = 0; i < edits.size(); ++i) {
        const Span at = edits[i]->span;
        // An edit inside another, or two starting at one place, have no one meaning.
        const bool overlaps = at.begin < copied || (i > 0 && edits[i - 1]->span.begin == at.begin);
        if (overlaps || at.end < at.begin || at.end > text.size()) return std::nullopt;
        out.append(text.substr(copied, at.begin - copied));
        out += edits[i]->text;
        copied = at.end;
    }
    out.append(text.substr(copied));
    return out;
}

namespace {

std::string_view severity_name(Severity severity) {
    switch (severity) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
    }
    return "error";
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
    if (sources.text(span.file).empty()) return;  // a missing, unreadable or empty file: no line to show
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

void append_fixes_json(JsonWriter& json, std::span<const Fix> fixes, const SourceMap& sources) {
    json.key("fixes").begin_array();
    for (const Fix& fix : fixes) {
        json.begin_object();
        json.key("message").string(fix.message);
        json.key("edits").begin_array();
        for (const TextEdit& edit : fix.edits) {
            Location begin = sources.begin(edit.span);
            Location end = sources.end(edit.span);
            json.begin_object();
            json.key("file").string(sources.path(edit.span.file));
            json.key("line").number(begin.line).key("column").number(begin.column);
            json.key("end_line").number(end.line).key("end_column").number(end.column);
            json.key("text").string(edit.text);
            json.end_object();
        }
        json.end_array();
        json.end_object();
    }
    json.end_array();
}

// A path as a SARIF artifactLocation.uri (a URI reference, RFC 3986): a relative path
// percent-encoded, every byte but the unreserved characters and '/' (so a space, '#' or 'ü' in a
// file name survives), an absolute path as a file:// URI encoded the same way.
std::string artifact_uri(std::string_view path) {
    std::string uri = path.starts_with('/') ? "file://" : "";
    for (char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80 && std::isalnum(byte) != 0) uri += c;
        else if (c == '-' || c == '.' || c == '_' || c == '~' || c == '/') uri += c;
        else uri += fmt::format("%{:02X}", byte);
    }
    return uri;
}

// The Markdown of a docs/diagnostics.md section with its relative links made absolute against
// `base` (the URL of docs/diagnostics.md): "(#fixes)" -> "(base#fixes)", "(security.md)" -> the
// file beside it. The report is read far from the docs folder. With no base there is nowhere to
// point them: "[fix](#fixes)" becomes "fix", as a link that cannot open is worse than none.
std::string absolute_links(std::string_view markdown, std::string_view base) {
    const std::string_view folder = base.substr(0, base.rfind('/') + 1);
    std::string out;
    std::size_t copied = 0;
    for (std::size_t at = markdown.find("]("); at != std::string_view::npos; at = markdown.find("](", at + 2)) {
        const std::size_t target = at + 2;
        const std::size_t close = markdown.find(')', target);
        if (close == std::string_view::npos) break;
        const std::string_view link = markdown.substr(target, close - target);
        if (link.empty() || link.find("://") != std::string_view::npos || link.starts_with('/') ||
            link.starts_with("mailto:"))
            continue;
        if (base.empty()) {
            const std::size_t open = markdown.rfind('[', at);
            if (open == std::string_view::npos || open < copied) continue;
            out.append(markdown.substr(copied, open - copied));
            out.append(markdown.substr(open + 1, at - open - 1));
            copied = close + 1;
            continue;
        }
        out.append(markdown.substr(copied, target - copied));
        out += link.starts_with('#') ? base : folder;
        copied = target;
    }
    out.append(markdown.substr(copied));
    return out;
}

// A docs paragraph as plain text: one line, without emphasis marks, and without the "**Error.**"
// that begins each code's description (the result's level says it).
std::string plain_paragraph(std::string_view markdown) {
    for (std::string_view lead : {"**Error.** ", "**Warning.** "})
        if (markdown.starts_with(lead)) markdown.remove_prefix(lead.size());
    std::string out;
    for (std::size_t i = 0; i < markdown.size(); ++i) {
        if (markdown.substr(i, 2) == "**") {
            ++i;
            continue;
        }
        out += markdown[i] == '\n' ? ' ' : markdown[i];
    }
    return out;
}

// tool.driver.rules: per code, its title, its description and its whole section of the docs.
void append_sarif_rules(JsonWriter& json, std::span<const Code> rules, std::string_view help_base) {
    json.key("rules").begin_array();
    for (Code code : rules) {
        const CodeDocumentation doc = code_documentation(code);
        const std::string help_uri = help_base.empty() ? std::string() : fmt::format("{}#{}", help_base, doc.anchor);
        json.begin_object();
        json.key("id").string(code_name(code));
        json.key("name").string(code_title(code));
        json.key("shortDescription").begin_object().key("text").string(code_title(code)).end_object();
        json.key("fullDescription").begin_object().key("text").string(plain_paragraph(doc.summary));
        json.key("markdown").string(absolute_links(doc.summary, help_base)).end_object();
        if (!help_uri.empty()) json.key("helpUri").string(help_uri);
        // The heading is left out of the help: viewers show the rule's name above it.
        const std::size_t heading_end = doc.markdown.find('\n');
        std::string_view body = heading_end == std::string_view::npos ? std::string_view() : doc.markdown.substr(heading_end);
        while (body.starts_with('\n')) body.remove_prefix(1);
        json.key("help").begin_object();
        json.key("text").string(help_uri.empty() ? fmt::format("{} The whole page: triage help {}",
                                                               plain_paragraph(doc.summary), code_name(code))
                                                 : fmt::format("{} See {}", plain_paragraph(doc.summary), help_uri));
        json.key("markdown").string(absolute_links(body, help_base));
        json.end_object();
        json.end_object();
    }
    json.end_array();
}

// SARIF's `fixes`: per fix, its edits grouped by file as artifactChanges, each a replacement of
// a region (empty for an insertion: endColumn == startColumn) by the inserted text.
void append_fixes_sarif(JsonWriter& json, std::span<const Fix> fixes, const SourceMap& sources) {
    json.key("fixes").begin_array();
    for (const Fix& fix : fixes) {
        json.begin_object();
        json.key("description").begin_object().key("text").string(fix.message).end_object();
        json.key("artifactChanges").begin_array();
        std::vector<FileId> files;
        for (const TextEdit& edit : fix.edits)
            if (std::find(files.begin(), files.end(), edit.span.file) == files.end()) files.push_back(edit.span.file);
        for (FileId file : files) {
            json.begin_object();
            json.key("artifactLocation").begin_object().key("uri").string(artifact_uri(sources.path(file))).end_object();
            json.key("replacements").begin_array();
            for (const TextEdit& edit : fix.edits) {
                if (edit.span.file != file) continue;
                Location begin = sources.begin(edit.span);
                Location end = sources.end(edit.span);
                json.begin_object();
                json.key("deletedRegion").begin_object();
                json.key("startLine").number(begin.line).key("startColumn").number(begin.column);
                json.key("endLine").number(end.line).key("endColumn").number(end.column);
                json.end_object();
                json.key("insertedContent").begin_object().key("text").string(edit.text).end_object();
                json.end_object();
            }
            json.end_array();
            json.end_object();
        }
        json.end_array();
        json.end_object();
    }
    json.end_array();
}

}  // namespace

std::string format_text(const Diagnostic& d, const SourceMap& sources, TextStyle style) {
    Palette p = palette(style.color);
    Location at = sources.begin(d.span);
    std::string out = fmt::format(
        "{}{}:{}:{}: {}{}[{}]:{} {}{}{}\n", p.bold, printable(sources.path(d.span.file)), at.line, at.column,
        d.severity == Severity::error ? p.red : d.severity == Severity::warning ? p.magenta : p.cyan, severity_name(d.severity),
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
        if (!d.fixes.empty()) append_fixes_json(json, d.fixes, sources);
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

std::string format_sarif(std::span<const DiagnosticSet> compilations, const SarifOptions& options) {
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
    append_sarif_rules(json, rules, options.help_base.empty() ? default_sarif_help_base() : options.help_base);
    json.end_object().end_object();
    // Columns count code points, as the text output does; SARIF's default is UTF-16 code units.
    json.key("columnKind").string("unicodeCodePoints");
    auto location = [&](JsonWriter& w, const SourceMap& sources, Span span, std::string_view message) {
        Location begin = sources.begin(span);
        Location end = sources.end(span);
        if (end.line == begin.line && end.column <= begin.column) end.column = begin.column + 1;
        w.begin_object();
        w.key("physicalLocation").begin_object();
        w.key("artifactLocation").begin_object().key("uri").string(artifact_uri(sources.path(span.file))).end_object();
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
            json.key("level").string(severity_name(d.severity));
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
            if (!d.fixes.empty()) append_fixes_sarif(json, d.fixes, *set.sources);
            json.end_object();
        }
    }
    json.end_array();
    json.end_object().end_array().end_object();
    return json.take();
}

}  // namespace triage
