// The ceiling for `triage run`: reads a JSON Lines file in 1 MiB chunks of whole lines, as
// `triage run` does, and parses every line with simdjson in place, doing nothing else.
//
//   triage_parse_ceiling FILE          → prints the number of lines parsed and of lines that failed
//   triage_parse_ceiling --acme FILE   → the same, and after each parse reads the fields of
//       bench/acme.flow from the line and decides it with the flow written by hand
//       (bench/hand_written.cpp), writing nothing: the bound for any implementation of `triage
//       run -j 1` on that flow. Prints how many lines each outcome got, in `triage run`'s order.
#include "hand_written.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

struct Counts {
    std::size_t parsed = 0, failed = 0;
};

// Calls on_line(doc) for each line that parses.
template <typename OnLine>
Counts each_line(std::FILE* in, OnLine on_line) {
    simdjson::dom::parser parser;
    std::string buffer;
    std::string carry;
    Counts counts;
    constexpr std::size_t chunk = 1 << 20;
    for (bool eof = false; !eof;) {
        buffer.assign(carry);
        std::size_t have = buffer.size();
        buffer.resize(have + chunk);
        std::size_t got = std::fread(buffer.data() + have, 1, chunk, in);
        buffer.resize(have + got);
        eof = got < chunk;
        std::size_t end = eof ? buffer.size() : buffer.rfind('\n') + 1;
        carry.assign(buffer, end, std::string::npos);
        buffer.resize(end);
        buffer.append(simdjson::SIMDJSON_PADDING, '\0');
        for (const char *at = buffer.data(), *stop = buffer.data() + end; at < stop;) {
            const char* newline = static_cast<const char*>(std::memchr(at, '\n', static_cast<std::size_t>(stop - at)));
            const char* line_end = newline != nullptr ? newline : stop;
            simdjson::dom::element doc;
            if (parser.parse(at, static_cast<std::size_t>(line_end - at), false).get(doc) == simdjson::SUCCESS) {
                ++counts.parsed;
                on_line(doc);
            } else {
                ++counts.failed;
            }
            at = line_end + 1;
        }
    }
    return counts;
}

// A field as a flow reads it: absent or null is missing (`out` keeps its value); a value of
// another type would make `triage run` report the line as an error.
template <typename T>
bool read(simdjson::dom::element object, std::string_view key, T& out, bool& wrong) {
    simdjson::dom::element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return false;
    if (value.get(out) == simdjson::SUCCESS) return true;
    wrong = true;
    return false;
}

// bench/acme.flow on one parsed line, by hand; the outcome, or -1 for a line `run` reports as an error.
int acme_outcome(simdjson::dom::element doc, std::string& lowered) {
    using namespace by_hand::acme;
    bool wrong = false;
    std::string_view text;
    Signals s;
    s.sentiment = std::nan("");
    s.followers = Signals::no_followers;
    read(doc, "text", text, wrong);
    read(doc, "sentiment", s.sentiment, wrong);
    read(doc, "facts_wrong", s.facts_wrong, wrong);
    if (std::string_view experience; read(doc, "experience", experience, wrong) && experience == "negative")
        s.experience = Experience::negative;
    if (simdjson::dom::element author; read(doc, "author", author, wrong) && author.is_object()) {
        std::int64_t followers = 0;
        if (read(author, "followers", followers, wrong)) s.followers = static_cast<long>(followers);
    }
    if (simdjson::dom::element site; read(doc, "site", site, wrong) && site.is_object())
        read(site, "bashing", s.site_bashing, wrong);
    return wrong ? -1 : ladder(text, s, lowered);
}

}  // namespace

int main(int argc, char** argv) {
    const bool acme = argc == 3 && std::strcmp(argv[1], "--acme") == 0;
    if (argc != 2 && !acme) {
        std::fprintf(stderr, "usage: triage_parse_ceiling [--acme] FILE.jsonl\n");
        return 2;
    }
    const char* path = argv[argc - 1];
    std::FILE* in = std::fopen(path, "rb");
    if (in == nullptr) {
        std::fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    Counts counts;
    std::array<std::size_t, std::size(by_hand::acme::outcome_names)> decided{};
    std::size_t errors = 0;
    if (acme) {
        std::string lowered;
        counts = each_line(in, [&](simdjson::dom::element doc) {
            const int outcome = acme_outcome(doc, lowered);
            if (outcome < 0) ++errors;
            else ++decided[static_cast<std::size_t>(outcome)];
        });
    } else {
        counts = each_line(in, [](simdjson::dom::element) {});
    }
    std::fclose(in);
    std::printf("%zu parsed, %zu failed\n", counts.parsed, counts.failed);
    if (acme) {
        std::printf("outcomes:");
        for (std::size_t i = 0; i < decided.size(); ++i)
            std::printf("%s %s %zu", i == 0 ? "" : ",", by_hand::acme::outcome_names[i], decided[i]);
        std::printf(", errors %zu\n", errors + counts.failed);
    }
    return 0;
}
