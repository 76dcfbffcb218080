// A Language Server Protocol server (LSP 3.17, JSON-RPC 2.0) for flow files: diagnostics as the
// author types, hover, go to definition, references, rename, outline, formatting, quick fixes,
// completion, semantic tokens, folding and the flow's tests in a code lens, over a pair of file
// descriptors (`triage lsp` gives it stdin and stdout). Not in the umbrella header triage.hpp:
// only a host that serves editors needs it.
#pragma once

#include "triage/compile.hpp"

#include <cstddef>
#include <string>

namespace triage {

struct LanguageServerOptions {
    int input_fd = 0;
    int output_fd = 1;
    // How flows are compiled: the limits, include roots, time formats and zone, and the reader of
    // files that are not open in the editor (open ones are served from the editor's buffers).
    CompileOptions compile;
    // A message whose body is larger is refused with an error and skipped, unread. The default
    // leaves room for a document at the file-size limit with every byte escaped.
    std::size_t max_message_bytes = 64u << 20;
    // Where each diagnostic's code links to (codeDescription.href): docs/diagnostics.md as
    // published; the section's anchor ("#t012--unknown-step-or-outcome") is appended.
    std::string diagnostics_docs_url;
};

// Serves one client until it sends `exit` or closes the input. Returns the process exit status
// LSP asks for: 0 after `shutdown` then `exit`, 1 otherwise. Never throws for what the client sends.
[[nodiscard]] int run_language_server(const LanguageServerOptions& options);

}  // namespace triage
