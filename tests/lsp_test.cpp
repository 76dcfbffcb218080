// `triage lsp` as an editor drives it: a client over pipes (posix_spawnp, no shell) sends a
// session and checks each answer; the server's robustness against a client that breaks the
// protocol; and UTF-16 positions against UTF-8 offsets.
#include "support.hpp"

#include "lsp/positions.hpp"
#include "triage/lsp.hpp"

#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace triage;

namespace {

// One message from the server, parsed.
struct Reply {
    std::string body;
    simdjson::dom::parser parser;
    simdjson::dom::element root;

    [[nodiscard]] simdjson::dom::element at(std::string_view pointer) const {
        simdjson::dom::element value;
        INFO(body);
        REQUIRE(root.at_pointer(pointer).get(value) == simdjson::SUCCESS);
        return value;
    }
    [[nodiscard]] bool has(std::string_view pointer) const {
        simdjson::dom::element value;
        return root.at_pointer(pointer).get(value) == simdjson::SUCCESS;
    }
    [[nodiscard]] std::string text(std::string_view pointer) const {
        std::string_view value;
        INFO(body);
        REQUIRE(at(pointer).get(value) == simdjson::SUCCESS);
        return std::string(value);
    }
    [[nodiscard]] std::int64_t number(std::string_view pointer) const {
        std::int64_t value = 0;
        INFO(body);
        REQUIRE(at(pointer).get(value) == simdjson::SUCCESS);
        return value;
    }
    [[nodiscard]] std::size_t size(std::string_view pointer) const {
        simdjson::dom::array array;
        INFO(body);
        REQUIRE(at(pointer).get(array) == simdjson::SUCCESS);
        return array.size();
    }
};

// A language client over two pipes: frames what it sends, unframes what it reads (its own
// reader, not the server's), and keeps notifications until they are asked for.
class Client {
public:
    Client(int to_server, int from_server) : to_(to_server), from_(from_server) {}
    ~Client() {
        if (to_ >= 0) ::close(to_);
        ::close(from_);
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void send_raw(std::string_view bytes) {
        while (!bytes.empty()) {
            ssize_t n = ::write(to_, bytes.data(), bytes.size());
            REQUIRE(n > 0);
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    static std::string frame(std::string_view json) {
        return "Content-Length: " + std::to_string(json.size()) + "\r\n\r\n" + std::string(json);
    }
    void notify(std::string_view method, std::string_view params) {
        send_raw(frame(R"({"jsonrpc":"2.0","method":")" + std::string(method) + R"(","params":)" + std::string(params) + "}"));
    }
    // Sends a request; its id.
    std::int64_t send_request(std::string_view method, std::string_view params) {
        const std::int64_t id = ++last_id_;
        send_raw(request_frame(id, method, params));
        return id;
    }
    static std::string request_frame(std::int64_t id, std::string_view method, std::string_view params) {
        return frame(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + std::string(method) +
                     R"(","params":)" + std::string(params) + "}");
    }
    std::unique_ptr<Reply> request(std::string_view method, std::string_view params) {
        return response(send_request(method, params));
    }
    // The response to request `id` (the notifications before it are kept).
    std::unique_ptr<Reply> response(std::int64_t id) {
        for (;;) {
            auto reply = next();
            std::int64_t got = 0;
            if (reply->has("/id") && reply->at("/id").get(got) == simdjson::SUCCESS && got == id) return reply;
            if (reply->has("/method")) notifications_.push_back(std::move(reply));
        }
    }
    // The next notification of `method`, kept or yet to come.
    std::unique_ptr<Reply> notification(std::string_view method) {
        for (auto it = notifications_.begin(); it != notifications_.end(); ++it) {
            if ((*it)->text("/method") != method) continue;
            auto reply = std::move(*it);
            notifications_.erase(it);
            return reply;
        }
        for (;;) {
            auto reply = next();
            if (reply->has("/method") && reply->text("/method") == method) return reply;
            if (reply->has("/method")) notifications_.push_back(std::move(reply));
        }
    }
    // How many notifications of `method` have come and are kept (none is waited for).
    [[nodiscard]] std::size_t kept(std::string_view method) const {
        return static_cast<std::size_t>(std::count_if(notifications_.begin(), notifications_.end(),
                                                      [&](const auto& reply) { return reply->text("/method") == method; }));
    }
    // The next message, within 20 s.
    std::unique_ptr<Reply> next() {
        for (;;) {
            std::size_t blank = buffer_.find("\r\n\r\n");
            if (blank != std::string::npos) {
                const std::string headers = buffer_.substr(0, blank);
                REQUIRE(headers.rfind("Content-Length: ", 0) == 0);
                const std::size_t length = std::stoul(headers.substr(16));
                if (buffer_.size() >= blank + 4 + length) {
                    auto reply = std::make_unique<Reply>();
                    reply->body = buffer_.substr(blank + 4, length);
                    buffer_.erase(0, blank + 4 + length);
                    INFO(reply->body);
                    REQUIRE(reply->parser.parse(reply->body).get(reply->root) == simdjson::SUCCESS);
                    return reply;
                }
            }
            pollfd ready{from_, POLLIN, 0};
            REQUIRE(::poll(&ready, 1, 20'000) == 1);
            char chunk[65536];
            ssize_t n = ::read(from_, chunk, sizeof chunk);
            REQUIRE(n > 0);
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }
    void close_input() {
        ::close(to_);
        to_ = -1;
    }

private:
    int to_;
    int from_;
    std::int64_t last_id_ = 0;
    std::string buffer_;
    std::vector<std::unique_ptr<Reply>> notifications_;
};

// `triage lsp ARGS...` as a child process, talked to through its stdin and stdout.
class ServerProcess {
public:
    explicit ServerProcess(std::vector<std::string> arguments) {
        int in[2], out[2];
        REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
        REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        arguments.insert(arguments.begin(), {TRIAGE_CLI_PATH, "lsp"});
        std::vector<char*> argv;
        for (std::string& argument : arguments) argv.push_back(argument.data());
        argv.push_back(nullptr);
        REQUIRE(::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        client_ = std::make_unique<Client>(in[1], out[0]);
    }
    ~ServerProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    Client& client() { return *client_; }
    // Its exit status, once it has exited (within 20 s).
    int wait() {
        int status = 0;
        for (int tries = 0; tries < 2000; ++tries) {
            pid_t done = ::waitpid(pid_, &status, WNOHANG);
            if (done == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        FAIL("triage lsp did not exit");
        return -1;
    }

private:
    pid_t pid_ = -1;
    std::unique_ptr<Client> client_;
};

std::string json_string(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

std::string uri_of(const std::filesystem::path& path) { return "file://" + path.string(); }

// `key` as one token of a JSON pointer ('/' and '~' escaped): a URI as a key of `changes`.
std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) out += c == '/' ? "~1" : c == '~' ? "~0" : std::string(1, c);
    return out;
}

std::string open_params(const std::string& uri, std::string_view text) {
    return R"({"textDocument":{"uri":")" + uri + R"(","languageId":"triage","version":1,"text":)" +
           json_string(text) + "}}";
}

std::string position_params(const std::string& uri, int line, int character, std::string_view extra = {}) {
    return R"({"textDocument":{"uri":")" + uri + R"("},"position":{"line":)" + std::to_string(line) +
           R"(,"character":)" + std::to_string(character) + "}" + std::string(extra) + "}";
}

std::string initialize_params() { return R"({"processId":null,"rootUri":null,"capabilities":{}})"; }

// The start of a session: initialize, answered, then initialized.
void begin_session(Client& client) {
    REQUIRE(client.request("initialize", initialize_params())->has("/result"));
    client.notify("initialized", "{}");
}

// The 0-based line of the first line of `text` that holds `needle`, and the UTF-16 column where
// it starts there.
std::pair<int, int> utf16_position(std::string_view text, std::string_view needle) {
    const std::size_t at = text.find(needle);
    REQUIRE(at != std::string_view::npos);
    int line = 0, column = 0;
    for (std::size_t i = 0; i < at; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') line++, column = 0;
        else if ((c & 0xC0) != 0x80) column += (c & 0xF8) == 0xF0 ? 2 : 1;
    }
    return {line, column};
}

}  // namespace

TEST_CASE("lsp positions: UTF-16 code units both ways, astral characters counting two") {
    const std::string text = "a\xF0\x9F\x9A\xA8" "b\xC3\xA9" "c\nxy\n";  // a🚨béc, then xy
    lsp::LineIndex lines(text);
    CHECK(lines.position(0) == lsp::Position{0, 0});
    CHECK(lines.position(5) == lsp::Position{0, 3});  // b: after a (1) and the emoji (2)
    CHECK(lines.position(8) == lsp::Position{0, 5});  // c: é is one unit
    CHECK(lines.position(3) == lsp::Position{0, 1});  // inside the emoji's bytes: its start
    CHECK(lines.position(11) == lsp::Position{1, 1});
    CHECK(lines.offset({0, 3}) == 5);
    CHECK(lines.offset({0, 2}) == 1);    // between the surrogates: the emoji's start
    CHECK(lines.offset({0, 99}) == 9);   // past the line's end: before its '\n'
    CHECK(lines.offset({1, 2}) == 12);
    CHECK(lines.offset({7, 0}) == text.size());
}

namespace {

const char* const shared_flow = "words legal = \"lawyer\", \"sue\", \"legal action\"\n";

// Two misspelt names (each with a fix), a name declared twice (a note at the first), and an emoji
// before a use of `sentiment`.
const char* const broken_flow = R"(flow "Care desk" version 1

fields {
  text: text
  sentiment: number
}

include "shared.flow"

let alarm = text contains "🚨" and sentiment < -0.5

start screen

step screen "Is it a legal threat?" {
  if text has any legal -> legal_threat
  if alarm -> complant
  if sentimnt < 0 -> complaint
  else -> acknowledge
}

outcome legal_threat "Legal threat" {
  escalate to "legal" within 1h
}

outcome complaint "Complaint" { respond privately within 4h }

outcome acknowledge "Acknowledge" {
  respond publicly within 1d
}

outcome acknowledge "Acknowledge again" {
  respond publicly within 2d
}
)";

// The same flow with the mistakes fixed, and one outcome not in fmt's layout.
std::string fixed_flow() {
    std::string text = broken_flow;
    auto replace = [&](std::string_view from, std::string_view to) {
        std::size_t at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), to);
    };
    replace("-> complant", "-> complaint");
    replace("if sentimnt", "if sentiment");
    replace("\noutcome acknowledge \"Acknowledge again\" {\n  respond publicly within 2d\n}\n", "");
    return text;
}

}  // namespace

TEST_CASE("lsp: a session over pipes, from initialize to exit") {
    test::TempDir dir;
    test::write_file(dir.path / "shared.flow", shared_flow);
    const std::string uri = uri_of(dir.path / "main.flow");
    const std::string shared_uri = uri_of(dir.path / "shared.flow");
    ServerProcess server({"--docs-url", "https://example.org/diagnostics.md"});
    Client& client = server.client();

    auto init = client.request("initialize", initialize_params());
    CHECK(init->text("/result/capabilities/positionEncoding") == "utf-16");
    CHECK(init->number("/result/capabilities/textDocumentSync/change") == 1);
    CHECK(init->text("/result/serverInfo/name") == "triage");
    client.notify("initialized", "{}");

    // Open with mistakes: each diagnostic with its code, its link and its notes.
    client.notify("textDocument/didOpen", open_params(uri, broken_flow));
    auto published = client.notification("textDocument/publishDiagnostics");
    CHECK(published->text("/params/uri") == uri);
    CHECK(published->number("/params/version") == 1);
    std::map<std::string, std::size_t> by_code;
    for (std::size_t i = 0; i < published->size("/params/diagnostics"); ++i)
        by_code[published->text("/params/diagnostics/" + std::to_string(i) + "/code")] = i;
    REQUIRE(by_code.count("T011") == 1);
    REQUIRE(by_code.count("T012") == 1);
    REQUIRE(by_code.count("T010") == 1);
    const std::string t012 = "/params/diagnostics/" + std::to_string(by_code["T012"]);
    CHECK(published->text(t012 + "/codeDescription/href") ==
          "https://example.org/diagnostics.md#t012--unknown-step-or-outcome");
    CHECK(published->number(t012 + "/severity") == 1);
    CHECK(published->text(t012 + "/source") == "triage");
    auto [complant_line, complant_column] = utf16_position(broken_flow, "complant");
    CHECK(published->number(t012 + "/range/start/line") == complant_line);
    CHECK(published->number(t012 + "/range/start/character") == complant_column);
    CHECK(published->number(t012 + "/range/end/character") == complant_column + 8);
    const std::string t010 = "/params/diagnostics/" + std::to_string(by_code["T010"]);
    REQUIRE(published->size(t010 + "/relatedInformation") >= 1);
    CHECK(published->text(t010 + "/relatedInformation/0/location/uri") == uri);
    CHECK(published->number(t010 + "/relatedInformation/0/location/range/start/line") ==
          utf16_position(broken_flow, "outcome acknowledge \"Acknowledge\"").first);

    // A quick fix for the misspelt target, from the diagnostic's fix.
    auto actions = client.request("textDocument/codeAction",
                                  R"({"textDocument":{"uri":")" + uri + R"("},"range":{"start":{"line":)" +
                                      std::to_string(complant_line) + R"(,"character":)" +
                                      std::to_string(complant_column + 2) + R"(},"end":{"line":)" +
                                      std::to_string(complant_line) + R"(,"character":)" +
                                      std::to_string(complant_column + 2) + R"(}},"context":{"diagnostics":[]}})");
    REQUIRE(actions->size("/result") == 1);
    CHECK(actions->text("/result/0/kind") == "quickfix");
    CHECK(actions->text("/result/0/title").find("complaint") != std::string::npos);
    CHECK(actions->text("/result/0/diagnostics/0/code") == "T012");
    const std::string edit = "/result/0/edit/changes/" + pointer_token(uri) + "/0";
    CHECK(actions->text(edit + "/newText") == "complaint");
    CHECK(actions->number(edit + "/range/start/character") == complant_column);

    // The fixed text, in full: no diagnostics.
    const std::string fixed = fixed_flow();
    client.notify("textDocument/didChange", R"({"textDocument":{"uri":")" + uri +
                                                R"(","version":2},"contentChanges":[{"text":)" + json_string(fixed) + "}]}");
    auto clean = client.notification("textDocument/publishDiagnostics");
    CHECK(clean->number("/params/version") == 2);
    CHECK(clean->size("/params/diagnostics") == 0);

    // A mistyped keyword is the one diagnostic, as in `triage check`: the step it declares is
    // still known to `start screen`. Then the fixed text again, for what follows.
    std::string typo = fixed;
    typo.replace(typo.find("\nstep screen"), 5, "\nstpe");
    for (const auto& [version, text] : {std::pair{3, typo}, std::pair{4, fixed}}) {
        client.notify("textDocument/didChange", R"({"textDocument":{"uri":")" + uri + R"(","version":)" +
                                                    std::to_string(version) + R"(},"contentChanges":[{"text":)" +
                                                    json_string(text) + "}]}");
        auto again = client.notification("textDocument/publishDiagnostics");
        CHECK(again->number("/params/version") == version);
        REQUIRE(again->size("/params/diagnostics") == (version == 3 ? 1 : 0));
        if (version == 3) CHECK(again->text("/params/diagnostics/0/code") == "T001");
    }

    // Hover: a word list's phrases, a step's question and branches, an outcome's actions, a field's type.
    auto [legal_line, legal_column] = utf16_position(fixed, "has any legal");
    auto list = client.request("textDocument/hover", position_params(uri, legal_line, legal_column + 9));
    const std::string list_text = list->text("/result/contents/value");
    CHECK(list_text.find("**word list** `legal`") != std::string::npos);
    CHECK(list_text.find("3 phrases: `lawyer`, `sue`, `legal action`") != std::string::npos);
    auto [start_line, start_column] = utf16_position(fixed, "start screen");
    auto step = client.request("textDocument/hover", position_params(uri, start_line, start_column + 8));
    const std::string step_text = step->text("/result/contents/value");
    CHECK(step_text.find("Is it a legal threat?") != std::string::npos);
    CHECK(step_text.find("- if `text has any legal` → `legal_threat`") != std::string::npos);
    CHECK(step_text.find("- else → `acknowledge`") != std::string::npos);
    auto [outcome_line, outcome_column] = utf16_position(fixed, "complaint \"Complaint\"");
    auto outcome = client.request("textDocument/hover", position_params(uri, outcome_line, outcome_column));
    CHECK(outcome->text("/result/contents/value").find("- `respond privately within 4h`") != std::string::npos);
    // After the emoji: UTF-16 columns in and out.
    auto [use_line, use_column] = utf16_position(fixed, "sentiment < -0.5");
    auto field = client.request("textDocument/hover", position_params(uri, use_line, use_column));
    CHECK(field->text("/result/contents/value").find("`sentiment`: number") != std::string::npos);
    CHECK(field->number("/result/range/start/character") == use_column);
    CHECK(field->number("/result/range/end/character") == use_column + 9);
    auto before = client.request("textDocument/hover", position_params(uri, use_line, use_column - 1));
    CHECK(before->at("/result").is_null());  // the space before it (a code-point count would land on the name)

    // Definition across the include.
    auto where = client.request("textDocument/definition", position_params(uri, legal_line, legal_column + 8));
    CHECK(where->text("/result/uri") == shared_uri);
    CHECK(where->number("/result/range/start/line") == 0);
    CHECK(where->number("/result/range/start/character") == 6);

    // References: the declaration and both uses, the one after the emoji at its UTF-16 column.
    auto uses = client.request("textDocument/references",
                               position_params(uri, use_line, use_column + 3, R"(,"context":{"includeDeclaration":true})"));
    REQUIRE(uses->size("/result") == 3);
    CHECK(uses->number("/result/0/range/start/line") == utf16_position(fixed, "sentiment: number").first);
    CHECK(uses->number("/result/1/range/start/line") == use_line);
    CHECK(uses->number("/result/1/range/start/character") == use_column);

    // Rename across the included file; a reserved word is refused.
    auto renamed = client.request("textDocument/rename",
                                  position_params(uri, legal_line, legal_column + 8, R"(,"newName":"legal_words")"));
    CHECK(renamed->size("/result/changes/" + pointer_token(uri)) == 1);
    CHECK(renamed->size("/result/changes/" + pointer_token(shared_uri)) == 1);
    CHECK(renamed->text("/result/changes/" + pointer_token(shared_uri) + "/0/newText") == "legal_words");
    CHECK(renamed->number("/result/changes/" + pointer_token(shared_uri) + "/0/range/start/character") == 6);
    auto refused = client.request("textDocument/rename",
                                  position_params(uri, legal_line, legal_column + 8, R"(,"newName":"if")"));
    CHECK(refused->has("/error/code"));
    CHECK(!refused->has("/result"));

    // The outline.
    auto outline = client.request("textDocument/documentSymbol", R"({"textDocument":{"uri":")" + uri + R"("}})");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < outline->size("/result"); ++i)
        names.push_back(outline->text("/result/" + std::to_string(i) + "/name"));
    CHECK(names == std::vector<std::string>{"Care desk", "text", "sentiment", "alarm", "screen", "legal_threat",
                                            "complaint", "acknowledge"});

    // Formatting: the text `triage fmt` makes, as one edit.
    auto formatted = client.request("textDocument/formatting",
                                    R"({"textDocument":{"uri":")" + uri + R"("},"options":{"tabSize":2,"insertSpaces":true}})");
    REQUIRE(formatted->size("/result") == 1);
    FormatResult expected = format_source(fixed, "main.flow");
    REQUIRE(expected.text.has_value());
    CHECK(*expected.text != fixed);
    CHECK(formatted->text("/result/0/newText") == *expected.text);
    CHECK(formatted->number("/result/0/range/end/line") == static_cast<std::int64_t>(std::count(fixed.begin(), fixed.end(), '\n')));

    // A request cancelled before the server reached it.
    client.send_raw(Client::request_frame(100, "textDocument/hover", position_params(uri, use_line, use_column)) +
                    Client::frame(R"({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":100}})"));
    auto cancelled = client.response(100);
    CHECK(cancelled->number("/error/code") == -32800);

    auto shutdown = client.request("shutdown", "null");
    CHECK(shutdown->at("/result").is_null());
    client.notify("exit", "null");
    CHECK(server.wait() == 0);
}

TEST_CASE("lsp: a client that breaks the protocol gets errors, and the server goes on") {
    int in[2], out[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    LanguageServerOptions options;
    options.input_fd = in[0];
    options.output_fd = out[1];
    options.max_message_bytes = 300;
    int status = -1;
    std::thread server([&] { status = run_language_server(options); });
    {
        Client client(in[1], out[0]);
        // Before initialize, a request is refused.
        CHECK(client.request("textDocument/hover", "{}")->number("/error/code") == -32002);
        CHECK(client.request("initialize", initialize_params())->has("/result/capabilities"));
        // Not JSON, JSON that is not a message, no Content-Length, a body over the limit: each an
        // error without an id, and nothing else is lost.
        client.send_raw(Client::frame("{oops"));
        CHECK(client.next()->number("/error/code") == -32700);
        client.send_raw(Client::frame("[1,2]"));
        CHECK(client.next()->number("/error/code") == -32600);
        client.send_raw("Content-Type: x\r\n\r\n");
        auto no_length = client.next();
        CHECK(no_length->number("/error/code") == -32600);
        CHECK(no_length->at("/id").is_null());
        const std::string huge(1000, 'x');
        client.notify("textDocument/didOpen", open_params("file:///nowhere/big.flow", huge));
        auto too_big = client.next();
        CHECK(too_big->number("/error/code") == -32600);
        CHECK(too_big->text("/error/message").find("the limit is 300") != std::string::npos);
        // Params of the wrong shape, a document never opened, a method nobody knows.
        CHECK(client.request("textDocument/hover", R"({"textDocument":7})")->number("/error/code") == -32602);
        CHECK(client.request("textDocument/hover", position_params("file:///nowhere/x.flow", 0, 0))
                  ->number("/error/code") == -32602);
        CHECK(client.request("workspace/frobnicate", "{}")->number("/error/code") == -32601);
        // A string id comes back as it was sent.
        client.send_raw(Client::frame(R"({"jsonrpc":"2.0","id":"seven","method":"shutdown"})"));
        auto shutdown = client.next();
        CHECK(shutdown->text("/id") == "seven");
        CHECK(client.request("textDocument/hover", "{}")->number("/error/code") == -32600);
        client.close_input();  // the input ends without `exit`
        server.join();
    }
    ::close(in[0]);
    ::close(out[1]);
    CHECK(status == 0);  // after shutdown
}

namespace {

// A flow part written: tests, business hours, a `one of` field, and a step without `else`.
const char* const writing_flow = R"(flow "Writing" version 1

fields {
  text: text
  channel: one of twitter, facebook, email
  sentiment: number
}

words legal = "lawyer", "sue"

let angry = sentiment < -0.5

hours desk "Desk" {
  zone "Europe/London"
  mon-fri 09:00-18:00
}

start screen

step screen "Legal?" {
  if text has any legal -> legal_threat
  if channel is twitter -> complaint
  if channel in [twitter, email] and angry -> complaint
}

outcome legal_threat "Legal threat" {
  escalate to "legal" within 1h
  priority urgent
}

outcome complaint "Complaint" { respond privately within 4h }

test "a lawyer" {
  given { text: "my lawyer", channel: email }
  expect legal_threat
}

test "a wrong guess" {
  given { text: "hello", channel: twitter }
  expect legal_threat
}
)";

// The labels of a completion list.
std::set<std::string> labels(const Reply& reply) {
    std::set<std::string> out;
    for (std::size_t i = 0; i < reply.size("/result/items"); ++i)
        out.insert(reply.text("/result/items/" + std::to_string(i) + "/label"));
    return out;
}

bool holds(const std::set<std::string>& set, std::initializer_list<std::string_view> wanted) {
    return std::all_of(wanted.begin(), wanted.end(), [&](std::string_view w) { return set.count(std::string(w)) == 1; });
}

}  // namespace

TEST_CASE("lsp: a session that writes a flow: completion at ten cursor positions, tokens, folds, test lenses, else fixes") {
    test::TempDir dir;
    const std::string uri = uri_of(dir.path / "writing.flow");
    ServerProcess server({});
    Client& client = server.client();
    auto init = client.request("initialize", initialize_params());
    CHECK(init->text("/result/capabilities/semanticTokensProvider/legend/tokenTypes/0") == "keyword");
    CHECK(init->has("/result/capabilities/completionProvider"));
    CHECK(init->has("/result/capabilities/codeLensProvider"));
    client.notify("initialized", "{}");
    const std::string text = writing_flow;
    const std::string noted = text + "# a note\n";
    client.notify("textDocument/didOpen", open_params(uri, text));
    auto published = client.notification("textDocument/publishDiagnostics");
    REQUIRE(published->size("/params/diagnostics") == 1);
    CHECK(published->text("/params/diagnostics/0/code") == "T032");  // the step without else

    // Completion where `needle` starts, `plus` characters into it.
    auto complete = [&](std::string_view needle, int plus = 0) {
        auto [line, column] = utf16_position(text, needle);
        auto reply = client.request("textDocument/completion", position_params(uri, line, column + plus));
        INFO(needle);
        return labels(*reply);
    };
    // 1. A branch's target: steps and outcomes, no other kind.
    auto targets = complete("legal_threat\n");
    CHECK(holds(targets, {"legal_threat", "complaint", "screen"}));
    CHECK(targets.count("legal") == 0);
    CHECK(targets.count("text") == 0);
    // 2. After `has any`: word lists only.
    CHECK(complete("legal -> legal_threat") == std::set<std::string>{"legal"});
    // 3. After `is`, and 4. inside `in [...]`: the values of a `one of` field.
    CHECK(complete("twitter -> complaint") == std::set<std::string>{"twitter", "facebook", "email"});
    CHECK(complete("email] and") == std::set<std::string>{"twitter", "facebook", "email"});
    // 5. The start of a line in a step, 6. at the top level, 7. in an outcome.
    CHECK(complete("if channel is") == std::set<std::string>{"if", "else"});
    auto top = complete("outcome complaint");
    CHECK(holds(top, {"flow", "fields", "words", "let", "start", "step", "outcome", "test", "hours", "crisis"}));
    CHECK(top.count("if") == 0);
    auto actions = complete("priority urgent");
    CHECK(holds(actions, {"respond", "escalate", "tag", "priority", "note"}));
    // 8. Durations after `within`, 9. priorities, 10. the operands of a condition.
    auto durations = complete("1h\n");
    CHECK(holds(durations, {"30m", "1h", "1d", "hours"}));
    CHECK(complete("urgent") == std::set<std::string>{"low", "normal", "high", "urgent"});
    auto operands = complete("text has any legal");
    CHECK(holds(operands, {"text", "channel", "sentiment", "angry", "not"}));
    CHECK(operands.count("legal_threat") == 0);
    // 11. What a test expects: outcomes, not steps. 12. What is typed filters: `co` in a target.
    auto expected = complete("legal_threat\n}");
    CHECK(holds(expected, {"legal_threat", "complaint", "no outcome"}));
    CHECK(expected.count("screen") == 0);
    CHECK(complete("complaint\n  if channel in", 2) == std::set<std::string>{"complaint"});
    // 13. Time zones inside the quotes after `zone`, with the edit's range starting after the quote.
    auto [zone_line, zone_column] = utf16_position(text, "Europe/London");
    auto zones = client.request("textDocument/completion", position_params(uri, zone_line, zone_column + 3));
    auto zone_labels = labels(*zones);
    REQUIRE(!zone_labels.empty());
    for (const std::string& zone : zone_labels) CHECK(zone.rfind("Eur", 0) == 0);
    CHECK(zone_labels.count("Europe/London") == 1);
    CHECK(zones->number("/result/items/0/textEdit/range/start/character") == zone_column);
    // In a comment, nothing.
    client.notify("textDocument/didChange", R"({"textDocument":{"uri":")" + uri +
                                                R"(","version":2},"contentChanges":[{"text":)" +
                                                json_string(noted) + "}]}");
    CHECK(client.notification("textDocument/publishDiagnostics")->number("/params/version") == 2);
    const int last_line = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    CHECK(client.request("textDocument/completion", position_params(uri, last_line, 4))->size("/result/items") == 0);

    // Semantic tokens: decode them and look up a few.
    auto tokens = client.request("textDocument/semanticTokens/full", R"({"textDocument":{"uri":")" + uri + R"("}})");
    std::vector<std::string> types;
    for (std::size_t i = 0; i < init->size("/result/capabilities/semanticTokensProvider/legend/tokenTypes"); ++i)
        types.push_back(init->text("/result/capabilities/semanticTokensProvider/legend/tokenTypes/" + std::to_string(i)));
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, std::int64_t>> decoded;
    const std::size_t count = tokens->size("/result/data");
    REQUIRE(count % 5 == 0);
    std::int64_t line = 0, column = 0;
    for (std::size_t i = 0; i < count; i += 5) {
        auto at = [&](std::size_t k) { return tokens->number("/result/data/" + std::to_string(i + k)); };
        column = at(0) == 0 ? column + at(1) : at(1);
        line += at(0);
        decoded[{line, column}] = {types.at(static_cast<std::size_t>(at(3))), at(4)};
    }
    auto token_at = [&](std::string_view needle) {
        auto [l, c] = utf16_position(noted, needle);
        auto it = decoded.find({l, c});
        return it == decoded.end() ? std::pair<std::string, std::int64_t>{"none", 0} : it->second;
    };
    CHECK(token_at("step screen") == std::pair<std::string, std::int64_t>{"keyword", 0});
    CHECK(token_at("screen \"Legal") == std::pair<std::string, std::int64_t>{"function", 1});  // declared
    CHECK(token_at("legal_threat\n") == std::pair<std::string, std::int64_t>{"event", 0});     // used
    CHECK(token_at("channel is").first == "property");
    CHECK(token_at("# a note").first == "comment");
    CHECK(token_at("\"Europe/London\"").first == "string");
    CHECK(token_at("0.5").first == "number");

    // Folding: each multi-line block, to the line before its `}`.
    auto folds = client.request("textDocument/foldingRange", R"({"textDocument":{"uri":")" + uri + R"("}})");
    std::set<std::pair<std::int64_t, std::int64_t>> ranges;
    for (std::size_t i = 0; i < folds->size("/result"); ++i)
        ranges.insert({folds->number("/result/" + std::to_string(i) + "/startLine"),
                       folds->number("/result/" + std::to_string(i) + "/endLine")});
    const int step_line = utf16_position(text, "step screen").first;
    CHECK(ranges.count({step_line, step_line + 3}) == 1);
    CHECK(ranges.count({utf16_position(text, "fields {").first, utf16_position(text, "fields {").first + 3}) == 1);
    CHECK(ranges.size() == 6);  // fields, hours, step, an outcome, two tests (the one-line outcome and givens do not fold)

    // Code lenses over the tests: one passes, one fails with its problem; triage/runTests says the same.
    auto lenses = client.request("textDocument/codeLens", R"({"textDocument":{"uri":")" + uri + R"("}})");
    REQUIRE(lenses->size("/result") == 2);
    CHECK(lenses->text("/result/0/command/title") == "✓ passes");
    CHECK(lenses->text("/result/1/command/title").rfind("✗ fails", 0) == 0);
    CHECK(lenses->number("/result/1/range/start/line") == utf16_position(text, "\"a wrong guess\"").first);
    auto run = client.request("triage/runTests", R"({"textDocument":{"uri":")" + uri + R"("}})");
    CHECK(run->number("/result/passed") == 1);
    CHECK(run->number("/result/failed") == 1);
    CHECK(run->text("/result/tests/1/name") == "a wrong guess");
    CHECK(run->size("/result/tests/1/problems") >= 1);

    // The step without `else`: one fix per outcome, each adding the line before the `}`.
    auto [screen_line, screen_column] = utf16_position(text, "screen \"Legal");
    auto fixes = client.request("textDocument/codeAction",
                                R"({"textDocument":{"uri":")" + uri + R"("},"range":{"start":{"line":)" +
                                    std::to_string(screen_line) + R"(,"character":)" + std::to_string(screen_column) +
                                    R"(},"end":{"line":)" + std::to_string(screen_line) + R"(,"character":)" +
                                    std::to_string(screen_column) + R"(}},"context":{"diagnostics":[]}})");
    REQUIRE(fixes->size("/result") == 2);
    CHECK(fixes->text("/result/0/title") == "add 'else -> legal_threat'");
    const std::string else_edit = "/result/1/edit/changes/" + pointer_token(uri) + "/0";
    CHECK(fixes->text(else_edit + "/newText") == "  else -> complaint\n");
    CHECK(fixes->number(else_edit + "/range/start/line") == step_line + 4);
    CHECK(fixes->number(else_edit + "/range/start/character") == 0);

    CHECK(client.request("shutdown", "null")->at("/result").is_null());
    client.notify("exit", "null");
    CHECK(server.wait() == 0);
}

TEST_CASE("lsp: a mistake in an included file stands at the include, pointing into the file") {
    test::TempDir dir;
    test::write_file(dir.path / "part.flow", "let loud = volume > 3\n");
    const std::string uri = uri_of(dir.path / "main.flow");
    const std::string part_uri = uri_of(dir.path / "part.flow");
    const std::string text = "flow \"Inc\" version 1\nfields { text: text }\n\n  include \"part.flow\"\n"
                             "start done\noutcome done \"Done\" { respond publicly }\n";
    ServerProcess server({});
    Client& client = server.client();
    begin_session(client);
    client.notify("textDocument/didOpen", open_params(uri, text));
    auto published = client.notification("textDocument/publishDiagnostics");
    const auto [include_line, include_column] = utf16_position(text, "\"part.flow\"");
    bool found = false;
    for (std::size_t i = 0; i < published->size("/params/diagnostics"); ++i) {
        const std::string at = "/params/diagnostics/" + std::to_string(i);
        if (published->text(at + "/code") != "T011") continue;
        found = true;
        CHECK(published->text(at + "/message").find("volume") != std::string::npos);
        CHECK(published->number(at + "/range/start/line") == include_line);
        CHECK(published->number(at + "/range/start/character") == include_column);
        CHECK(published->number(at + "/range/end/character") == include_column + 11);
        REQUIRE(published->size(at + "/relatedInformation") >= 1);
        CHECK(published->text(at + "/relatedInformation/0/location/uri") == part_uri);
        CHECK(published->number(at + "/relatedInformation/0/location/range/start/line") == 0);
        CHECK(published->number(at + "/relatedInformation/0/location/range/start/character") == 11);
    }
    CHECK(found);
    CHECK(client.request("shutdown", "null")->at("/result").is_null());
    client.notify("exit", "null");
    CHECK(server.wait() == 0);
}

namespace {

// `steps` steps, each with a branch narrower than the one before it (`negative and retweets > N`
// after `negative`): only the solver sees that no mention takes it (T033), and that `escalate` is
// unreachable (T031). `padding` comment lines on top move everything down.
std::string broader_first_flow(int steps, int padding) {
    std::string text;
    for (int i = 0; i < padding; ++i) text += "# padding\n";
    text += "flow \"Broad\" version 1\nfields {\n  negative: bool\n  retweets: number\n}\nstart s0\n";
    for (int i = 0; i < steps; ++i) {
        const std::string next = i + 1 < steps ? "s" + std::to_string(i + 1) : "fine";
        text += "step s" + std::to_string(i) + " \"Negative " + std::to_string(i) + "?\" {\n  if negative -> " + next +
                "\n  if negative and retweets > " + std::to_string(i) + " -> escalate\n  else -> " + next + "\n}\n";
    }
    return text + "outcome fine \"Fine\" { monitor }\noutcome escalate \"Escalate\" { escalate to \"press office\" }\n";
}

std::string change_params(const std::string& uri, int version, std::string_view text) {
    return R"({"textDocument":{"uri":")" + uri + R"(","version":)" + std::to_string(version) +
           R"(},"contentChanges":[{"text":)" + json_string(text) + "}]}";
}

// The codes of a publishDiagnostics, and for each T033 whether the line it stands on in `text`
// holds the narrower branch (false when one stands elsewhere).
std::multiset<std::string> codes_of(const Reply& published) {
    std::multiset<std::string> codes;
    for (std::size_t i = 0; i < published.size("/params/diagnostics"); ++i)
        codes.insert(published.text("/params/diagnostics/" + std::to_string(i) + "/code"));
    return codes;
}

bool t033_on_narrower_branches(const Reply& published, std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t at = 0; at <= text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        lines.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    for (std::size_t i = 0; i < published.size("/params/diagnostics"); ++i) {
        const std::string at = "/params/diagnostics/" + std::to_string(i);
        if (published.text(at + "/code") != "T033") continue;
        const auto line = static_cast<std::size_t>(published.number(at + "/range/start/line"));
        if (line >= lines.size() || lines[line].find("if negative and") == std::string_view::npos) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("lsp: the solver's warnings come after the plain diagnostics, for the version they were found in") {
    const std::string uri = "file:///nowhere/broad.flow";
    const std::string text = broader_first_flow(1, 0);
    ServerProcess server({});
    Client& client = server.client();
    begin_session(client);
    client.notify("textDocument/didOpen", open_params(uri, text));
    auto plain = client.notification("textDocument/publishDiagnostics");
    CHECK(plain->number("/params/version") == 1);
    CHECK(codes_of(*plain).count("T033") == 0);  // the solver's are not waited for
    if (semantic_checks_built()) {
        auto solved = client.notification("textDocument/publishDiagnostics");
        CHECK(solved->number("/params/version") == 1);
        const std::multiset<std::string> codes = codes_of(*solved);
        CHECK(codes.count("T033") == 1);
        CHECK(codes.count("T031") == 1);  // escalate: only the shadowed branch led there
        CHECK(codes.size() == codes_of(*plain).size() + 2);  // the plain ones stay
        CHECK(t033_on_narrower_branches(*solved, text));
        const auto [line, column] = utf16_position(text, "if negative and");
        for (std::size_t i = 0; i < solved->size("/params/diagnostics"); ++i) {
            const std::string at = "/params/diagnostics/" + std::to_string(i);
            if (solved->text(at + "/code") != "T033") continue;
            CHECK(solved->number(at + "/range/start/line") == line);
            CHECK(solved->number(at + "/range/start/character") == column);
            CHECK(solved->number(at + "/severity") == 2);
        }
    }
    // The branches in the right order: nothing for the solver to add, so nothing more is published.
    std::string fixed = text;
    const std::size_t broad = fixed.find("  if negative -> fine\n");
    REQUIRE(broad != std::string::npos);
    fixed.erase(broad, 22);
    fixed.insert(fixed.find("  else -> fine"), "  if negative -> fine\n");
    client.notify("textDocument/didChange", change_params(uri, 2, fixed));
    auto clean = client.notification("textDocument/publishDiagnostics");
    CHECK(clean->number("/params/version") == 2);
    CHECK(codes_of(*clean).count("T033") == 0);
    // A request after the fixed text is answered; a stray publication would be kept before it.
    client.notify("textDocument/didChange", change_params(uri, 3, text));
    CHECK(client.notification("textDocument/publishDiagnostics")->number("/params/version") == 3);
    if (semantic_checks_built()) {
        auto again = client.notification("textDocument/publishDiagnostics");
        CHECK(again->number("/params/version") == 3);
        CHECK(codes_of(*again).count("T033") == 1);
    }
    CHECK(client.request("textDocument/documentSymbol", R"({"textDocument":{"uri":")" + uri + R"("}})")->has("/result"));
    CHECK(client.kept("textDocument/publishDiagnostics") == 0);
    CHECK(client.request("shutdown", "null")->at("/result").is_null());
    client.notify("exit", "null");
    CHECK(server.wait() == 0);
}

TEST_CASE("lsp: a change while the solver works never brings its warnings for the old text") {
    const std::string uri = "file:///nowhere/long.flow";
    // Long enough that the solver is still at it when the changes arrive (whether it is or not,
    // no publication may show an old text's warnings as the new one's).
    std::map<std::int64_t, std::string> texts;
    for (int version = 1; version <= 4; ++version) texts[version] = broader_first_flow(150, 3 * (version - 1));
    ServerProcess server({});
    Client& client = server.client();
    begin_session(client);
    client.notify("textDocument/didOpen", open_params(uri, texts[1]));
    CHECK(client.notification("textDocument/publishDiagnostics")->number("/params/version") == 1);
    for (int version = 2; version <= 4; ++version) {
        client.notify("textDocument/didChange", change_params(uri, version, texts[version]));
        // One at a time, so that each is compiled and published (not merged with the next).
        CHECK(client.request("textDocument/documentSymbol", R"({"textDocument":{"uri":")" + uri + R"("}})")->has("/result"));
    }
    // Every publication is for a text that was current when it was sent, with that text's places,
    // and none for an older text comes after a newer one's; the last text's warnings come.
    std::int64_t newest = 1;
    bool last_solved = !semantic_checks_built();
    for (int publications = 0; publications < 20 && (newest < 4 || !last_solved); ++publications) {
        auto published = client.notification("textDocument/publishDiagnostics");
        const std::int64_t version = published->number("/params/version");
        INFO("version ", version, " after ", newest);
        REQUIRE(texts.count(version) == 1);
        CHECK(version >= newest);
        newest = version;
        CHECK(t033_on_narrower_branches(*published, texts[version]));
        const std::size_t t033 = codes_of(*published).count("T033");
        CHECK((t033 == 0 || t033 == 150));  // the plain diagnostics, or all the solver's
        if (version == 4 && t033 == 150) last_solved = true;
    }
    CHECK(newest == 4);
    CHECK(last_solved);
    CHECK(client.request("shutdown", "null")->at("/result").is_null());
    client.notify("exit", "null");
    CHECK(server.wait() == 0);
}
