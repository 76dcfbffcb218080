// The documents the editor has open, as it last sent them, and their compilations: a flow is
// compiled with its open includes' unsaved text (CompileOptions::open_files), and compiled again
// only after a document changed.
#pragma once

#include "triage/compile.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::lsp {

// file:///a%20b/c.flow -> /a b/c.flow; another scheme (untitled:) is kept as it is, a name that
// is not on disk.
[[nodiscard]] std::string path_of_uri(std::string_view uri);
// The file URI of a path (made absolute and normal), bytes other than unreserved ones and '/'
// percent-encoded.
[[nodiscard]] std::string uri_of_path(std::string_view path);

struct Document {
    std::string uri;
    std::string path;  // path_of_uri(uri), normal
    std::string text;
    std::int64_t version = 0;
};

class DocumentStore {
public:
    explicit DocumentStore(CompileOptions options);
    // Its reader refers to it: it stays where it was made.
    DocumentStore(const DocumentStore&) = delete;
    DocumentStore& operator=(const DocumentStore&) = delete;

    void open(std::string uri, std::string text, std::int64_t version);
    // Full synchronisation: the whole new text. False when the document is not open.
    bool change(std::string_view uri, std::string text, std::int64_t version);
    void close(std::string_view uri);

    [[nodiscard]] const Document* find(std::string_view uri) const;
    [[nodiscard]] const CompileOptions& options() const { return options_; }
    [[nodiscard]] std::vector<std::string> uris() const;

    // The compilation of an open document (null when it is not open), compiled at most once per
    // change to any open document. The document is file 0 of its sources.
    [[nodiscard]] std::shared_ptr<const CompileResult> compiled(std::string_view uri);
    // Its compilation if that is still the current one, without compiling; else null.
    [[nodiscard]] std::shared_ptr<const CompileResult> compiled_already(std::string_view uri) const;

private:
    [[nodiscard]] FileRead read(const std::filesystem::path& path, std::uint64_t max_bytes) const;

    struct Compiled {
        std::uint64_t generation = 0;
        std::shared_ptr<const CompileResult> result;
    };

    CompileOptions options_;
    std::map<std::string, Document, std::less<>> documents_;  // by URI
    std::map<std::string, Compiled, std::less<>> compiled_;   // by URI
    std::uint64_t generation_ = 1;  // bumped by every change: an include may be any open document
};

}  // namespace triage::lsp
