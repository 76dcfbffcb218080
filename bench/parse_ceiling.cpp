// The ceiling for `triage run`: reads a JSON Lines file in 1 MiB chunks of whole lines, as
// `triage run` does, and parses every line with simdjson in place, doing nothing else.
//
//   triage_parse_ceiling FILE   → prints the number of lines parsed and of lines that failed
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: triage_parse_ceiling FILE.jsonl\n");
        return 2;
    }
    std::FILE* in = std::fopen(argv[1], "rb");
    if (in == nullptr) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    simdjson::dom::parser parser;
    std::string buffer;
    std::string carry;
    std::size_t parsed = 0, failed = 0;
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
            if (parser.parse(at, static_cast<std::size_t>(line_end - at), false).get(doc) == simdjson::SUCCESS) ++parsed;
            else ++failed;
            at = line_end + 1;
        }
    }
    std::fclose(in);
    std::printf("%zu parsed, %zu failed\n", parsed, failed);
    return 0;
}
