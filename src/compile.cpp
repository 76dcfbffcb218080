// The pipeline: parse (with includes) → check → graph. Collects every diagnostic in one run.
#include "triage/compile.hpp"

#include "checker.hpp"
#include "flow_data.hpp"
#include "comments.hpp"
#include "graph_builder.hpp"
#include "parser.hpp"
#include "program.hpp"
#include "solver.hpp"
#include "source_reader.hpp"
#include "symbol_indexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <fstream>
#include <sstream>

#include <cerrno>
#include <cstring>

#include <fcntl.h>

namespace triage {

namespace {

namespace fs = std::filesystem;
namespace ast = syntax::ast;

// The diagnostic for the top-level file when compile_file() cannot read it.
Diagnostic unreadable(const FileRead& read, Span where, const fs::path& path, std::uint64_t limit) {
    if (read.error.empty())
        return {Severity::error, Code::limit_exceeded, where,
                fmt::format("flow file '{}' is {} bytes; the limit is {}", path.generic_string(), read.size, limit),
                {},
                "split it into files that include each other, or raise the limit: --limit file-size=N"};
    return {Severity::error, Code::unreadable_file, where,
            fmt::format("cannot read flow file '{}': {}", path.generic_string(), read.error), {}, {}};
}

using detail::Allowance;

std::vector<Code> allowed_codes(std::string_view comment) {
    std::vector<Code> codes;
    std::string_view rest = comment.substr(1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    constexpr std::string_view prefix = "triage: allow(";
    if (rest.substr(0, prefix.size()) != prefix) return codes;
    rest.remove_prefix(prefix.size());
    rest = rest.substr(0, rest.find(')'));
    for (Code code : all_codes()) {
        std::string name = code_name(code);
        for (std::size_t at = rest.find(name); at != std::string_view::npos; at = rest.find(name, at + 1))
            if (at + name.size() == rest.size() || !std::isdigit(static_cast<unsigned char>(rest[at + name.size()])))
                codes.push_back(code);
    }
    return codes;
}

void collect_allowances(std::string_view text, FileId file, const std::vector<ast::Declaration>& declarations,
                        std::vector<Allowance>& out) {
    for (const Comment& c : find_comments(text)) {
        std::vector<Code> codes = allowed_codes(c.text);
        if (codes.empty()) continue;
        std::size_t line_start = text.rfind('\n', c.offset == 0 ? 0 : c.offset - 1);
        line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
        const bool own_line =
            text.substr(line_start, c.offset - line_start).find_first_not_of(" \t") == std::string_view::npos;
        if (!own_line) {
            std::size_t line_end = text.find('\n', c.offset);
            out.push_back({file, static_cast<std::uint32_t>(line_start),
                           static_cast<std::uint32_t>(line_end == std::string_view::npos ? text.size() : line_end), codes});
            continue;
        }
        for (const ast::Declaration& d : declarations) {
            const ast::Spanned& span = boost::apply_visitor([](const auto& x) -> const ast::Spanned& { return x; }, d);
            if (span.from > c.offset) {
                out.push_back({file, span.from, span.to, codes});
                break;
            }
        }
    }
}

// Leaves out the warnings an allow comment covers, and puts the rest in order: syntax errors
// first, then the others, each in source order per file.
void drop_allowed_in_order(const std::vector<Allowance>& allowances, std::vector<Diagnostic>& diagnostics) {
    std::erase_if(diagnostics, [&](const Diagnostic& d) {
        if (d.severity != Severity::warning) return false;
        return std::any_of(allowances.begin(), allowances.end(), [&](const Allowance& a) {
            return a.file == d.span.file && d.span.begin >= a.begin && d.span.begin < a.end &&
                   std::find(a.codes.begin(), a.codes.end(), d.code) != a.codes.end();
        });
    });
    // Syntax errors first, then the rest, each in reading order: an error after a syntax error may
    // follow from the declaration the parser skipped, and the cause is what to read first.
    auto later_stage = [](const Diagnostic& d) { return d.code != Code::syntax && d.code != Code::unterminated; };
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        return std::tuple(later_stage(a), a.span.file, a.span.begin) <
               std::tuple(later_stage(b), b.span.file, b.span.begin);
    });
}

// Parses a file and, where each `include` stands, the file it names (each file once), so that
// declarations reach the checker in reading order.
class Loader {
public:
    Loader(SourceMap& sources, const CompileOptions& options, detail::SourceReader& reader,
           std::vector<Diagnostic>& diagnostics)
        : sources_(sources), options_(options), reader_(reader), diagnostics_(diagnostics) {}

    void load(FileId file) {
        fs::path path = detail::file_identity(std::string(sources_.path(file)));
        loaded_.push_back(path);
        if (!check_source_limits(sources_, file, options_.limits, diagnostics_)) {
            limit_exceeded_ = true;
            return;
        }
        check_utf8(sources_, file, diagnostics_);
        active_.push_back(path);
        const ParsedFile& parsed = files_.emplace_back(parse(sources_, file, diagnostics_));
        collect_allowances(sources_.text(file), file, parsed.declarations, allowances_);
        broken_.insert(broken_.end(), parsed.broken.begin(), parsed.broken.end());
        for (const ast::Declaration& d : parsed.declarations) {
            if (auto* include = boost::get<ast::Include>(&d.get())) load_include(file, *include);
            else declarations_.push_back({file, &d});
        }
        active_.pop_back();
    }

    // Valid while the loader lives.
    [[nodiscard]] const std::vector<SourceDeclaration>& declarations() const { return declarations_; }
    [[nodiscard]] const std::vector<BrokenName>& broken() const { return broken_; }
    [[nodiscard]] const std::vector<Allowance>& allowances() const { return allowances_; }
    // Then the files were not all read, and nothing else is worth reporting.
    [[nodiscard]] bool limit_exceeded() const { return limit_exceeded_; }

private:
    void load_include(FileId from, const ast::Include& include) {
        Span where{from, include.path.from, include.path.to};
        fs::path path = detail::SourceReader::resolve(sources_.path(from), include.path);
        fs::path id = detail::file_identity(path);
        if (auto cycle = std::find(active_.begin(), active_.end(), id); cycle != active_.end()) {
            std::string chain;
            for (auto it = cycle; it != active_.end(); ++it) chain += it->filename().string() + " -> ";
            chain += id.filename().string();
            diagnostics_.push_back({Severity::error, Code::include_cycle, where,
                                    fmt::format("include cycle: {}", chain),
                                    {},
                                    "move the shared declarations into a file that includes nothing"});
            return;
        }
        if (std::find(loaded_.begin(), loaded_.end(), id) != loaded_.end()) return;
        if (active_.size() > options_.limits.include_depth) {
            diagnostics_.push_back({Severity::error, Code::limit_exceeded, where,
                                    fmt::format("includes nested more than {} files deep", options_.limits.include_depth),
                                    {},
                                    "include shared files from the main flow instead, or raise the limit: "
                                    "--limit include-depth=N"});
            limit_exceeded_ = true;
            return;
        }
        std::optional<std::string> bytes = reader_.read(path, "included file", where, diagnostics_);
        if (bytes) load(sources_.add(path.generic_string(), std::move(*bytes)));
    }

    SourceMap& sources_;
    const CompileOptions& options_;
    detail::SourceReader& reader_;
    std::vector<Diagnostic>& diagnostics_;
    std::deque<ParsedFile> files_;  // a deque: declarations_ points into it as it grows
    std::vector<SourceDeclaration> declarations_;
    std::vector<BrokenName> broken_;
    std::vector<Allowance> allowances_;
    std::vector<fs::path> active_;
    std::vector<fs::path> loaded_;
    bool limit_exceeded_ = false;
};

}  // namespace

CompileResult compile(std::string_view source, std::string path, const CompileOptions& options) {
    CompileOptions effective = options;
    if (!effective.read_file) effective.read_file = read_file_from_disk;

    auto sources = std::make_shared<SourceMap>();
    detail::SourceReader reader(effective, path, source.size());
    const FileId main = sources->add(std::move(path), std::string(source));
    CompileResult result;

    if (source.size() > effective.limits.total_bytes) {  // the flow alone passes what all its files may hold
        result.diagnostics.push_back({Severity::error, Code::limit_exceeded, Span{main, 0, 0},
                                      fmt::format("flow file '{}' is {} bytes; the total-size limit is {}", sources->path(main),
                                                  source.size(), effective.limits.total_bytes),
                                      {},
                                      "raise the limit: --limit total-size=N"});
        result.sources = std::move(sources);
        return result;
    }
    Loader loader(*sources, effective, reader, result.diagnostics);
    loader.load(main);
    detail::SymbolIndexer indexer;
    for (const SourceDeclaration& d : loader.declarations()) indexer.add(d.file, *d.declaration);
    for (const BrokenName& b : loader.broken()) indexer.add_broken(b);
    result.symbols = indexer.finish();
    if (loader.limit_exceeded()) {
        result.sources = std::move(sources);
        return result;
    }
    const bool syntax_errors = has_errors(result.diagnostics);
    detail::ResolvedFlow resolved = check(
        {*sources, loader.declarations(), main, effective, reader, loader.broken(), syntax_errors}, result.diagnostics);
    FlowGraph graph = build_graph(resolved, !syntax_errors, result.diagnostics);
    if (!has_errors(result.diagnostics) && detail::check_program_size(resolved, effective.limits, result.diagnostics)) {
        detail::Program program = detail::build_program(resolved);
        auto built = std::make_shared<detail::FlowData>(std::move(resolved), std::move(graph), std::move(program), sources);
        built->allowances = loader.allowances();
        std::shared_ptr<const detail::FlowData> data = std::move(built);
        detail::check_conflicting_actions(Flow(data), effective.limits, result.diagnostics);  // errors, whatever the setting
        if (!has_errors(result.diagnostics)) {
            detail::check_semantics(*data, effective, result.diagnostics);
            result.flow.emplace(std::move(data));
        }
    }

    drop_allowed_in_order(loader.allowances(), result.diagnostics);
    result.sources = std::move(sources);
    return result;
}

FileRead read_file_from_disk(const std::filesystem::path& path, std::uint64_t max_bytes) {
    // O_NONBLOCK: a FIFO named by a hostile include must not block the compiler at open().
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        FileRead result;
        result.error = std::strerror(errno);
        return result;
    }
    return detail::read_open_file(fd, max_bytes);
}

namespace detail {

std::vector<Diagnostic> with_semantic_checks(const CompileResult& result, const Limits& limits, std::stop_token stop) {
    std::vector<Diagnostic> diagnostics = result.diagnostics;
    if (!result.flow) return diagnostics;
    const FlowData& data = data_of(*result.flow);
    CompileOptions options;
    options.limits = limits;
    options.semantic_checks = SemanticChecks::available;
    check_semantics(data, options, diagnostics, {}, std::move(stop));
    drop_allowed_in_order(data.allowances, diagnostics);
    return diagnostics;
}

}  // namespace detail

CompileResult compile_file(const std::filesystem::path& path, const CompileOptions& options) {
    FileRead read = options.read_file ? options.read_file(path, options.limits.file_bytes)
                                      : read_file_from_disk(path, options.limits.file_bytes);
    if (read.bytes && read.bytes->size() > options.limits.file_bytes) {  // a reader that read past the cap
        read.size = read.bytes->size();
        read.bytes.reset();
    }
    if (!read.bytes) {
        CompileResult result;
        auto sources = std::make_shared<SourceMap>();
        FileId file = sources->add(path.generic_string(), {});
        result.diagnostics.push_back(unreadable(read, Span{file, 0, 0}, path, options.limits.file_bytes));
        result.sources = std::move(sources);
        return result;
    }
    return compile(*read.bytes, path.generic_string(), options);
}

}  // namespace triage
