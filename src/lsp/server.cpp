// The server: the JSON-RPC loop over two file descriptors, the LSP lifecycle (initialize,
// shutdown, exit), the document notifications, and dispatch to the request handlers.
// Single-threaded: before it works, it reads every message that has already arrived, so that a
// `$/cancelRequest` behind a request is seen in time, and several changes in a row are compiled
// once (diagnostics are published only when no message waits: the debounce). The solver's checks
// run on a thread of BackgroundChecks after a flow's diagnostics are out; the loop waits for its
// results and the input at once, and publishes a result only while it is for the current text.
#include "triage/lsp.hpp"

#include "lsp/background_checks.hpp"
#include "lsp/diagnostics.hpp"
#include "lsp/documents.hpp"
#include "lsp/framing.hpp"
#include "lsp/handlers.hpp"
#include "lsp/message.hpp"
#include "triage/version.hpp"

#include <fmt/format.h>

#include <deque>
#include <exception>
#include <set>

namespace triage::lsp {

Handler handler_for(std::string_view method) {
    static constexpr std::pair<std::string_view, Handler> handlers[] = {
        {"textDocument/hover", hover},
        {"textDocument/definition", definition},
        {"textDocument/references", references},
        {"textDocument/prepareRename", prepare_rename},
        {"textDocument/rename", rename},
        {"textDocument/documentSymbol", document_symbols},
        {"textDocument/formatting", formatting},
        {"textDocument/codeAction", code_actions},
        {"textDocument/completion", completion},
        {"textDocument/semanticTokens/full", semantic_tokens},
        {"textDocument/foldingRange", folding_ranges},
        {"textDocument/codeLens", code_lenses},
        {"triage/runTests", run_flow_tests},
    };
    for (const auto& [name, handler] : handlers)
        if (name == method) return handler;
    return nullptr;
}

namespace {

// What the server can do, for the initialize result.
constexpr std::string_view capabilities = R"({"positionEncoding":"utf-16",)"
                                          R"("textDocumentSync":{"openClose":true,"change":1},)"
                                          R"("hoverProvider":true,"definitionProvider":true,"referencesProvider":true,)"
                                          R"("renameProvider":{"prepareProvider":true},"documentSymbolProvider":true,)"
                                          R"("documentFormattingProvider":true,)"
                                          R"("codeActionProvider":{"codeActionKinds":["quickfix"]},)"
                                          R"("completionProvider":{"triggerCharacters":[">","\"","["]},)"
                                          R"("foldingRangeProvider":true,"codeLensProvider":{"resolveProvider":false},)";

// The capabilities with the semantic tokens' legend.
std::string capabilities_json() {
    JsonWriter legend;
    legend.begin_object().key("tokenTypes").begin_array();
    for (std::string_view type : semantic_token_types) legend.string(type);
    legend.end_array().key("tokenModifiers").begin_array();
    for (std::string_view modifier : semantic_token_modifiers) legend.string(modifier);
    legend.end_array().end_object();
    return fmt::format(R"({}"semanticTokensProvider":{{"legend":{},"full":true}}}})", capabilities, legend.str());
}

struct Queued {
    Frame frame;
    std::optional<std::string> id;  // of a request
    bool cancelled = false;
};

class Server {
public:
    explicit Server(const LanguageServerOptions& options)
        : options_(options), reader_(options.input_fd, options.max_message_bytes), documents_(options.compile) {
        if (!semantic_checks_built()) return;  // without the solver there is nothing to check later
        try {
            checks_.emplace(options.compile.limits);
        } catch (const std::exception& e) {  // no thread or pipe: the server works without the checks
            fmt::print(stderr, "triage lsp: the solver's checks are left out: {}\n", e.what());
        }
    }

    int run();

private:
    void drain();
    void enqueue(Frame frame);
    void handle(const Queued& queued);
    void dispatch(const Message& message, bool cancelled);
    void request(const Message& message);
    void notification(const Message& message);
    void did_change(const Message& message);
    void publish_pending();
    void publish_checked();

    void send(const std::string& body);
    void respond(const std::string& id, std::string_view result);
    void respond_error(const std::optional<std::string>& id, int code, std::string_view message);
    void notify(std::string_view method, std::string_view params);

    enum class State { uninitialised, running, shut_down };

    const LanguageServerOptions& options_;
    FrameReader reader_;
    DocumentStore documents_;
    simdjson::dom::parser parser_;
    simdjson::dom::parser peek_parser_;  // reads messages as they are queued (for cancellations)
    std::deque<Queued> queue_;
    std::set<std::string> stale_;  // documents whose diagnostics are to be published
    std::optional<BackgroundChecks> checks_;  // none without the solver
    State state_ = State::uninitialised;
    bool exit_ = false;
    int status_ = 1;
};

int Server::run() {
    while (!exit_) {
        drain();
        if (queue_.empty()) {
            publish_pending();
            publish_checked();
            drain();
        }
        if (queue_.empty()) {  // wait for a message, or for the solver's checks
            if (auto frame = reader_.next(true, checks_ ? checks_->ready_fd() : -1)) enqueue(std::move(*frame));
            continue;
        }
        Queued next = std::move(queue_.front());
        queue_.pop_front();
        handle(next);
    }
    return status_;
}

void Server::drain() {
    while (auto frame = reader_.next(false)) {
        const bool end = std::holds_alternative<EndOfInput>(*frame);
        enqueue(std::move(*frame));
        if (end) break;
    }
}

void Server::enqueue(Frame frame) {
    Queued queued{std::move(frame), std::nullopt, false};
    if (const auto* body = std::get_if<std::string>(&queued.frame)) {
        auto read = read_message(peek_parser_, *body);
        if (const auto* message = std::get_if<Message>(&read)) {
            if (message->method == "$/cancelRequest") {
                if (auto id = value_at(message->params, {"id"})) {
                    const std::string cancelled = simdjson::minify(*id);
                    for (Queued& waiting : queue_)
                        if (waiting.id == cancelled) waiting.cancelled = true;
                }
                return;
            }
            if (!message->method.empty()) queued.id = message->id;
        }
    }
    queue_.push_back(std::move(queued));
}

void Server::handle(const Queued& queued) {
    if (const auto* end = std::get_if<EndOfInput>(&queued.frame)) {
        if (!end->reason.empty()) fmt::print(stderr, "triage lsp: {}\n", end->reason);
        exit_ = true;
        status_ = state_ == State::shut_down ? 0 : 1;
        return;
    }
    if (const auto* refused = std::get_if<FrameError>(&queued.frame)) {
        respond_error(std::nullopt, invalid_request, refused->message);
        return;
    }
    auto read = read_message(parser_, std::get<std::string>(queued.frame));
    if (const auto* error = std::get_if<MessageError>(&read)) {
        respond_error(error->id, error->code, error->message);
        return;
    }
    try {
        dispatch(std::get<Message>(read), queued.cancelled);
    } catch (const std::exception& e) {  // out of memory, say: this message fails, the server goes on
        if (auto& id = std::get<Message>(read).id) respond_error(id, internal_error, e.what());
    }
}

void Server::dispatch(const Message& message, bool cancelled) {
    if (message.method.empty()) return;  // a response: this server sends no requests
    if (message.method == "exit") {
        exit_ = true;
        status_ = state_ == State::shut_down ? 0 : 1;
        return;
    }
    if (!message.id) {
        if (state_ == State::running) notification(message);
        return;
    }
    if (cancelled) return respond_error(message.id, request_cancelled, "the request was cancelled");
    if (message.method == "initialize") {
        if (state_ != State::uninitialised) return respond_error(message.id, invalid_request, "initialized already");
        state_ = State::running;
        return respond(*message.id, fmt::format(R"({{"capabilities":{},"serverInfo":{{"name":"triage","version":"{}"}}}})",
                                                capabilities_json(), TRIAGE_VERSION_STRING));
    }
    if (state_ == State::uninitialised)
        return respond_error(message.id, server_not_initialized, "the first request must be initialize");
    if (state_ == State::shut_down)
        return respond_error(message.id, invalid_request, "the server is shut down: only exit is expected");
    if (message.method == "shutdown") {
        state_ = State::shut_down;
        return respond(*message.id, "null");
    }
    request(message);
}

void Server::request(const Message& message) {
    Handler handler = handler_for(message.method);
    if (!handler) return respond_error(message.id, method_not_found, fmt::format("no method {}", message.method));
    JsonWriter result;
    Request request{message.params, documents_, options_.diagnostics_docs_url};
    if (std::optional<RequestError> error = handler(request, result))
        return respond_error(message.id, error->code, error->message);
    respond(*message.id, result.str());
}

void Server::notification(const Message& message) {
    const auto uri = string_at(message.params, {"textDocument", "uri"});
    if (message.method == "textDocument/didOpen") {
        auto text = string_at(message.params, {"textDocument", "text"});
        if (!uri || !text) return;
        documents_.open(std::string(*uri), std::string(*text),
                        integer_at(message.params, {"textDocument", "version"}).value_or(0));
    } else if (message.method == "textDocument/didChange") {
        did_change(message);
    } else if (message.method == "textDocument/didClose") {
        if (!uri) return;
        documents_.close(*uri);
        stale_.erase(std::string(*uri));
        if (checks_) checks_->cancel(*uri);
        notify("textDocument/publishDiagnostics",
               publish_diagnostics_params(std::string(*uri), 0, CompileResult{}, options_.diagnostics_docs_url));
    } else {
        return;  // $/setTrace, workspace/didChangeConfiguration, ...: nothing to do
    }
    // Any open document may include the one that changed.
    for (std::string& open : documents_.uris()) stale_.insert(std::move(open));
}

void Server::did_change(const Message& message) {
    const auto uri = string_at(message.params, {"textDocument", "uri"});
    const Document* document = uri ? documents_.find(*uri) : nullptr;
    auto changes = value_at(message.params, {"contentChanges"});
    simdjson::dom::array array;
    if (!document || !changes || changes->get(array) != simdjson::SUCCESS) return;
    std::string text = document->text;
    for (simdjson::dom::element change : array) {
        auto replacement = string_at(change, {"text"});
        if (!replacement) return;
        auto range = value_at(change, {"range"});
        std::optional<Position> start, end;
        if (range) start = position_at(*range, "start"), end = position_at(*range, "end");
        if (!start || !end) {  // full synchronisation, as the server asks for
            text = *replacement;
            continue;
        }
        LineIndex lines(text);  // a client that sends ranges anyway is served too
        const std::uint32_t from = lines.offset(*start), to = std::max(from, lines.offset(*end));
        text.replace(from, to - from, *replacement);
    }
    documents_.change(*uri, std::move(text), integer_at(message.params, {"textDocument", "version"}).value_or(0));
}

void Server::publish_pending() {
    for (const std::string& uri : stale_) {
        const Document* document = documents_.find(uri);
        auto result = documents_.compiled(uri);
        if (!document || !result) continue;
        notify("textDocument/publishDiagnostics",
               publish_diagnostics_params(uri, document->version, *result, options_.diagnostics_docs_url));
        if (checks_ && result->ok()) checks_->submit(uri, document->version, result);
    }
    stale_.clear();
}

void Server::publish_checked() {
    if (!checks_) return;
    for (const BackgroundChecks::Done& done : checks_->take_done()) {
        // Only for the text the client has now: a newer one has its own check coming.
        const Document* document = documents_.find(done.uri);
        if (!document || document->version != done.version || stale_.contains(done.uri) ||
            documents_.compiled_already(done.uri) != done.result)
            continue;
        if (done.diagnostics.size() == done.result->diagnostics.size()) continue;  // nothing new: published already
        notify("textDocument/publishDiagnostics", publish_diagnostics_params(done.uri, done.version, *done.result,
                                                                             done.diagnostics, options_.diagnostics_docs_url));
    }
}

void Server::send(const std::string& body) {
    if (!write_frame(options_.output_fd, body)) exit_ = true;  // the client is gone
}

void Server::respond(const std::string& id, std::string_view result) {
    send(fmt::format(R"({{"jsonrpc":"2.0","id":{},"result":{}}})", id, result));
}

void Server::respond_error(const std::optional<std::string>& id, int code, std::string_view message) {
    JsonWriter json;
    json.begin_object().key("jsonrpc").string("2.0").key("id");
    if (id) json.raw(*id);
    else json.null();
    json.key("error").begin_object().key("code").number(std::int64_t{code}).key("message").string(message);
    json.end_object().end_object();
    send(json.str());
}

void Server::notify(std::string_view method, std::string_view params) {
    JsonWriter json;
    json.begin_object().key("jsonrpc").string("2.0").key("method").string(method).key("params").raw(params);
    json.end_object();
    send(json.str());
}

}  // namespace

}  // namespace triage::lsp

namespace triage {

int run_language_server(const LanguageServerOptions& options) {
    try {
        lsp::Server server(options);
        return server.run();
    } catch (const std::exception& e) {
        fmt::print(stderr, "triage lsp: {}\n", e.what());
        return 1;
    }
}

}  // namespace triage
