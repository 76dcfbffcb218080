// Helpers shared by the test files.
#pragma once

#include "triage/triage.hpp"
#include "time_zone.hpp"
#include "process.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <stdlib.h>

// Readable failure messages for the lists the tests compare.
namespace doctest {
template <typename T>
struct StringMaker<std::vector<T>> {
    static String convert(const std::vector<T>& values) {
        String out = "{";
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) out += ", ";
            out += StringMaker<T>::convert(values[i]);
        }
        return out + "}";
    }
};
}  // namespace doctest

namespace triage::test {

inline std::filesystem::path source_dir() { return TRIAGE_SOURCE_DIR; }

// A path quoted for a command line (the tests' paths hold no single quote).
inline std::string quoted(const std::string& path) { return "'" + path + "'"; }

// The triage binary's path, quoted for a command line.
inline std::string triage_cli() { return std::string("'") + TRIAGE_CLI_PATH + "'"; }

// Runs the triage binary with a command line's arguments (run_command's notation: quoted words
// and redirections such as 2>&1; no shell is involved).
inline CliRun run_triage(const std::string& arguments, const CommandOptions& options = {}) {
    return run_command(triage_cli() + " " + arguments, options);
}

// A new directory of its own under the system's temporary directory, removed with its contents.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "triage-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write_file(const std::filesystem::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Whether the compiler asks for `path` as a time zone's file (under TimeZone::directory()).
inline bool is_zone_file(const std::filesystem::path& path) {
    return path.generic_string().starts_with(triage::detail::TimeZone::directory() + "/");
}

// Compiles text as an in-memory file; `files` provides what include/words-file may read, and
// zone files come from the machine's tz database.
inline CompileResult compile_text(std::string_view text,
                                  std::map<std::string, std::string> files = {}) {
    CompileOptions options;
    options.read_file = [files](const std::filesystem::path& path, std::uint64_t max) -> FileRead {
        auto it = files.find(path.lexically_normal().generic_string());
        if (it == files.end() && is_zone_file(path)) return read_file_from_disk(path, max);
        if (it == files.end()) return {std::nullopt, "No such file or directory"};
        return {it->second, {}};
    };
    return compile(text, "test.flow", options);
}

inline std::vector<std::string> codes(const CompileResult& result) {
    std::vector<std::string> out;
    for (const Diagnostic& d : result.diagnostics) out.push_back(code_name(d.code));
    return out;
}

inline std::string all_text(const CompileResult& result) {
    std::string out;
    for (const Diagnostic& d : result.diagnostics) out += format_text(d, *result.sources);
    return out;
}

inline const Diagnostic* find(const CompileResult& result, Code code) {
    auto it = std::find_if(result.diagnostics.begin(), result.diagnostics.end(),
                           [&](const Diagnostic& d) { return d.code == code; });
    return it == result.diagnostics.end() ? nullptr : &*it;
}

// A flow that must compile without errors; the test stops with its diagnostics otherwise.
inline Flow compiled(std::string_view text) {
    CompileResult result = compile_text(text);
    INFO(all_text(result));
    REQUIRE(result.ok());
    return *result.flow;
}

// A time written in RFC 3339 that must parse.
inline TimePoint at(std::string_view iso) {
    std::optional<TimePoint> t = parse_time(iso);
    REQUIRE(t);
    return *t;
}

// A minimal clean flow around a body of extra declarations, for tests of one construct.
inline std::string with_frame(std::string_view fields, std::string_view condition,
                              std::string_view extra = {}) {
    std::string text = "flow \"t\" version 1\nfields {\n";
    text += fields;
    text += "\n}\n";
    text += extra;
    text += "\nstart s\nstep s \"q?\" {\n  if ";
    text += condition;
    text += " -> yes\n  else -> no\n}\noutcome yes \"Yes\" { monitor }\noutcome no \"No\" { monitor }\n";
    return text;
}

}  // namespace triage::test
