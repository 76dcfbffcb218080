// `triage lsp`: the language server, on stdin and stdout, for editors (docs/editors.md).
#include "commands.hpp"
#include "flow_loading.hpp"

#include "triage/diagnostic.hpp"
#include "triage/lsp.hpp"

#include <csignal>

namespace triage::cli {

std::function<int()> add_lsp_command(CLI::App& app) {
    struct LspFlags {
        std::string docs_url{default_sarif_help_base()};  // empty unless the build names its docs
        bool stdio = true;
    };
    auto flags = std::make_shared<LspFlags>();
    CLI::App* command = app.add_subcommand("lsp", "Serve the Language Server Protocol on stdin and stdout");
    command->add_option("--docs-url", flags->docs_url,
                        "Where diagnostic codes link to: docs/diagnostics.md as published (default: the build's, "
                        "-DTRIAGE_DOCS_URL; none when it names none)");
    // What vscode-languageclient and others pass to say "over stdio", the only transport.
    command->add_flag("--stdio", flags->stdio, "Talk over stdin and stdout (the default and only transport)");
    return [flags] {
        // A client that goes away mid-reply is the end of the session, not a signal that kills it.
        std::signal(SIGPIPE, SIG_IGN);
        LanguageServerOptions options;
        options.compile = compile_options();
        options.diagnostics_docs_url = flags->docs_url;
        return run_language_server(options);
    };
}

}  // namespace triage::cli
