// Small hostile flows that used to take minutes or gigabytes to check, at the sizes that showed
// it (issue "nothing hangs"): each now compiles in linear-ish work. The ctest TIMEOUT of the
// suite turns a return of the old behaviour into a failure; the checks below pin the diagnostics.
#include "support.hpp"

#include "compile_work.hpp"
#include "suggest.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>

namespace {

std::string frame(std::string_view fields, std::string_view declarations, std::string_view branches) {
    return fmt::format("flow \"t\" version 1\nfields {{\n{}\n}}\n{}\nstart s\nstep s \"q?\" {{\n{}  else -> b\n}}\n"
                       "outcome a \"A\" {{ monitor }}\noutcome b \"B\" {{ monitor }}\n",
                       fields, declarations, branches);
}

// The compiler's counted work (compile_work.hpp) for one flow.
std::uint64_t work_for(const std::string& text, const triage::Limits& limits) {
    triage::CompileOptions options;
    options.limits = limits;
    triage::detail::compile_work = 0;
    (void)triage::compile(text, "shape.flow", options);
    return triage::detail::compile_work;
}

// Builds `shape` at sizes n, 4n and 16n (each a flow about k times as large) and checks that the
// work grows no faster than n log n: k·log(kn)/log(n), with 10% for constant terms. Quadratic
// work would grow k² times, exponential far more.
void check_n_log_n(const std::function<std::string(int)>& shape, int n, const triage::Limits& limits = {}) {
    const auto base = static_cast<double>(work_for(shape(n), limits));
    REQUIRE(base > 0);
    for (int k : {4, 16}) {
        const auto work = static_cast<double>(work_for(shape(k * n), limits));
        const double bound = k * std::log2(static_cast<double>(k) * n) / std::log2(static_cast<double>(n)) * 1.1;
        INFO("size ", k, "n: ", work, " units against ", base, " at n (bound ", bound, "x)");
        CHECK(work / base <= bound);
    }
}

}  // namespace

TEST_CASE("compile scaling: each hostile shape's counted work grows no faster than n log n") {
    triage::Limits deep;
    deep.nesting = 4096;  // a chain of n lets is n levels of nesting
    SUBCASE("lets, each naming the one before four times") {
        check_n_log_n([](int n) {
            std::string lets = "let l0 = x > 1\n";
            for (int i = 1; i < n; ++i) lets += fmt::format("let l{0} = (l{1} and l{1}) or (l{1} and l{1})\n", i, i - 1);
            return frame("  x: number", lets, fmt::format("  if l{} -> a\n", n - 1));
        }, 12, deep);
    }
    SUBCASE("constant lets, folded") {
        check_n_log_n([](int n) {
            std::string lets = "let c0 = true\n";
            for (int i = 1; i < n; ++i) lets += fmt::format("let c{0} = (c{1} and c{1}) or (c{1} and c{1})\n", i, i - 1);
            return frame("  x: number", lets, fmt::format("  if c{} -> a\n  if x > 1 -> b\n", n - 1));
        }, 12, deep);
    }
    SUBCASE("a phrase list used in 16 branches") {
        check_n_log_n([](int n) {
            std::string phrases;
            for (int i = 0; i < n; ++i) phrases += fmt::format("{}\"w{}\"", i ? ", " : "", i);
            std::string branches;
            for (int i = 0; i < 16; ++i) branches += fmt::format("  if text has any big and text contains \"k{}\" -> a\n", i);
            return frame("  text: text", "words big = " + phrases, branches);
        }, 500);
    }
    SUBCASE("one step of many branches") {
        check_n_log_n([](int n) {
            std::string branches;
            for (int i = 0; i < n; ++i) branches += fmt::format("  if x > {} -> a\n", i);
            return frame("  x: number", "", branches);
        }, 500);
    }
    SUBCASE("long unknown names among long field names") {
        check_n_log_n([](int n) {
            std::string fields, branches;
            for (int i = 0; i < n; ++i) fields += fmt::format("  f{}{}: number\n", i, std::string(300, 'x'));
            for (int i = 0; i < n; ++i) branches += fmt::format("  if g{}{} > 1 -> a\n", i, std::string(300, 'y'));
            return frame(fields, "", branches);
        }, 10);
    }
    SUBCASE("phrases that are suffixes of one another") {
        // "a", "a a", "a a a", ...: the automaton's outputs grow with the square of the phrase
        // count, and so does the file: linear in its bytes. Sized by bytes here.
        check_n_log_n([](int n) {
            std::string phrases;
            const int count = static_cast<int>(std::sqrt(static_cast<double>(n)));
            for (int i = 1; i <= count; ++i) {
                std::string p = "a";
                for (int j = 1; j < i; ++j) p += " a";
                phrases += fmt::format("{}\"{}\"", i > 1 ? ", " : "", p);
            }
            return frame("  text: text", "words big = " + phrases, "  if text has any big -> a\n");
        }, 2500);
    }
}

TEST_CASE("compile scaling: 20 lets, each using the one before four times (was over 100 s)") {
    std::string lets = "let l0 = x > 1\n";
    for (int i = 1; i < 20; ++i) lets += fmt::format("let l{0} = (l{1} and l{1}) or (l{1} and l{1})\n", i, i - 1);
    triage::CompileResult r = triage::compile(frame("  x: number", lets, "  if l19 -> a\n"), "lets.flow");
    CHECK(r.ok());
    // A constant let chain is still folded: the branch after it is reported as never taken.
    std::string constant = "let c0 = true\n";
    for (int i = 1; i < 20; ++i) constant += fmt::format("let c{0} = (c{1} and c{1}) or (c{1} and c{1})\n", i, i - 1);
    triage::CompileResult folded = triage::compile(frame("  x: number", constant, "  if c19 -> a\n  if x > 1 -> b\n"), "c.flow");
    CHECK(triage::test::codes(folded) == std::vector<std::string>{"T033", "T033"});
}

TEST_CASE("compile scaling: a 25,000-phrase list in 16 branches and a 100,000-phrase list (were 33 s and 47 s)") {
    std::string phrases;
    for (int i = 0; i < 25000; ++i) phrases += fmt::format("{}\"w{}\"", i ? ", " : "", i);
    std::string branches;
    for (int i = 0; i < 16; ++i) branches += fmt::format("  if text has any big and text contains \"k{}\" -> a\n", i);
    triage::CompileResult r = triage::compile(frame("  text: text", "words big = " + phrases, branches), "words.flow");
    CHECK(r.ok());
    std::string many;
    for (int i = 0; i < 100000; ++i) many += fmt::format("{}\"p{}\"", i ? ", " : "", i % 50000);  // half repeated
    triage::CompileResult big = triage::compile(frame("  text: text", "words big = " + many, "  if text has any big -> a\n"), "big.flow");
    CHECK(big.ok());
    triage::Evaluator evaluator(*big.flow);
    triage::Record record(*big.flow);
    record.set("text", "well p49999 it is");
    CHECK(evaluator.decide(record.view()) == 0);
    record.set("text", "nothing here");
    CHECK(evaluator.decide(record.view()) == 1);
}

TEST_CASE("compile scaling: one step with 100,000 branches (300,000 took 207 s)") {
    std::string branches;
    for (int i = 0; i < 100000; ++i) branches += fmt::format("  if x > {} -> a\n", i);
    branches += "  if x   >   7 -> b\n";  // the same condition as branch 8, written differently
    triage::CompileResult r = triage::compile(frame("  x: number", "", branches), "branches.flow");
    CHECK(triage::test::codes(r) == std::vector<std::string>{"T033"});
}

TEST_CASE("compile scaling: unknown names next to long names get no quadratic suggestion (was 12.8 GB)") {
    const std::string long_field(40000, 'a');
    const std::string long_unknown(40000, 'b');
    triage::CompileResult r =
        triage::compile(frame("  " + long_field + ": number", "", "  if " + long_unknown + " > 1 -> a\n"), "long.flow");
    const triage::Diagnostic* unknown = triage::test::find(r, triage::Code::unknown_value_name);
    REQUIRE(unknown != nullptr);
    CHECK(unknown->help.empty());
    // 200 unknown long names among 200 long fields (was over 200 s).
    std::string fields, branches;
    for (int i = 0; i < 200; ++i) fields += fmt::format("  f{}{}: number\n", i, std::string(300, 'x'));
    for (int i = 0; i < 200; ++i) branches += fmt::format("  if g{}{} > 1 -> a\n", i, std::string(300, 'y'));
    triage::CompileResult many = triage::compile(frame(fields, "", branches), "names.flow");
    const std::vector<std::string> codes = triage::test::codes(many);
    CHECK(std::count(codes.begin(), codes.end(), "T011") == 200);
    // Short names still get their suggestion.
    triage::CompileResult typo = triage::compile(frame("  sentiment: number", "", "  if sentimnet > 1 -> a\n"), "typo.flow");
    const triage::Diagnostic* typo_error = triage::test::find(typo, triage::Code::unknown_value_name);
    REQUIRE(typo_error != nullptr);
    CHECK(typo_error->help == "did you mean 'sentiment'?");
}

TEST_CASE("compile scaling: suggestions stop when their budget of work is spent") {
    std::vector<std::string> names;
    for (int i = 0; i < 1000; ++i) names.push_back(fmt::format("name_{:04}", i));
    std::uint64_t budget = triage::suggestion_budget;
    CHECK(triage::closest_name("name_0042x", names, budget) == std::optional<std::string>("name_0042"));
    CHECK(budget < triage::suggestion_budget);
    std::uint64_t spent = 50;  // not enough for one comparison
    CHECK_FALSE(triage::closest_name("name_0042x", names, spent).has_value());
    CHECK(spent == 50);
    CHECK(triage::edit_distance("kitten", "sitting") == 3);
    CHECK(triage::edit_distance("abcd", "abdc") == 1);  // a transposition
    CHECK(triage::edit_distance("", "abc") == 3);
}
