// Hover: what a name stands for, from the compiled flow when the document compiles, else from
// its declaration as written (a document being edited usually has an error somewhere).
#include "lsp/handlers.hpp"
#include "lsp/locations.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace triage::lsp {

namespace {

constexpr std::size_t shown_phrases = 20;
constexpr std::size_t shown_lines = 30;

// The declaration as written, in a code block, cut at `shown_lines` lines.
std::string declaration_text(const CompileResult& result, const Symbol& symbol) {
    std::string_view text = result.sources->text(symbol.declaration);
    std::size_t end = 0;
    for (std::size_t lines = 0; end < text.size() && lines < shown_lines; ++lines) {
        std::size_t newline = text.find('\n', end);
        end = newline == std::string_view::npos ? text.size() : newline + 1;
    }
    std::string shown(text.substr(0, end));
    if (!shown.empty() && shown.back() == '\n') shown.pop_back();
    if (end < text.size()) shown += "\n…";
    return "```flow\n" + shown + "\n```\n";
}

std::string field_details(const Flow& flow, const Symbol& symbol) {
    auto index = flow.find_field(symbol.name);
    if (!index) return {};
    const Field& field = flow.fields()[*index];
    std::string type(to_string(field.type));
    if (field.type == FieldType::enumeration) type = "one of " + fmt::format("{}", fmt::join(field.values, ", "));
    std::string out = fmt::format("`{}`: {}\n", field.name, type);
    if (field.type == FieldType::time)
        out += fmt::format("\nformat `{}`{}\n", field.time_format.empty() ? "RFC 3339" : field.time_format,
                           field.time_zone.empty() ? "" : ", zone " + field.time_zone);
    return out;
}

std::string word_list_details(const Flow& flow, const Symbol& symbol) {
    for (const WordList& list : flow.word_lists()) {
        if (list.name != symbol.name) continue;
        std::string out = fmt::format("{} phrase{}: ", list.phrases.size(), list.phrases.size() == 1 ? "" : "s");
        const std::size_t shown = std::min(list.phrases.size(), shown_phrases);
        for (std::size_t i = 0; i < shown; ++i) out += fmt::format("{}`{}`", i ? ", " : "", list.phrases[i]);
        if (shown < list.phrases.size()) out += fmt::format(", … and {} more", list.phrases.size() - shown);
        return out + "\n";
    }
    return {};
}

std::string step_details(const Flow& flow, const Symbol& symbol) {
    for (const Step& step : flow.steps()) {
        if (step.name != symbol.name) continue;
        std::string out;
        for (const Branch& branch : step.branches)
            out += fmt::format("- if `{}` → `{}`\n", flow.condition_text(branch.condition), flow.node_name(branch.target));
        if (step.otherwise) out += fmt::format("- else → `{}`\n", flow.node_name(step.otherwise->target));
        return out;
    }
    return {};
}

std::string outcome_details(const Flow& flow, const Symbol& symbol) {
    for (const Outcome& outcome : flow.outcomes()) {
        if (outcome.name != symbol.name) continue;
        std::string out;
        for (const Action& action : outcome.actions) out += fmt::format("- `{}`\n", flow.source_text(action.span));
        return out.empty() ? "no actions\n" : out;
    }
    return {};
}

std::string hover_text(const CompileResult& result, const Symbol& symbol) {
    std::string out = fmt::format("**{}** `{}`", kind_name(symbol.kind), symbol.name);
    if (!symbol.title.empty()) out += fmt::format(" — {}", symbol.title);
    out += "\n\n";
    std::string details;
    if (result.flow) {
        switch (symbol.kind) {
        case SymbolKind::field: details = field_details(*result.flow, symbol); break;
        case SymbolKind::word_list: details = word_list_details(*result.flow, symbol); break;
        case SymbolKind::step: details = step_details(*result.flow, symbol); break;
        case SymbolKind::outcome: details = outcome_details(*result.flow, symbol); break;
        default: break;
        }
    }
    return out + (details.empty() ? declaration_text(result, symbol) : details);
}

}  // namespace

std::optional<RequestError> hover(const Request& request, JsonWriter& out) {
    RequestError error;
    std::optional<Cursor> cursor = symbol_at_cursor(request, error);
    if (!cursor) return error;
    const Symbol* symbol = cursor->symbol;
    if (!symbol) {
        out.null();
        return std::nullopt;
    }
    Locator locator(*cursor->result->sources, cursor->uri);
    out.begin_object().key("contents").begin_object();
    out.key("kind").string("markdown").key("value").string(hover_text(*cursor->result, *symbol));
    out.end_object().key("range");
    locator.write_range(out, cursor->name_span());
    out.end_object();
    return std::nullopt;
}

}  // namespace triage::lsp
