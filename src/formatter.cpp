// Stage beside the pipeline: syntax tree (plus the comments the grammar skips) → canonical text.
#include "triage/format.hpp"

#include "comments.hpp"
#include "parser.hpp"
#include "syntax/ast.hpp"
#include "text_util.hpp"

#include <fmt/format.h>

namespace triage {

namespace {

namespace ast = syntax::ast;
namespace x3 = boost::spirit::x3;


std::string quote(std::string_view text) { return string_literal(text); }

// Consecutive lines with trailing comments get their comments in one column, two spaces after
// the longest line of the run. `marks` are the offsets in `text` where trailing comments start,
// in order (kept beside the text: a comment or a string may hold any byte).
std::string align_trailing_comments(std::string_view text, const std::vector<std::size_t>& marks) {
    struct Line {
        std::string_view text;
        std::size_t mark = std::string_view::npos;  // in the line
    };
    std::vector<Line> lines;
    std::size_t next_mark = 0;
    for (std::size_t at = 0; at < text.size();) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        Line line{text.substr(at, end - at)};
        if (next_mark < marks.size() && marks[next_mark] >= at && marks[next_mark] <= end)
            line.mark = marks[next_mark++] - at;
        lines.push_back(line);
        at = end + 1;
    }
    std::string out;
    for (std::size_t i = 0; i < lines.size();) {
        std::size_t j = i;
        std::size_t width = 0;
        while (j < lines.size() && lines[j].mark != std::string_view::npos) {
            width = std::max(width, lines[j].mark);
            ++j;
        }
        if (j == i) {
            out += lines[i++].text;
            out += '\n';
            continue;
        }
        for (; i < j; ++i) {
            out += lines[i].text.substr(0, lines[i].mark);
            out += std::string(width - lines[i].mark + 2, ' ');
            out += lines[i].text.substr(lines[i].mark);
            out += '\n';
        }
    }
    return out;
}

class Printer {
public:
    Printer(std::string_view source, std::vector<Comment> comments) : src_(source), comments_(std::move(comments)) {}

    std::string print(const std::vector<ast::Declaration>& declarations) {
        std::string previous_kind;
        for (const ast::Declaration& d : declarations) {
            const ast::Spanned& span = boost::apply_visitor([](const auto& x) -> const ast::Spanned& { return x; }, d);
            std::string kind = kind_of(d);
            bool grouped = !previous_kind.empty() && kind == previous_kind &&
                           (kind == "words" || kind == "let" || kind == "include");
            if (!previous_kind.empty() && !grouped) out_ += '\n';
            flush_before(span.from, 0);
            declaration(d);
            previous_kind = kind;
        }
        flush_before(static_cast<std::uint32_t>(src_.size()) + 1, 0);
        return align_trailing_comments(out_, marks_);
    }

private:
    static std::string kind_of(const ast::Declaration& d) {
        return boost::apply_visitor(
            overloaded{[](const ast::Header&) { return "flow"; }, [](const ast::Include&) { return "include"; },
                       [](const ast::FieldsBlock&) { return "fields"; }, [](const ast::WordList&) { return "words"; },
                       [](const ast::Let&) { return "let"; }, [](const ast::Start&) { return "start"; },
                       [](const ast::Step&) { return "step"; }, [](const ast::Outcome&) { return "outcome"; },
                       [](const ast::TestCase&) { return "test"; }, [](const ast::Clock&) { return "clock"; },
                       [](const ast::Hours&) { return "hours"; }, [](const ast::Crisis&) { return "crisis"; },
                       [](const ast::Zone&) { return "zone"; }},
            d);
    }

    std::string_view text(const ast::Spanned& n) const { return src_.substr(n.from, n.to - n.from); }
    std::uint32_t line_end(std::uint32_t offset) const {
        std::size_t end = src_.find('\n', offset);
        return static_cast<std::uint32_t>(end == std::string_view::npos ? src_.size() : end);
    }

    // Own-line comments that come before `offset`, at this indentation. A blank line after a
    // comment in the source (before the next comment or the item) is kept.
    void flush_before(std::uint32_t offset, int indent) {
        for (std::size_t k = 0; k < comments_.size(); ++k) {
            Comment& c = comments_[k];
            if (c.emitted || c.offset >= offset) continue;
            c.emitted = true;
            out_ += std::string(static_cast<std::size_t>(indent) * 2, ' ') + c.text + '\n';
            std::uint32_t next = offset;
            if (k + 1 < comments_.size() && comments_[k + 1].offset < offset) next = comments_[k + 1].offset;
            std::uint32_t from = line_end(c.offset);
            if (next > from && blank_line_in(from, std::min<std::size_t>(next, src_.size()))) out_ += '\n';
        }
    }

    bool blank_line_in(std::size_t from, std::size_t to) const {
        std::size_t newlines = 0;
        for (std::size_t i = from; i < to; ++i) {
            if (src_[i] == '\n') {
                if (++newlines == 2) return true;
            } else if (src_[i] != ' ' && src_[i] != '\t' && src_[i] != '\r') {
                newlines = 0;
            }
        }
        return false;
    }

    // One output line for a source item spanning [from, to): comments before it (and inside it)
    // first, then the line, then a comment that followed the item on its last source line.
    void line(int indent, std::string_view content, std::uint32_t from, std::uint32_t to) {
        flush_before(to, indent);
        out_ += std::string(static_cast<std::size_t>(indent) * 2, ' ');
        out_ += content;
        std::uint32_t stop = line_end(to == 0 ? 0 : to - 1);
        for (Comment& c : comments_) {
            if (c.emitted || c.offset < to || c.offset > stop) continue;
            // Only when nothing but braces stands between the item and the comment: otherwise the
            // comment belongs to a later item on the same source line.
            std::string_view between = src_.substr(to, c.offset - to);
            if (between.find_first_not_of(" \t{}") != std::string_view::npos) break;
            c.emitted = true;
            marks_.push_back(out_.size());  // aligned with its neighbours by align_trailing_comments()
            out_ += c.text;
        }
        out_ += '\n';
        (void)from;
    }

    std::string team(const ast::Name& n) const {
        return src_[n.from] == '"' ? quote(n) : std::string(n);
    }

    std::string value(const ast::Value& v) const {
        return boost::apply_visitor(
            overloaded{[&](const ast::Number& n) { return std::string(text(n)); },
                       [&](const ast::Text& t) { return quote(t); },
                       [&](const ast::Boolean& b) { return std::string(b.value ? "true" : "false"); },
                       [&](const ast::Name& n) { return std::string(n); }},
            v);
    }

    // Precedence: or 1, and 2, not 3, everything else 4.
    std::string expr(const ast::Expr& e, int parent) const {
        return boost::apply_visitor(
            overloaded{
                [&](const ast::Boolean& b) { return std::string(b.value ? "true" : "false"); },
                [&](const ast::Name& n) { return std::string(n); },
                [&](const x3::forward_ast<ast::ExistsTest>& t) { return "exists " + std::string(t.get().field); },
                [&](const x3::forward_ast<ast::HasTest>& t) {
                    return fmt::format("{} {} {} {}", std::string(t.get().field), t.get().substring ? "contains" : "has",
                                       t.get().quantifier == ast::Quantifier::any ? "any" : "all", std::string(t.get().list));
                },
                [&](const x3::forward_ast<ast::ContainsTest>& t) {
                    return fmt::format("{} contains {}", std::string(t.get().field), quote(t.get().phrase));
                },
                [&](const x3::forward_ast<ast::MatchesTest>& t) {
                    return fmt::format("{} matches {}", std::string(t.get().field), text(t.get().regex));
                },
                [&](const x3::forward_ast<ast::IsTest>& t) {
                    return fmt::format("{} is {}{}", std::string(t.get().field), t.get().negated ? "not " : "",
                                       value(t.get().value));
                },
                [&](const x3::forward_ast<ast::InTest>& t) {
                    std::string values;
                    for (const ast::Value& v : t.get().values) values += (values.empty() ? "" : ", ") + value(v);
                    return fmt::format("{} {}in [{}]", std::string(t.get().field), t.get().negated ? "not " : "", values);
                },
                [&](const x3::forward_ast<ast::Comparison>& t) {
                    static constexpr std::string_view ops[] = {"<", "<=", ">", ">=", "==", "!="};
                    std::string rhs = boost::apply_visitor(
                        overloaded{[&](const ast::Number& n) { return std::string(text(n)); },
                                   [&](const ast::Name& n) { return std::string(n); }},
                        t.get().rhs);
                    return fmt::format("{} {} {}", std::string(t.get().field), ops[static_cast<int>(t.get().op)], rhs);
                },
                [&](const x3::forward_ast<ast::WindowTest>& t) {
                    const ast::WindowTest& w = t.get();
                    static constexpr std::string_view kinds[] = {"count", "rate", "spike"};
                    static constexpr std::string_view ops[] = {"<", "<=", ">", ">=", "==", "!="};
                    std::string out = fmt::format("{}({}) over {}", kinds[static_cast<int>(w.kind)], expr(w.condition, 0),
                                                  text(w.length));
                    if (w.baseline) out += " vs " + std::string(text(*w.baseline));
                    if (w.group) out += " by " + std::string(*w.group);
                    out += fmt::format(" {} {}", ops[static_cast<int>(w.op)], text(w.threshold));
                    if (w.per) out += fmt::format(" per {}", *w.per);
                    return out;
                },
                [&](const x3::forward_ast<ast::WithinHours>& t) { return "within hours " + std::string(t.get().hours); },
                [&](const x3::forward_ast<ast::InCrisis>& t) { return "in crisis " + std::string(t.get().crisis); },
                [&](const x3::forward_ast<ast::Negation>& t) {
                    std::string inner = "not " + expr(t.get().operand, 3);
                    return parent > 3 ? "(" + inner + ")" : inner;
                },
                [&](const x3::forward_ast<ast::Conjunction>& t) { return chain(t.get().first, t.get().rest, " and ", 2, parent); },
                [&](const x3::forward_ast<ast::Disjunction>& t) { return chain(t.get().first, t.get().rest, " or ", 1, parent); },
            },
            e);
    }

    std::string chain(const ast::Expr& first, const std::vector<ast::Expr>& rest, std::string_view op, int prec,
                      int parent) const {
        if (rest.empty()) return expr(first, parent);
        std::string out = expr(first, prec + 1);
        for (const ast::Expr& e : rest) out += std::string(op) + expr(e, prec + 1);
        // `and` inside `or` keeps parentheses: not needed, but nobody should have to know that.
        return parent > prec || (prec == 2 && parent == 2) ? "(" + out + ")" : out;
    }

    std::string deadline(const ast::Deadline& d) const {
        std::string out(text(d.length));
        if (d.during) out += " during " + std::string(*d.during);
        return out;
    }

    static std::string clock_time(const ast::LocalTime& t) { return fmt::format("{:02}:{:02}", t.hour, t.minute); }

    std::string opening(const ast::Opening& o) const {
        std::string out;
        for (std::size_t i = 0; i < o.days.size(); ++i) {
            out += (i ? ", " : "") + std::string(o.days[i].first);
            if (o.days[i].last) out += "-" + std::string(*o.days[i].last);
        }
        for (std::size_t i = 0; i < o.times.size(); ++i)
            out += (i ? ", " : " ") + clock_time(o.times[i].opens) + "-" + clock_time(o.times[i].closes);
        return out;
    }

    std::string action(const ast::Action& a) const {
        return boost::apply_visitor(
            overloaded{
                [&](const ast::Respond& r) {
                    std::string out = r.channel == ast::Channel::publicly ? "respond publicly" : "respond privately";
                    if (r.within) out += " within " + deadline(*r.within);
                    if (r.template_name) out += " using " + quote(*r.template_name);
                    return out;
                },
                [&](const ast::DoNotRespond& r) { return "do not respond because " + quote(r.reason); },
                [&](const ast::Monitor& m) { return m.period ? "monitor for " + std::string(text(*m.period)) : std::string("monitor"); },
                [&](const ast::Escalate& e) {
                    std::string out = "escalate to " + team(e.team);
                    if (e.within) out += " within " + deadline(*e.within);
                    return out;
                },
                [&](const ast::Tag& t) {
                    std::string out = "tag ";
                    for (std::size_t i = 0; i < t.labels.size(); ++i) out += (i ? ", " : "") + team(t.labels[i]);
                    return out;
                },
                [&](const ast::Flag& f) { return "flag for " + team(f.team); },
                [&](const ast::Notify& n) { return "notify " + team(n.team); },
                [&](const ast::Assign& n) { return "assign to " + team(n.team); },
                [&](const ast::Priority& p) {
                    static constexpr std::string_view levels[] = {"low", "normal", "high", "urgent"};
                    return "priority " + std::string(levels[static_cast<int>(p.level)]);
                },
                [&](const ast::FollowUp& f) { return "follow up after " + deadline(f.after); },
                [&](const ast::Note& n) { return "note " + quote(n.text); },
            },
            a);
    }

    // One arm per kind of declaration; the kinds with a block of their own follow.
    void declaration(const ast::Declaration& d) {
        boost::apply_visitor(
            overloaded{
                [&](const ast::Header& h) {
                    line(0, fmt::format("flow {} version {}", quote(h.name), text(h.version)), h.from, h.to);
                },
                [&](const ast::Include& i) { line(0, "include " + quote(i.path), i.from, i.to); },
                [&](const ast::Start& s) { line(0, "start " + std::string(s.target), s.from, s.to); },
                [&](const ast::FieldsBlock& b) { fields_block(b); },
                [&](const ast::WordList& w) { word_list(w); },
                [&](const ast::Let& l) {
                    line(0, fmt::format("let {} = {}", std::string(l.name), expr(l.condition, 0)), l.from, l.to);
                },
                [&](const ast::Step& s) { step(s); },
                [&](const ast::Outcome& o) { outcome(o); },
                [&](const ast::TestCase& t) { test_case(t); },
                [&](const ast::Clock& c) {
                    std::string out = "clock " + std::string(c.field);
                    if (c.tolerance) out += " tolerance " + std::string(text(*c.tolerance));
                    line(0, out, c.from, c.to);
                },
                [&](const ast::Hours& h) { hours(h); },
                [&](const ast::Zone& z) { line(0, "zone " + quote(z.name), z.from, z.to); },
                [&](const ast::Crisis& c) { crisis(c); },
            },
            d);
    }

    void fields_block(const ast::FieldsBlock& b) {
        line(0, "fields {", b.from, b.keyword.to + 1);
        for (const ast::FieldDecl& f : b.fields) {
            std::string type = collapse_whitespace(f.type.keyword);
            if (type == "one of") {
                type += " ";
                for (std::size_t i = 0; i < f.type.values.size(); ++i)
                    type += (i ? ", " : "") + std::string(f.type.values[i]);
            }
            if (f.type.format) type += " " + quote(*f.type.format);
            if (f.type.zone) type += " zone " + quote(f.type.zone->name);
            line(1, fmt::format("{}: {}", std::string(f.name), type), f.from, f.to);
        }
        close(0, b.to);
    }

    void word_list(const ast::WordList& w) {
        std::string head = fmt::format("words {} =", std::string(w.name));
        std::string source = boost::apply_visitor(
            overloaded{[&](const ast::WordFile& f) { return head + " file " + quote(f.path); },
                       [&](const std::vector<ast::Text>& phrases) { return phrase_lines(head, phrases); }},
            w.source);
        line(0, source, w.from, w.to);
    }

    // A word list on one line when it fits in max_width; a longer one one group of phrases per
    // line, the groups as the source has them (the phrases it writes on one line), each line
    // after the first indented, a group wider than the line filled up to max_width.
    std::string phrase_lines(const std::string& head, const std::vector<ast::Text>& phrases) const {
        std::string one_line = head;
        for (std::size_t i = 0; i < phrases.size(); ++i) one_line += (i ? ", " : " ") + quote(phrases[i]);
        if (one_line.size() <= max_width) return one_line;
        std::string out = head, current;  // current: the phrases of the line being filled
        std::size_t current_width = head.size();
        for (std::size_t i = 0; i < phrases.size(); ++i) {
            const std::string piece = quote(phrases[i]) + (i + 1 < phrases.size() ? "," : "");
            const bool new_group = i > 0 && src_.substr(phrases[i - 1].to, phrases[i].from - phrases[i - 1].to).find('\n') !=
                                                std::string_view::npos;
            if (!current.empty() && (new_group || current_width + 1 + piece.size() > max_width)) {
                out += current + "\n  ";
                current.clear();
                current_width = 2;
            } else if (i == 0) {
                out += ' ';
                current_width += 1;
            }
            if (!current.empty()) current += ' ', ++current_width;
            current += piece;
            current_width += piece.size();
        }
        return out + current;
    }

    void step(const ast::Step& s) {
        open_named("step", s.name, s.question, s.from);
        for (const ast::Branch& b : s.branches)
            line(1, fmt::format("if {} -> {}", expr(b.condition, 0), std::string(b.target)), b.from, b.to);
        if (s.otherwise) line(1, "else -> " + std::string(s.otherwise->target), s.otherwise->from, s.otherwise->to);
        close(0, s.to);
    }

    void outcome(const ast::Outcome& o) {
        open_named("outcome", o.name, o.title, o.from);
        for (const ast::ActionStmt& a : o.actions) {
            std::string content = action(a.action);
            if (a.condition) content += " if " + expr(*a.condition, 0);
            line(1, content, a.from, a.to);
        }
        close(0, o.to);
    }

    void test_case(const ast::TestCase& t) {
        line(0, fmt::format("test {} {{", quote(t.name)), t.from, t.name.to);
        std::string given;
        for (std::size_t i = 0; i < t.given.size(); ++i)
            given += fmt::format("{}{}: {}", i ? ", " : "", std::string(t.given[i].field), value(t.given[i].value));
        std::uint32_t given_end = t.given.empty() ? t.name.to : t.given.back().to;
        std::string given_keyword = t.repeat ? fmt::format("given {} times", t.repeat->count) : "given";
        line(1, given.empty() ? given_keyword + " { }" : given_keyword + " { " + given + " }", t.name.to, given_end);
        if (!t.during.empty()) {
            std::string names;
            for (std::size_t i = 0; i < t.during.size(); ++i) names += (i ? ", " : "") + std::string(t.during[i]);
            line(1, "during crisis " + names, t.during.front().from, t.during.back().to);
        }
        for (const ast::Expectation& e : t.expectations) {
            std::string names;
            for (std::size_t i = 0; i < e.names.size(); ++i)
                names += (i ? ", " : "") + (e.kind == ast::ExpectKind::tag || e.kind == ast::ExpectKind::escalate
                                                ? team(e.names[i])
                                                : std::string(e.names[i]));
            static constexpr std::string_view prefixes[] = {"expect ", "expect no outcome", "expect path ",
                                                            "expect tag ", "expect escalate to ", "expect priority "};
            line(1, std::string(prefixes[static_cast<int>(e.kind)]) + names, e.from, e.to);
        }
        close(0, t.to);
    }

    void hours(const ast::Hours& h) {
        open_named("hours", h.name, h.title, h.from);
        item_lines(h.items, h.to,
                   overloaded{
                       [&](const ast::Zone& z) { return "zone " + quote(z.name); },
                       [&](const ast::Holidays& list) {
                           std::string dates;
                           for (std::size_t i = 0; i < list.dates.size(); ++i)
                               dates += (i ? ", " : "") + std::string(text(list.dates[i]));
                           return "holidays " + dates;
                       },
                       [&](const ast::Opening& o) { return opening(o); },
                   });
    }

    void crisis(const ast::Crisis& c) {
        if (c.group)
            line(0, fmt::format("crisis {} {} by {} {{", std::string(c.name), quote(c.title), std::string(*c.group)), c.from,
                 c.group->to);
        else open_named("crisis", c.name, c.title, c.from);
        item_lines(c.items, c.to,
                   overloaded{
                       [&](const ast::CrisisWhen& w) { return "when " + expr(w.condition, 0); },
                       [&](const ast::CrisisLeave& l) { return "leave when " + expr(l.condition, 0); },
                       [&](const ast::CrisisMinimum& m) { return "minimum " + std::string(text(m.length)); },
                       [&](const ast::Route& r) {
                           return fmt::format("route {} -> {}", std::string(r.node), std::string(r.replacement));
                       },
                   });
    }

    // The items of a block (business hours, a crisis), a line each as `print` writes the item's
    // kind; then the block's closing brace at `to`.
    template <typename Items, typename Print>
    void item_lines(const Items& items, std::uint32_t to, const Print& print) {
        for (const auto& item : items) {
            const ast::Spanned& where = boost::apply_visitor([](const auto& x) -> const ast::Spanned& { return x; }, item);
            line(1, boost::apply_visitor(print, item), where.from, where.to);
        }
        close(0, to);
    }

    // `keyword NAME "Title" {`: how a step, an outcome, business hours and a crisis open.
    void open_named(std::string_view keyword, const ast::Name& name, const ast::Text& title, std::uint32_t from) {
        line(0, fmt::format("{} {} {} {{", keyword, std::string(name), quote(title)), from, title.to);
    }

    // The closing brace of a block that ends at `to`: comments inside the block go before it.
    void close(int indent, std::uint32_t to) {
        flush_before(to - 1, indent + 1);
        line(indent, "}", to - 1, to);
    }

    static constexpr std::size_t max_width = 100;  // of a word list's lines
    std::string_view src_;
    std::vector<Comment> comments_;
    std::vector<std::size_t> marks_;  // where trailing comments start in out_
    std::string out_;
};

// Whether most of the text's lines end in CR LF (a file saved on Windows): as clang-format and
// editors do, the formatted text keeps them, so `fmt --check` shows no change that cannot be seen.
bool mostly_crlf(std::string_view text) {
    std::size_t crlf = 0, lf = 0;
    for (std::size_t i = text.find('\n'); i != std::string_view::npos; i = text.find('\n', i + 1))
        ++(i > 0 && text[i - 1] == '\r' ? crlf : lf);
    return crlf > lf;
}

std::string with_crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (char c : text) {
        if (c == '\r') continue;  // none should be left in printed text; never doubled
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

}  // namespace

FormatResult format_source(std::string_view source, std::string path, const Limits& limits) {
    auto sources = std::make_shared<SourceMap>();
    FileId file = sources->add(std::move(path), std::string(source));
    FormatResult result;
    if (!check_source_limits(*sources, file, limits, result.diagnostics)) {
        result.sources = sources;
        return result;
    }
    ParsedFile parsed = parse(*sources, file, result.diagnostics);
    result.sources = sources;
    if (has_errors(result.diagnostics)) return result;
    std::string_view text = sources->text(file);
    result.text = Printer(text, find_comments(text)).print(parsed.declarations);
    if (mostly_crlf(text)) *result.text = with_crlf(*result.text);  // the file's line ends, kept
    if (text.starts_with(byte_order_mark)) result.text->insert(0, byte_order_mark);  // the file's, kept
    return result;
}

}  // namespace triage
