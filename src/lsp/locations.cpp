#include "lsp/locations.hpp"

#include "lsp/documents.hpp"

namespace triage::lsp {

void write_position(JsonWriter& json, Position position) {
    json.begin_object().key("line").number(position.line).key("character").number(position.character).end_object();
}

std::string Locator::uri(FileId file) const { return file == 0 ? main_uri_ : uri_of_path(sources_.path(file)); }

const LineIndex& Locator::lines(FileId file) {
    auto it = lines_.find(file);
    if (it == lines_.end()) it = lines_.emplace(file, LineIndex(sources_.text(file))).first;
    return it->second;
}

void Locator::write_range(JsonWriter& json, Span span) {
    json.begin_object().key("start");
    write_position(json, position(span.file, span.begin));
    json.key("end");
    write_position(json, position(span.file, span.end));
    json.end_object();
}

void Locator::write_location(JsonWriter& json, Span span) {
    json.begin_object().key("uri").string(uri(span.file)).key("range");
    write_range(json, span);
    json.end_object();
}

void Locator::write_edit(JsonWriter& json, Span span, std::string_view text) {
    json.begin_object().key("range");
    write_range(json, span);
    json.key("newText").string(text).end_object();
}

}  // namespace triage::lsp
