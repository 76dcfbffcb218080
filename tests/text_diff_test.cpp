// The unified diff of `fmt --check` (src/cli/text_diff.hpp): shortest, GNU diff's format, and
// linear in memory on large files.
#include "support.hpp"

#include "cli/text_diff.hpp"

#include <random>

namespace {

using triage::cli::unified_diff;

// The length of a longest common subsequence, by the quadratic table: the reference for small inputs.
std::size_t lcs_length(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            t[i][j] = a[i] == b[j] ? t[i + 1][j + 1] + 1 : std::max(t[i + 1][j], t[i][j + 1]);
    return t[0][0];
}

// `before` with the hunks of `diff` applied, checking that every context and removed line is
// where the hunk says.
std::string apply_diff(const std::string& before, const std::string& diff) {
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < before.size();) {
        std::size_t end = before.find('\n', at);
        end = end == std::string::npos ? before.size() : end + 1;
        lines.push_back(before.substr(at, end - at));
        at = end;
    }
    std::string out;
    std::size_t next = 0;  // the next line of before not yet copied
    std::istringstream in(diff);
    std::string line;
    std::getline(in, line);
    std::getline(in, line);  // the two file names
    std::string* last = nullptr;  // the last line written, for "\ No newline"
    bool last_is_new = false;
    while (std::getline(in, line)) {
        if (line.starts_with("@@ -")) {
            std::size_t first = std::stoul(line.substr(4));
            std::size_t comma = line.find(',', 4), space = line.find(' ', 4);
            std::size_t count = comma < space ? std::stoul(line.substr(comma + 1)) : 1;
            std::size_t start = count == 0 ? first : first - 1;
            REQUIRE(start >= next);
            for (; next < start; ++next) out += lines.at(next);
            continue;
        }
        if (line.starts_with("\\ No newline")) {
            REQUIRE(last != nullptr);
            if (last_is_new) out.pop_back();
            continue;
        }
        const std::string text = line.substr(1) + "\n";
        if (line[0] != '+') {
            REQUIRE(next < lines.size());
            std::string old_text = lines[next];
            if (old_text.back() != '\n') old_text += '\n';
            REQUIRE(old_text == text);
            ++next;
        }
        last_is_new = line[0] != '-';
        if (last_is_new) out += text;
        last = &out;
    }
    for (; next < lines.size(); ++next) out += lines[next];
    return out;
}

std::size_t changed_lines(const std::string& diff) {
    std::size_t n = 0;
    std::istringstream in(diff);
    std::string line;
    for (int header = 0; std::getline(in, line);)
        if (header < 2 && (line.starts_with("---") || line.starts_with("+++"))) ++header;
        else n += line[0] == '+' || line[0] == '-';
    return n;
}

}  // namespace

TEST_CASE("unified_diff: GNU diff's hunks, ranges and missing final newlines") {
    CHECK(unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
    std::string before, after;
    for (int i = 1; i <= 20; ++i) {
        before += std::to_string(i) + "\n";
        after += (i == 5 ? std::string("five") : std::to_string(i)) + "\n";
    }
    after += "21\n";
    CHECK(unified_diff(before, after, "x", "x (formatted)") ==
          "--- x\n+++ x (formatted)\n"
          "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
          "@@ -18,3 +18,4 @@\n 18\n 19\n 20\n+21\n");
    CHECK(unified_diff("", "a\n", "x", "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n");
    CHECK(unified_diff("a\nb", "a\nc", "x", "y") ==
          "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
    // Changes 6 unchanged lines apart share a hunk; 7 apart do not.
    CHECK(unified_diff("1\n2\n3\n4\n5\n6\n7\n8\n", "x\n2\n3\n4\n5\n6\n7\ny\n", "x", "y").find("@@ -1,8 +1,8 @@\n") !=
          std::string::npos);
}

TEST_CASE("shortest_edit: as short as the longest common subsequence allows, on random inputs") {
    std::mt19937 random(17);
    for (int round = 0; round < 2000; ++round) {
        std::uniform_int_distribution<std::uint32_t> size(0, 40), symbol(0, 1 + round % 6);
        std::vector<std::uint32_t> a(size(random)), b(size(random));
        for (auto& x : a) x = symbol(random);
        for (auto& x : b) x = symbol(random);
        triage::cli::LineChanges changes = triage::cli::shortest_edit(a, b);
        std::vector<std::uint32_t> kept_a, kept_b;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!changes.removed[i]) kept_a.push_back(a[i]);
        for (std::size_t j = 0; j < b.size(); ++j)
            if (!changes.added[j]) kept_b.push_back(b[j]);
        CAPTURE(round);
        REQUIRE(kept_a == kept_b);  // what is kept is common
        REQUIRE(kept_a.size() == lcs_length(a, b));  // and as long as can be
    }
}

TEST_CASE("unified_diff: applied, the diff of random texts gives the new text") {
    std::mt19937 random(4);
    for (int round = 0; round < 500; ++round) {
        std::uniform_int_distribution<int> size(0, 30), symbol(0, 4), coin(0, 3);
        std::string before, after;
        for (int i = size(random); i > 0; --i) before += std::to_string(symbol(random)) + "\n";
        for (int i = size(random); i > 0; --i) after += std::to_string(symbol(random)) + "\n";
        if (!before.empty() && coin(random) == 0) before.pop_back();
        if (!after.empty() && coin(random) == 0) after.pop_back();
        CAPTURE(before);
        CAPTURE(after);
        std::string diff = unified_diff(before, after, "x", "y");
        CHECK(diff.empty() == (before == after));
        if (!diff.empty()) CHECK(apply_diff(before, diff) == after);
    }
}

TEST_CASE("fmt --check: the diff of a generated 5,000-line flow is the shortest one, as diff -u --minimal gives it") {
    // Every 7th phrase line is out of layout; each such line is unique, so the shortest diff is too.
    std::string flow = "flow \"Large\" version 1\n\nfields {\n  text: text\n}\n\nstart topic\n\n"
                       "step topic \"T\" {\n  if text has any w0 -> done\n  else -> done\n}\n\n"
                       "outcome done \"Done\" {\n  respond publicly within 1d\n}\n\n";
    std::size_t messy = 0;
    for (int i = 0; std::count(flow.begin(), flow.end(), '\n') < 5000; ++i) {
        messy += i % 7 == 3;
        flow += (i % 7 == 3 ? "words  w" : "words w") + std::to_string(i) + " = \"p" + std::to_string(i) + "\"\n";
    }
    REQUIRE(std::count(flow.begin(), flow.end(), '\n') == 5000);
    triage::test::TempDir dir;
    const std::string path = dir.file("large.flow");
    triage::test::write_file(path, flow);
    triage::test::CliRun formatted = triage::test::run_triage("fmt " + triage::test::quoted(path) + " > " +
                                                              triage::test::quoted(dir.file("formatted.flow")));
    REQUIRE(formatted.status == 0);
    triage::test::CliRun check = triage::test::run_triage("fmt --check " + triage::test::quoted(path));
    CHECK(check.status == 1);
    triage::test::CliRun reference = triage::test::run_command(
        "diff -u --minimal --label " + triage::test::quoted(path) + " --label " + triage::test::quoted(path + " (formatted)") +
        " " + triage::test::quoted(path) + " " + triage::test::quoted(dir.file("formatted.flow")));
    REQUIRE(reference.status == 1);
    CHECK(changed_lines(check.output) == 2 * messy);
    CHECK(check.output == reference.output);
    CHECK(apply_diff(flow, check.output) == triage::test::read_file(dir.file("formatted.flow")));
}
