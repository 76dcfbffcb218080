// How long `triage lsp` takes to publish diagnostics after a one-character change to a 2,000-line
// flow (issue 18: under 50 ms, not counting a debounce; this server has no debounce timer: it
// publishes as soon as no message waits). A client over pipes, as an editor talks to it: open the
// flow, then change one digit and back, timing each change from its last byte written to the
// publishDiagnostics of its version read. The solver's checks run on the server's other thread
// meanwhile, as they do for an editor.
//
//   triage_lsp_latency build/triage [changes=40]
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

// 286 steps of seven lines (a step and its outcome): a keyword list, a comparison, a one-of test and an else each.
std::string long_flow(char digit) {
    std::string text = "flow \"Latency\" version 1\nfields {\n  text: text\n  followers: number\n  verified: bool\n"
                       "  sentiment: one of positive, neutral, negative\n}\n"
                       "words legal = \"lawyer\", \"sue\", \"legal action\"\nstart s0\n";
    for (int i = 0; i < 286; ++i) {
        const std::string next = i + 1 < 286 ? fmt::format("s{}", i + 1) : "done";
        text += fmt::format("step s{} \"Question {}?\" {{\n  if text has any legal -> o{}\n  if followers > {} and verified -> "
                            "o{}\n  if sentiment is negative -> {}\n  else -> {}\n}}\noutcome o{} \"Outcome {}\" {{ respond "
                            "publicly within 1h }}\n",
                            i, i, i, i == 0 ? std::string(1, digit) : std::to_string(i), i, next, next, i, i);
    }
    return text + "outcome done \"Done\" { monitor }\n";
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out + "\"";
}

class Server {
public:
    explicit Server(const char* triage) {
        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) std::exit(2);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        std::string program = triage, command = "lsp";
        char* argv[] = {program.data(), command.data(), nullptr};
        if (::posix_spawnp(&pid_, argv[0], &actions, nullptr, argv, environ) != 0) std::exit(2);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
    }
    // CPU time of the server, all its threads (the solver's too), in ms: on a busy machine, the
    // work done, where the wall time measures the wait.
    [[nodiscard]] double cpu_ms() const {
        std::ifstream stat(fmt::format("/proc/{}/stat", pid_));
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        std::istringstream fields(text.substr(text.rfind(')') + 2));  // after the command's name
        std::string field;
        double ticks = 0;
        for (int i = 3; i <= 15 && fields >> field; ++i)  // utime and stime are fields 14 and 15
            if (i >= 14) ticks += std::stod(field);
        return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    ~Server() {
        ::close(to_);
        ::close(from_);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }

    void send(std::string_view json) {
        std::string frame = fmt::format("Content-Length: {}\r\n\r\n{}", json.size(), json);
        for (std::string_view rest = frame; !rest.empty();) {
            const ssize_t n = ::write(to_, rest.data(), rest.size());
            if (n <= 0) std::exit(2);
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // Reads messages until a publishDiagnostics of `version` (or any response, for version -1).
    void wait_for(std::int64_t version) {
        for (;;) {
            std::string body = next();
            simdjson::dom::element root;
            if (parser_.parse(body).get(root) != simdjson::SUCCESS) std::exit(2);
            std::int64_t got = 0;
            if (version < 0 && root["id"].error() == simdjson::SUCCESS) return;
            if (root.at_pointer("/params/version").get(got) == simdjson::SUCCESS && got == version) return;
        }
    }

private:
    std::string next() {
        for (;;) {
            const std::size_t blank = buffer_.find("\r\n\r\n");
            if (blank != std::string::npos) {
                const std::size_t length = std::stoul(buffer_.substr(16, blank - 16));
                if (buffer_.size() >= blank + 4 + length) {
                    std::string body = buffer_.substr(blank + 4, length);
                    buffer_.erase(0, blank + 4 + length);
                    return body;
                }
            }
            pollfd ready{from_, POLLIN, 0};
            if (::poll(&ready, 1, 30'000) != 1) std::exit(3);
            char chunk[65536];
            const ssize_t n = ::read(from_, chunk, sizeof chunk);
            if (n <= 0) std::exit(3);
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    pid_t pid_ = -1;
    int to_ = -1, from_ = -1;
    std::string buffer_;
    simdjson::dom::parser parser_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr, "usage: {} TRIAGE [CHANGES]\n", argv[0]);
        return 2;
    }
    const int changes = argc > 2 ? std::max(1, std::atoi(argv[2])) : 40;
    const std::string uri = "file:///nowhere/latency.flow";
    const std::string texts[2] = {long_flow('0'), long_flow('1')};
    Server server(argv[1]);
    server.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}})");
    server.wait_for(-1);
    server.send(R"({"jsonrpc":"2.0","method":"initialized","params":{}})");
    server.send(R"({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":")" + uri +
                R"(","languageId":"triage","version":1,"text":)" + json_string(texts[0]) + "}}}");
    server.wait_for(1);
    std::vector<double> ms;
    const double cpu_before = server.cpu_ms();
    for (int version = 2; version < changes + 2; ++version) {
        const std::string change = R"({"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":")" +
                                   uri + R"(","version":)" + std::to_string(version) + R"(},"contentChanges":[{"text":)" +
                                   json_string(texts[version % 2]) + "}]}}";
        const auto start = std::chrono::steady_clock::now();
        server.send(change);
        server.wait_for(version);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    const double cpu_per_change = (server.cpu_ms() - cpu_before) / static_cast<double>(changes);
    std::sort(ms.begin(), ms.end());
    const auto lines = std::count(texts[0].begin(), texts[0].end(), '\n');
    fmt::print("{} lines, {} one-character changes: diagnostics after median {:.1f} ms, 90th percentile {:.1f} ms, "
               "max {:.1f} ms; the server used {:.1f} ms of CPU per change\n",
               lines, ms.size(), ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.back(), cpu_per_change);
    return 0;
}
