// Files a flow names (includes, word list files): confined to the flow's directory tree and the
// allowed roots, refused before they are read, and bounded in total (issue "nothing lost").
#include "support.hpp"

#include <fmt/format.h>

#include <atomic>
#include <thread>

using namespace triage;
using triage::test::TempDir;
using triage::test::write_file;

namespace {

std::string flow_with(std::string_view declarations) {
    return fmt::format("flow \"t\" version 1\nfields {{\n  text: text\n}}\n{}\nstart s\nstep s \"q\" {{\n"
                       "  if text has any w -> a\n  else -> a\n}}\noutcome a \"A\" {{ monitor }}\n",
                       declarations);
}

// The messages of the errors, with the file each is in (relative to `dir`).
std::vector<std::string> errors(const CompileResult& result) {
    std::vector<std::string> out;
    for (const Diagnostic& d : result.diagnostics)
        if (d.severity == Severity::error) out.push_back(fmt::format("{} {}", code_name(d.code), d.message));
    return out;
}

}  // namespace

TEST_CASE("includes and word files inside the flow's directory tree are read, '..' within it too") {
    TempDir dir;
    std::filesystem::create_directories(dir.path / "flows/shared");
    write_file(dir.path / "flows/shared/words.flow", "include \"../common.flow\"\n");  // back up, still inside
    write_file(dir.path / "flows/common.flow", "words w = file \"shared/../phrases.txt\"\n");
    write_file(dir.path / "flows/phrases.txt", "refund\n");
    write_file(dir.path / "flows/main.flow", flow_with("include \"shared/words.flow\""));
    CompileResult result = compile_file(dir.path / "flows/main.flow");
    INFO(triage::test::all_text(result));
    CHECK(result.ok());
}

TEST_CASE("an include or word file outside the flow's tree is T018 and is never read") {
    TempDir dir;
    std::filesystem::create_directories(dir.path / "flows");
    write_file(dir.path / "secret.txt", "s3cr3t\n");
    write_file(dir.path / "flows/main.flow", flow_with("include \"../secret.txt\"\nwords w = file \"/etc/passwd\""));
    std::vector<std::filesystem::path> asked;
    CompileOptions options;
    options.read_file = [&](const std::filesystem::path& path, std::uint64_t max) {
        asked.push_back(path);
        return read_file_from_disk(path, max);
    };
    CompileResult result = compile_file(dir.path / "flows/main.flow", options);
    const std::string root = std::filesystem::canonical(dir.path / "flows").generic_string();
    CHECK(errors(result) == std::vector<std::string>{
        fmt::format("T018 cannot read included file '{}/flows/../secret.txt': it is outside the flow's directory '{}'",
                    dir.path.generic_string(), root),
        fmt::format("T018 cannot read word list file '/etc/passwd': it is outside the flow's directory '{}'", root)});
    CHECK(asked == std::vector<std::filesystem::path>{dir.path / "flows/main.flow"});  // only the flow itself
    CHECK(triage::test::all_text(result).find("s3cr3t") == std::string::npos);
    CHECK(triage::test::all_text(result).find("root:") == std::string::npos);

    // An allowed root opens it.
    options.include_roots = {dir.path};
    write_file(dir.path / "flows/main.flow", flow_with("words w = file \"../secret.txt\""));
    CHECK(compile_file(dir.path / "flows/main.flow", options).ok());
}

TEST_CASE("a symbolic link inside the tree that points out of it is refused") {
    TempDir dir;
    std::filesystem::create_directories(dir.path / "flows");
    write_file(dir.path / "outside.txt", "refund\n");
    std::filesystem::create_symlink(dir.path / "outside.txt", dir.path / "flows/phrases.txt");
    write_file(dir.path / "flows/main.flow", flow_with("words w = file \"phrases.txt\""));
    CompileResult result = compile_file(dir.path / "flows/main.flow");
    REQUIRE(errors(result).size() == 1);
    CHECK(errors(result)[0].starts_with("T018 cannot read word list file"));
    CHECK(errors(result)[0].find("it is outside the flow's directory") != std::string::npos);
    // A link that stays inside is followed.
    write_file(dir.path / "flows/real.txt", "refund\n");
    std::filesystem::remove(dir.path / "flows/phrases.txt");
    std::filesystem::create_symlink("real.txt", dir.path / "flows/phrases.txt");
    CHECK(compile_file(dir.path / "flows/main.flow").ok());
}

TEST_CASE("a link swapped between the check and the open cannot lead the read out of the tree") {
    // Another user of the directory flips phrases.txt between a link inside the tree and one out of
    // it while the flow compiles again and again: whatever the timing, the outside words are never
    // read (T018 or the inside words, nothing else).
    TempDir dir;
    std::filesystem::create_directories(dir.path / "flows");
    write_file(dir.path / "outside.txt", "leaked\n");
    write_file(dir.path / "flows/inside.txt", "kept\n");
    std::filesystem::create_symlink("inside.txt", dir.path / "flows/in.link");
    std::filesystem::create_symlink(dir.path / "outside.txt", dir.path / "flows/out.link");
    std::filesystem::create_symlink("inside.txt", dir.path / "flows/phrases.txt");
    write_file(dir.path / "flows/main.flow", flow_with("words w = file \"phrases.txt\""));
    std::atomic<bool> done{false};
    std::thread swapper([&] {
        const std::filesystem::path in = dir.path / "flows/in.copy", out = dir.path / "flows/out.copy";
        std::error_code ignored;
        for (bool outside = true; !done; outside = !outside) {
            const std::filesystem::path& next = outside ? out : in;
            std::filesystem::copy_symlink(dir.path / (outside ? "flows/out.link" : "flows/in.link"), next, ignored);
            std::filesystem::rename(next, dir.path / "flows/phrases.txt", ignored);  // atomic
        }
    });
    // As triage reads, and as an editor's host does (open buffers first, the rest from disk).
    CompileOptions with_buffers;
    with_buffers.open_files = [](const std::filesystem::path&, std::uint64_t) -> std::optional<FileRead> { return {}; };
    int kept = 0;
    int refused = 0;
    std::vector<std::string> other;  // anything else: the outside words, another error
    for (int i = 0; i < 3000; ++i) {
        CompileResult result = compile_file(dir.path / "flows/main.flow", i % 2 == 0 ? CompileOptions{} : with_buffers);
        const std::vector<std::string> found = errors(result);
        if (found.size() == 1 && found[0].starts_with("T018 cannot read word list file")) ++refused;
        else if (result.ok() && result.flow->word_lists().size() == 1 &&
                 result.flow->word_lists()[0].phrases == std::vector<std::string>{"kept"})
            ++kept;
        else other.push_back(result.ok() ? "read: " + result.flow->word_lists()[0].phrases.at(0) : found.at(0));
    }
    done = true;
    swapper.join();
    CHECK(other == std::vector<std::string>{});
    CHECK(kept > 0);
    CHECK(kept + refused == 3000);
}

TEST_CASE("a sibling directory whose name starts like the flow's is not inside it") {
    TempDir dir;
    std::filesystem::create_directories(dir.path / "flows");
    std::filesystem::create_directories(dir.path / "flows-old");
    write_file(dir.path / "flows-old/phrases.txt", "refund\n");
    write_file(dir.path / "flows/main.flow", flow_with("words w = file \"../flows-old/phrases.txt\""));
    const std::vector<std::string> found = errors(compile_file(dir.path / "flows/main.flow"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].starts_with("T018 cannot read word list file"));
    CHECK(found[0].find("outside the flow's directory") != std::string::npos);
}

TEST_CASE("total-size: a flow larger than it alone is refused at its start") {
    CompileOptions options;
    options.limits.total_bytes = 100;
    const std::string main = flow_with("words w = \"refund\"");
    REQUIRE(main.size() > 100);
    CHECK(errors(compile(main, "main.flow", options)) ==
          std::vector<std::string>{fmt::format("T060 flow file 'main.flow' is {} bytes; the total-size limit is 100", main.size())});
}

TEST_CASE("total-size bounds all of a flow's files together, each read bounded by what is left") {
    std::vector<std::uint64_t> allowed;
    CompileOptions options;
    options.limits.total_bytes = 1000;
    options.read_file = [&](const std::filesystem::path& path, std::uint64_t max) -> FileRead {
        allowed.push_back(max);
        const std::string name = path.filename().string();
        const std::string body = name == "w.flow" ? "words w = \"refund\"\n" : "# " + std::string(200, 'x') + "\n";
        if (body.size() > max) return {std::nullopt, {}, body.size()};  // as read_file_from_disk: not read
        return {body, {}};
    };
    std::string includes = "include \"w.flow\"\n";
    for (int i = 0; i < 5; ++i) includes += fmt::format("include \"pad{}.flow\"\n", i);
    const std::string main = flow_with(includes);
    CompileResult result = compile(main, "main.flow", options);
    // main (under 300 bytes) + w.flow (19) + 3 × 203 fit in 1000; the fourth and fifth pads do not.
    REQUIRE(main.size() < 300);
    REQUIRE(allowed.size() == 6);
    CHECK(allowed[0] == 1000 - main.size());
    CHECK(allowed[1] == 1000 - main.size() - 19);
    CHECK(errors(result) == std::vector<std::string>{
        "T060 included file 'pad3.flow' (203 bytes) would bring this flow's files past 1000 bytes together, the "
        "total-size limit",
        "T060 included file 'pad4.flow' (203 bytes) would bring this flow's files past 1000 bytes together, the "
        "total-size limit"});
    options.limits.total_bytes = 2000;
    CHECK(compile(main, "main.flow", options).ok());
}

TEST_CASE("triage check --include-root allows a directory, a missing one is exit 2") {
    TempDir dir;
    std::filesystem::create_directories(dir.path / "flows");
    std::filesystem::create_directories(dir.path / "lists");
    write_file(dir.path / "lists/phrases.txt", "refund\n");
    write_file(dir.path / "flows/main.flow", flow_with("words w = file \"../lists/phrases.txt\""));
    const std::string flow = triage::test::quoted(dir.file("flows/main.flow"));
    triage::test::CliRun refused = triage::test::run_triage("check " + flow + " 2>&1");
    CHECK(refused.status == 1);
    CHECK(refused.output.find("error[T018]") != std::string::npos);
    CHECK(refused.output.find("--include-root DIR") != std::string::npos);
    CHECK(triage::test::run_triage("check " + flow + " --include-root " + triage::test::quoted(dir.file("lists"))).status == 0);
    triage::test::CliRun missing = triage::test::run_triage("check " + flow + " --include-root /nonexistent/x 2>&1");
    CHECK(missing.status == 2);
    CHECK(missing.output.find("'/nonexistent/x' is not a directory") != std::string::npos);
}

TEST_CASE("a word list file is read once however many lists name it, and is a source its phrases point into") {
    std::vector<std::string> asked;
    CompileOptions options;
    options.read_file = [&](const std::filesystem::path& path, std::uint64_t) -> FileRead {
        asked.push_back(path.generic_string());
        if (path.filename() == "phrases.txt") return {std::string("# refunds\n\n  refund  \r\nmoney back\n"), {}};
        return {std::nullopt, "No such file or directory"};
    };
    const std::string main = flow_with("words w = file \"phrases.txt\"\nwords again = file \"./phrases.txt\"\n"
                                       "words inline = \"x\", \"money\"");
    CompileResult result = compile(main, "main.flow", options);
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    CHECK(asked == std::vector<std::string>{"phrases.txt"});
    REQUIRE(result.sources->size() == 2);
    CHECK(result.sources->path(1) == "phrases.txt");
    const SourceMap& sources = *result.sources;
    const std::span<const WordList> lists = result.flow->word_lists();
    REQUIRE(lists.size() == 3);
    for (const WordList* list : {&lists[0], &lists[1]}) {
        CHECK(list->phrases == std::vector<std::string>{"refund", "money back"});
        REQUIRE(list->phrase_spans.size() == 2);
        CHECK(list->phrase_spans[0].file == 1);
        CHECK(sources.text(list->phrase_spans[0]) == "refund");
        CHECK(sources.begin(list->phrase_spans[0]).line == 3);
        CHECK(sources.begin(list->phrase_spans[0]).column == 3);
        CHECK(sources.text(list->phrase_spans[1]) == "money back");
        CHECK(sources.begin(list->phrase_spans[1]).line == 4);
    }
    // An inline phrase's span is its quoted string in the flow.
    REQUIRE(lists[2].phrase_spans.size() == 2);
    CHECK(lists[2].phrase_spans[1].file == 0);
    CHECK(sources.text(lists[2].phrase_spans[1]) == "\"money\"");
}

TEST_CASE("a word list file that cannot be read is reported at each list that names it") {
    const std::string main = flow_with("words w = file \"gone.txt\"\nwords again = file \"gone.txt\"");
    CompileResult result = compile(main, "main.flow", CompileOptions{});
    CHECK(errors(result) == std::vector<std::string>{"T018 cannot read word list file 'gone.txt': No such file or directory",
                                                     "T018 cannot read word list file 'gone.txt': No such file or directory"});
    CHECK(result.sources->size() == 1);
}

namespace {

const std::filesystem::path zone_directory = triage::detail::TimeZone::directory();

std::string flow_in_zone(std::string_view zone, std::string_view other_zone) {
    return fmt::format("flow \"z\" version 1\nfields {{\n  at: time \"%Y-%m-%d %H:%M\" zone \"{}\"\n}}\nclock at\n"
                       "hours desk \"Desk\" {{\n  zone \"{}\"\n  mon-fri 09:00-17:00\n}}\n"
                       "hours late \"Late\" {{\n  zone \"{}\"\n  mon-fri 17:00-22:00\n}}\n"
                       "start s\nstep s \"q\" {{\n  if within hours desk -> a\n  if within hours late -> a\n  else -> a\n}}\n"
                       "outcome a \"A\" {{ monitor }}\n",
                       zone, zone, other_zone);
}

}  // namespace

TEST_CASE("time zone files are read through read_file, each once per compilation, from the tz directory") {
    REQUIRE(std::filesystem::is_regular_file(zone_directory / "Europe/London"));
    std::vector<std::pair<std::string, std::uint64_t>> asked;
    CompileOptions options;
    options.limits.file_bytes = 100'000;
    options.read_file = [&](const std::filesystem::path& path, std::uint64_t max) -> FileRead {
        asked.emplace_back(path.generic_string(), max);
        // A host with no tz database of its own can serve any zone: here Mars/Olympus is London's.
        if (path == zone_directory / "Mars/Olympus") return read_file_from_disk(zone_directory / "Europe/London", max);
        return read_file_from_disk(path, max);
    };
    CompileResult result = compile(flow_in_zone("Mars/Olympus", "Europe/London"), "/nowhere/z.flow", options);
    INFO(triage::test::all_text(result));
    REQUIRE(result.ok());
    CHECK(asked == std::vector<std::pair<std::string, std::uint64_t>>{
                       {(zone_directory / "Mars/Olympus").generic_string(), 100'000},
                       {(zone_directory / "Europe/London").generic_string(), 100'000}});
    CHECK(result.flow->fields()[0].time_zone == "Mars/Olympus");
    // Zone files are no sources: diagnostics never point into them.
    CHECK(result.sources->size() == 1);

    // UTC needs no file, and a name that is no tz name is refused before any read.
    asked.clear();
    CompileResult refused = compile(flow_in_zone("UTC", "../../etc/passwd"), "/nowhere/z.flow", options);
    CHECK(asked.empty());
    CHECK(errors(refused) == std::vector<std::string>{"T029 '../../etc/passwd' is not a time zone name"});
}

TEST_CASE("a time zone file that cannot be read is an error with the reason, at each place that names it") {
    FileRead answer;
    CompileOptions options;
    options.limits.file_bytes = 4096;
    options.read_file = [&](const std::filesystem::path&, std::uint64_t) { return answer; };
    const std::string london = (zone_directory / "Europe/London").generic_string();

    answer = {std::nullopt, "Permission denied", 0};
    CompileResult denied = compile(flow_in_zone("Europe/London", "Europe/London"), "/nowhere/z.flow", options);
    const std::string message = fmt::format("T018 cannot read time zone file '{}': Permission denied", london);
    CHECK(errors(denied) == std::vector<std::string>{message, message, message});  // the field's zone and both hours'
    const Diagnostic* first = triage::test::find(denied, Code::unreadable_file);
    REQUIRE(first != nullptr);
    CHECK(denied.sources->text(first->span) == "\"Europe/London\"");
    CHECK(first->help == "check that the tz database is installed and readable, or point TZDIR at a copy of it");

    answer = {std::nullopt, "No such file or directory", 0};
    CHECK(errors(compile(flow_in_zone("Europe/London", "UTC"), "/nowhere/z.flow", options)) ==
          std::vector<std::string>(2, fmt::format("T029 no time zone 'Europe/London' in {}", zone_directory.generic_string())));

    answer = {std::nullopt, {}, 9000};  // larger than the cap: not read
    CHECK(errors(compile(flow_in_zone("UTC", "Europe/London"), "/nowhere/z.flow", options)) ==
          std::vector<std::string>{fmt::format("T060 time zone file '{}' is 9000 bytes; the limit is 4096", london)});

    answer = {std::string(5000, 'x'), {}, 0};  // a reader that ignores the cap is held to it
    CHECK(errors(compile(flow_in_zone("UTC", "Europe/London"), "/nowhere/z.flow", options)) ==
          std::vector<std::string>{fmt::format("T060 time zone file '{}' is 5000 bytes; the limit is 4096", london)});

    answer = {std::string("not a zone"), {}, 0};
    CHECK(errors(compile(flow_in_zone("UTC", "Europe/London"), "/nowhere/z.flow", options)) ==
          std::vector<std::string>{fmt::format("T029 time zone file '{}' is not valid TZif: no TZif magic", london)});
}

TEST_CASE("every file read through read_file is held to limits.file_bytes, even from a reader that ignores it") {
    std::vector<std::uint64_t> caps;
    CompileOptions options;
    options.limits.file_bytes = 2000;
    // A careless reader: whatever the cap, it gives 3000 bytes of comments or phrases.
    options.read_file = [&](const std::filesystem::path& path, std::uint64_t max) -> FileRead {
        caps.push_back(max);
        const bool flow = path.extension() == ".flow";
        std::string body;
        while (body.size() < 3000) body += flow ? "# padding padding padding padding\n" : "phrase\n";
        return {body.substr(0, 3000), {}};
    };
    CHECK(errors(compile_file("/nowhere/big.flow", options)) ==
          std::vector<std::string>{"T060 flow file '/nowhere/big.flow' is 3000 bytes; the limit is 2000"});
    CHECK(caps == std::vector<std::uint64_t>{2000});
    caps.clear();
    CompileResult result =
        compile(flow_with("include \"big.flow\"\nwords w = file \"big.txt\""), "/nowhere/main.flow", options);
    CHECK(errors(result) == std::vector<std::string>{"T060 included file '/nowhere/big.flow' is 3000 bytes; the limit is 2000",
                                                     "T060 word list file '/nowhere/big.txt' is 3000 bytes; the limit is 2000"});
    CHECK(caps == std::vector<std::uint64_t>{2000, 2000});
}
