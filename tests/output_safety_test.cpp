// Nothing the tool writes may destroy what it reads or what it wrote before: outputs that are
// inputs are refused, files are replaced only once complete, a failed write stops the run with its
// reason and saves no state past the last decision written; Graphviz runs without a shell.
#include "support.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

namespace {

using triage::test::CliRun;
using triage::test::CommandOptions;
using triage::test::read_file;
using triage::test::run_triage;
using triage::test::quoted;
using triage::test::TempDir;
using triage::test::triage_cli;
using triage::test::write_file;


std::string example(const std::string& name) { return (triage::test::source_dir() / "examples" / name).string(); }

// The names in `dir`, sorted: what a failed write must not leave behind.
std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A directory with a copy of customer_care.flow (and its word list) and the bundled mentions.
struct Workspace {
    TempDir dir;
    std::string flow = dir.file("care.flow");
    std::string mentions = dir.file("mentions.jsonl");
    std::string original_mentions = read_file(example("mentions.jsonl"));
    Workspace() {
        write_file(flow, read_file(example("customer_care.flow")));
        write_file(dir.file("customer_care.legal.txt"), read_file(example("customer_care.legal.txt")));
        write_file(mentions, original_mentions);
    }
    CliRun triage(const std::string& arguments) const {
        // Standard error joins the captured output before the arguments' own redirections.
        return run_triage("2>&1 " + arguments, CommandOptions().in(dir.path));
    }
};

// Mentions every 30 s, for a flow with a clock: a stream whose state a run saves.
std::string stream(int count) {
    std::string text;
    for (int i = 0; i < count; ++i)
        text += fmt::format(R"({{"id":{},"text":"the app is down","posted_at":"2026-11-20T{:02}:{:02}:{:02}Z"}})" "\n", i,
                            i * 30 / 3600, i * 30 / 60 % 60, i * 30 % 60);
    return text;
}

}  // namespace

TEST_CASE("run: an output that names an input is refused before anything is written") {
    Workspace w;
    std::filesystem::create_symlink("mentions.jsonl", w.dir.path / "link.jsonl");
    const std::string flow_text = read_file(w.flow);
    struct Case {
        std::string arguments;
        std::string message;
    };
    const Case cases[] = {
        {"run care.flow mentions.jsonl -o mentions.jsonl", "-o 'mentions.jsonl' is the same file as the mentions 'mentions.jsonl'"},
        {"run care.flow mentions.jsonl -o link.jsonl", "-o 'link.jsonl' is the same file as the mentions 'mentions.jsonl'"},
        {"run care.flow mentions.jsonl -o ./care.flow", "-o './care.flow' is the same file as the flow 'care.flow'"},
        {"run care.flow mentions.jsonl -o out.jsonl --traffic mentions.jsonl", "--traffic 'mentions.jsonl' is the same file as the mentions"},
        {"run care.flow mentions.jsonl -o out.jsonl --traffic ./out.jsonl", "-o 'out.jsonl' and --traffic './out.jsonl' are the same file"},
        {"run care.flow mentions.jsonl >> mentions.jsonl", "(standard output) is the same file as the mentions"},
        {"run care.flow - -o mentions.jsonl < mentions.jsonl", "-o 'mentions.jsonl' is the same file as the mentions (standard input)"},
        {"report care.flow -m mentions.jsonl -o link.jsonl", "-o 'link.jsonl' is the same file as the mentions"},
        {"graph care.flow -o care.flow", "-o 'care.flow' is the same file as the flow"},
        {"test care.flow --junit care.flow", "--junit 'care.flow' is the same file as the flow"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.arguments);
        CliRun run = w.triage(c.arguments);
        CHECK(run.status == 2);
        CHECK(run.output.find(c.message) != std::string::npos);
        const bool explained = run.output.find("writing it would destroy what is read") != std::string::npos ||
                               run.output.find("are the same file") != std::string::npos;
        CHECK(explained);
        CHECK(read_file(w.mentions) == w.original_mentions);
        CHECK(read_file(w.flow) == flow_text);
    }
    CHECK_FALSE(std::filesystem::exists(w.dir.path / "out.jsonl"));
    // /dev/null is no file to destroy: it may be both.
    CHECK(w.triage("run care.flow /dev/null -o /dev/null").status == 0);
}

TEST_CASE("run: --state that names the mentions or the flow is refused, the state is saved only after the decisions") {
    TempDir dir;
    const std::string flow = quoted((triage::test::source_dir() / "tests" / "fixtures" / "run" / "outage.flow").string());
    write_file(dir.path / "m.jsonl", stream(200));
    const std::string original = read_file(dir.path / "m.jsonl");
    CliRun same = run_triage("run " + flow + " " + quoted(dir.file("m.jsonl")) + " --state " + quoted(dir.file("m.jsonl")) + " 2>&1");
    CHECK(same.status == 2);
    CHECK(same.output.find("--state '") != std::string::npos);
    CHECK(read_file(dir.path / "m.jsonl") == original);

    // A link planted where a temporary file used to be written is never followed.
    write_file(dir.path / "victim", "keep me\n");
    std::filesystem::create_symlink(dir.path / "victim", dir.path / "state.json.tmp");
    const std::string state = quoted(dir.file("state.json"));
    CliRun saved = run_triage("run " + flow + " " + quoted(dir.file("m.jsonl")) + " --now 2026-11-20T02:00:00Z --state " +
                              state + " -o " + quoted(dir.file("out.jsonl")) + " 2>&1");
    CHECK(saved.status == 0);
    CHECK(read_file(dir.path / "victim") == "keep me\n");
    const std::string first_state = read_file(dir.path / "state.json");
    CHECK(first_state.find("\"mentions\":200") != std::string::npos);

    // Decisions to a full device: exit 1 with the reason, and the state stays as it was, so a
    // rerun counts no mention twice.
    CliRun full = run_triage("run " + flow + " " + quoted(dir.file("m.jsonl")) + " --now 2026-11-20T02:00:00Z --state " +
                             state + " -o /dev/full 2>&1");
    CHECK(full.status == 1);
    CHECK(full.output.find("writing '/dev/full' failed: No space left on device") != std::string::npos);
    CHECK(full.output.find("--state " + dir.file("state.json") + " was not saved") != std::string::npos);
    CHECK(read_file(dir.path / "state.json") == first_state);
}

TEST_CASE("run: a write that fails stops the run with its reason and leaves the previous file whole") {
    Workspace w;
    write_file(w.dir.path / "out.jsonl", "the previous decisions\n");
    ::chmod(w.dir.file("out.jsonl").c_str(), 0640);
    const std::vector<std::string> before = names_in(w.dir.path);
    // 300 decisions are about 160 KB; the file-size limit allows at most 16 KiB.
    for (const char* jobs : {"-j 1", "-j 2"}) {
        CAPTURE(jobs);
        CliRun limited = run_triage("run care.flow mentions.jsonl -o out.jsonl " + std::string(jobs) + " 2>&1",
                                     CommandOptions().in(w.dir.path).writing_at_most(16 * 1024));
        INFO(limited.output);
        CHECK(limited.status == 1);
        CHECK(limited.output.find("writing 'out.jsonl' failed: File too large; the file was left as it was") !=
              std::string::npos);
        CHECK(limited.output.find("300 mentions") == std::string::npos);  // no summary claiming them
        CHECK(read_file(w.dir.path / "out.jsonl") == "the previous decisions\n");
        CHECK(names_in(w.dir.path) == before);  // no temporary file left
    }

    // Without the limit the same run replaces the file and keeps its mode.
    CliRun ok = w.triage("run care.flow mentions.jsonl -o out.jsonl");
    CHECK(ok.status == 0);
    CHECK(read_file(w.dir.path / "out.jsonl").size() > 100'000);
    struct stat s {};
    REQUIRE(::stat(w.dir.file("out.jsonl").c_str(), &s) == 0);
    CHECK((s.st_mode & 0777) == 0640);
    CHECK(names_in(w.dir.path) == before);
}

TEST_CASE("fmt --write on a full disk leaves the flow intact") {
    TempDir dir;
    // customer_care.flow with its indentation doubled: fmt rewrites the whole 7 KB file.
    std::string text = read_file(example("customer_care.flow"));
    std::string untidy;
    for (char c : text) {
        untidy += c;
        if (c == '\n') untidy += "  ";
    }
    write_file(dir.path / "care.flow", untidy);
    write_file(dir.path / "customer_care.legal.txt", read_file(example("customer_care.legal.txt")));
    CliRun limited = run_triage("fmt --write care.flow 2>&1", CommandOptions().in(dir.path).writing_at_most(4 * 1024));
    INFO(limited.output);
    CHECK(limited.status == 1);
    CHECK(limited.output.find("writing 'care.flow' failed: File too large") != std::string::npos);
    CHECK(read_file(dir.path / "care.flow") == untidy);
    CHECK(names_in(dir.path) == std::vector<std::string>{"care.flow", "customer_care.legal.txt"});
    CliRun fixed = run_triage("fmt --write care.flow 2>&1", CommandOptions().in(dir.path));
    CHECK(fixed.status == 0);
    CHECK(read_file(dir.path / "care.flow") == text);
}

TEST_CASE("graph: the output path reaches no shell") {
    Workspace w;
    const std::string hostile = "x'; touch pwned; echo '";
    CliRun run = w.triage("graph care.flow --format svg -o \"" + hostile + "\"");
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK_FALSE(std::filesystem::exists(w.dir.path / "pwned"));
    CHECK(read_file(w.dir.path / hostile).find("<svg") != std::string::npos);
}

TEST_CASE("graph: a missing dot, a failing dot and a dot past --limit render-time are clear errors") {
    Workspace w;
    CliRun missing = run_triage("graph care.flow --format png -o g.png 2>&1",
                                CommandOptions().in(w.dir.path).with("PATH=/nonexistent"));
    CHECK(missing.status == 1);
    CHECK(missing.output.find("--format png needs Graphviz's 'dot' program") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(w.dir.path / "g.png"));

    // A dot that fails: its exit status and the first line it printed.
    std::filesystem::create_directory(w.dir.path / "bin");
    write_file(w.dir.path / "bin" / "dot", "#!/bin/sh\necho 'Error: <stdin>: syntax error in line 1' >&2\necho more >&2\nexit 3\n");
    std::filesystem::permissions(w.dir.path / "bin" / "dot", std::filesystem::perms::owner_all);
    CliRun failing = run_triage("graph care.flow --format svg -o g.svg 2>&1",
                                CommandOptions().in(w.dir.path).with("PATH=" + w.dir.file("bin")));
    CHECK(failing.status == 1);
    CHECK(failing.output == "triage: Graphviz's dot failed (exit status 3): Error: <stdin>: syntax error in line 1\n");
    CHECK_FALSE(std::filesystem::exists(w.dir.path / "g.svg"));

    // A 3,000-step flow takes dot minutes to lay out; the limit stops it.
    std::string big = "flow \"big\" version 1\nfields {\n  n: number\n}\nstart s0\n";
    for (int i = 0; i < 3000; ++i)
        big += fmt::format("step s{} \"Step {}?\" {{\n  if n > {} -> {}\n  if n < {} -> {}\n  else -> o{}\n}}\n", i, i, i,
                           i + 1 < 3000 ? fmt::format("s{}", i + 1) : "done", i,
                           i + 7 < 3000 ? fmt::format("s{}", i + 7) : "done", i % 50);
    for (int k = 0; k < 50; ++k) big += fmt::format("outcome o{} \"Outcome {}\" {{ monitor }}\n", k, k);
    big += "outcome done \"Done\" { monitor }\n";
    write_file(w.dir.path / "big.flow", big);
    CliRun slow = w.triage("graph big.flow --format svg -o big.svg --limit render-time=1");
    CHECK(slow.status == 1);
    CHECK(slow.output.find("Graphviz's dot did not finish within 1 s and was stopped") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(w.dir.path / "big.svg"));

    CHECK(w.triage("graph care.flow --limit render-time=0").output.find("render-time takes a positive whole number") !=
          std::string::npos);
}

TEST_CASE("run, report, diff: a directory or an endless device is an error, not 0 mentions") {
    Workspace w;
    for (const std::string& input : {std::string("."), std::string("/dev/zero")}) {
        CAPTURE(input);
        const std::string why = input == "." ? "it is a directory" : "it is a device, not a file";
        for (const std::string& command : {"run care.flow " + input + " -o out.jsonl",
                                           "report care.flow -m " + input + " --format json",
                                           "diff care.flow care.flow -m " + input + " --fail-on-change"}) {
            CAPTURE(command);
            CliRun run = w.triage(command);
            CHECK(run.status == 1);
            CHECK(run.output.find("cannot read '" + input + "': " + why) != std::string::npos);
        }
    }
    CliRun state = run_triage("run " + quoted((triage::test::source_dir() / "tests" / "fixtures" / "run" / "outage.flow").string()) +
                              " /dev/null --state /dev/zero 2>&1");
    CHECK(state.status == 1);
    CHECK(state.output.find("--state /dev/zero: cannot be read: it is a device, not a file") != std::string::npos);
    CHECK(w.triage("report care.flow -m /dev/null --format json").output.find(R"("mentions":0,"errors":0)") != std::string::npos);
}

TEST_CASE("run: -j is at most 256") {
    Workspace w;
    CliRun run = w.triage("run care.flow mentions.jsonl -j 200000 -o out.jsonl");
    CHECK(run.status == 2);
    CHECK(run.output.find("--jobs: Value 200000 not in range 0 to 256") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(w.dir.path / "out.jsonl"));
}
