// The pipeline: parse (with includes) → check → graph. Collects every diagnostic in one run.
#include "triage/compile.hpp"

#include "checker.hpp"
#include "graph_builder.hpp"
#include "parser.hpp"
#include "program.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <sstream>

namespace triage {

namespace {

namespace fs = std::filesystem;
namespace ast = syntax::ast;

std::optional<std::string> read_from_disk(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(content).str();
}

fs::path identity(const fs::path& path) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    return ec ? path.lexically_normal() : canonical;
}

// Parses a file and, where each `include` stands, the file it names (each file once), so that
// declarations reach the checker in reading order.
class Loader {
public:
    Loader(SourceMap& sources, const CompileOptions& options, std::vector<Diagnostic>& diagnostics)
        : sources_(sources), options_(options), diagnostics_(diagnostics) {}

    void load(FileId file) {
        fs::path path = identity(std::string(sources_.path(file)));
        active_.push_back(path);
        loaded_.push_back(path);
        const ParsedFile& parsed = files_.emplace_back(parse(sources_, file, diagnostics_));
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

private:
    void load_include(FileId from, const ast::Include& include) {
        Span where{from, include.path.from, include.path.to};
        fs::path path = fs::path(std::string(sources_.path(from))).parent_path() / std::string(include.path);
        fs::path id = identity(path);
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
        std::optional<std::string> content = options_.read_file(path);
        if (!content) {
            diagnostics_.push_back({Severity::error, Code::unreadable_file, where,
                                    fmt::format("cannot read included file '{}'", path.generic_string()),
                                    {},
                                    {}});
            return;
        }
        load(sources_.add(path.generic_string(), std::move(*content)));
    }

    SourceMap& sources_;
    const CompileOptions& options_;
    std::vector<Diagnostic>& diagnostics_;
    std::deque<ParsedFile> files_;  // a deque: declarations_ points into it as it grows
    std::vector<SourceDeclaration> declarations_;
    std::vector<BrokenName> broken_;
    std::vector<fs::path> active_;
    std::vector<fs::path> loaded_;
};

}  // namespace

CompileResult compile(std::string_view source, std::string path, const CompileOptions& options) {
    CompileOptions effective = options;
    if (!effective.read_file) effective.read_file = read_from_disk;

    auto sources = std::make_shared<SourceMap>();
    const FileId main = sources->add(std::move(path), std::string(source));
    CompileResult result;

    Loader loader(*sources, effective, result.diagnostics);
    loader.load(main);
    const bool syntax_errors = has_errors(result.diagnostics);
    std::unique_ptr<detail::FlowData> data = check(
        {*sources, loader.declarations(), main, effective, loader.broken(), syntax_errors}, result.diagnostics);
    build_graph(*data, !syntax_errors, result.diagnostics);

    std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.span.file, a.span.begin) < std::tie(b.span.file, b.span.begin);
                     });
    if (!has_errors(result.diagnostics)) {
        detail::build_program(*data);
        data->sources = sources;
        result.flow.emplace(std::shared_ptr<const detail::FlowData>(std::move(data)));
    }
    result.sources = std::move(sources);
    return result;
}

CompileResult compile_file(const std::filesystem::path& path, const CompileOptions& options) {
    const auto& read = options.read_file ? options.read_file : read_from_disk;
    std::optional<std::string> content = read(path);
    if (!content) {
        CompileResult result;
        auto sources = std::make_shared<SourceMap>();
        FileId file = sources->add(path.generic_string(), {});
        result.diagnostics.push_back({Severity::error, Code::unreadable_file, Span{file, 0, 0},
                                      fmt::format("cannot read '{}'", path.generic_string()),
                                      {},
                                      {}});
        result.sources = std::move(sources);
        return result;
    }
    return compile(*content, path.generic_string(), options);
}

}  // namespace triage
