#include "lsp/documents.hpp"

#include <fmt/format.h>

#include <cctype>

namespace triage::lsp {

namespace fs = std::filesystem;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string normal_path(std::string_view path) {
    std::error_code ec;
    fs::path absolute = fs::absolute(fs::path(std::string(path)), ec);
    return (ec ? fs::path(std::string(path)) : absolute).lexically_normal().string();
}

}  // namespace

std::string path_of_uri(std::string_view uri) {
    constexpr std::string_view scheme = "file://";
    if (uri.substr(0, scheme.size()) != scheme) return std::string(uri);
    uri.remove_prefix(scheme.size());
    uri = uri.substr(uri.find('/') == std::string_view::npos ? uri.size() : uri.find('/'));  // file://host/path
    std::string path;
    for (std::size_t i = 0; i < uri.size(); ++i) {
        if (uri[i] == '%' && i + 2 < uri.size() && hex_value(uri[i + 1]) >= 0 && hex_value(uri[i + 2]) >= 0) {
            path += static_cast<char>(hex_value(uri[i + 1]) * 16 + hex_value(uri[i + 2]));
            i += 2;
        } else {
            path += uri[i];
        }
    }
    return normal_path(path);
}

std::string uri_of_path(std::string_view path) {
    if (path.find(':') != std::string_view::npos && path.front() != '/') return std::string(path);  // untitled:...
    std::string out = "file://";
    for (unsigned char c : normal_path(path)) {
        const bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
        if (unreserved) out += static_cast<char>(c);
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

DocumentStore::DocumentStore(CompileOptions options) : options_(std::move(options)) {
    // Open documents are read from the editor's text; every other file from disk, by triage's
    // own checked reader (CompileOptions::open_files).
    options_.open_files = [this](const fs::path& path, std::uint64_t max_bytes) -> std::optional<FileRead> {
        FileRead open = read(path, max_bytes);
        if (open.bytes || open.size) return open;
        return std::nullopt;
    };
}

FileRead DocumentStore::read(const fs::path& path, std::uint64_t max_bytes) const {
    const std::string wanted = normal_path(path.string());
    for (const auto& [uri, document] : documents_) {
        if (document.path != wanted) continue;
        if (document.text.size() > max_bytes) return {std::nullopt, {}, document.text.size()};
        return {document.text, {}, document.text.size()};
    }
    return {};
}

void DocumentStore::open(std::string uri, std::string text, std::int64_t version) {
    std::string path = path_of_uri(uri);
    Document document{uri, std::move(path), std::move(text), version};
    documents_.insert_or_assign(std::move(uri), std::move(document));
    ++generation_;
}

bool DocumentStore::change(std::string_view uri, std::string text, std::int64_t version) {
    auto it = documents_.find(uri);
    if (it == documents_.end()) return false;
    it->second.text = std::move(text);
    it->second.version = version;
    ++generation_;
    return true;
}

void DocumentStore::close(std::string_view uri) {
    if (auto it = documents_.find(uri); it != documents_.end()) documents_.erase(it);
    if (auto it = compiled_.find(uri); it != compiled_.end()) compiled_.erase(it);
    ++generation_;
}

const Document* DocumentStore::find(std::string_view uri) const {
    auto it = documents_.find(uri);
    return it == documents_.end() ? nullptr : &it->second;
}

std::vector<std::string> DocumentStore::uris() const {
    std::vector<std::string> uris;
    for (const auto& [uri, document] : documents_) uris.push_back(uri);
    return uris;
}

std::shared_ptr<const CompileResult> DocumentStore::compiled(std::string_view uri) {
    const Document* document = find(uri);
    if (!document) return nullptr;
    auto it = compiled_.find(uri);
    if (it != compiled_.end() && it->second.generation == generation_) return it->second.result;
    auto result = std::make_shared<const CompileResult>(compile(document->text, document->path, options_));
    compiled_.insert_or_assign(std::string(uri), Compiled{generation_, result});
    return result;
}

std::shared_ptr<const CompileResult> DocumentStore::compiled_already(std::string_view uri) const {
    auto it = compiled_.find(uri);
    return it != compiled_.end() && it->second.generation == generation_ ? it->second.result : nullptr;
}

}  // namespace triage::lsp
