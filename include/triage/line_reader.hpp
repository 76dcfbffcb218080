// Reading a JSON Lines stream: whole lines, numbered from 1, in chunks of a bounded size. Memory
// stays bounded whatever the input: a line past the line-length limit is not kept, only its
// length (the decision for it is an error record).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage {

// Where a stream's bytes come from: fills up to `size` bytes of `buffer` and returns how many
// it gave (0 at the end), or -errno when reading failed.
using ByteSource = std::function<std::int64_t(char* buffer, std::size_t size)>;

// A ByteSource over a C stream (a file, or stdin); the stream stays the caller's.
[[nodiscard]] ByteSource file_source(std::FILE* file);
// A ByteSource over bytes the caller keeps alive until the reading ends.
[[nodiscard]] ByteSource text_source(std::string_view text);

// Whole lines, a chunk at a time. Each chunk's text is followed by JsonRecordReader::padding
// bytes, so that its lines can be parsed in place.
struct LineChunk {
    std::string text;               // lines (each ending in '\n' but perhaps the last), then padding
    std::size_t size = 0;           // bytes of lines in `text`
    std::uint64_t first_line = 0;   // the number of its first line
    std::uint64_t overlong = 0;     // when not 0: the chunk stands for one line of this many bytes,
                                    // past the limit, that was not kept
    // Per line, where it ends: its '\n', or `size` for a last line without one. fill() finds
    // them while counting the lines, so that no line end is searched for twice.
    std::vector<std::size_t> ends;

    [[nodiscard]] std::size_t lines() const noexcept { return ends.size(); }
    // Line `index` (< lines()), without its '\n' or a final '\r'.
    [[nodiscard]] std::string_view line(std::size_t index) const noexcept;
};

class LineReader {
public:
    // `max_line_bytes` is JsonOptions::max_line_bytes; `chunk_size` the bytes read at a time.
    LineReader(ByteSource source, std::size_t max_line_bytes, std::size_t chunk_size = std::size_t{1} << 20);

    // Fills `chunk` with the next whole lines; false at the end of the input.
    bool fill(LineChunk& chunk);

    // One line at a time, for consumers that do not work in chunks. The text (without '\n' or a
    // final '\r') stays valid, with padding after it, until the next call.
    struct Line {
        std::uint64_t number = 0;
        std::string_view text;
        std::uint64_t overlong = 0;  // when not 0: a line of this many bytes, past the limit, not kept
    };
    [[nodiscard]] std::optional<Line> next();

    [[nodiscard]] int error() const noexcept { return error_; }  // errno of a failed read, or 0
    [[nodiscard]] std::uint64_t lines() const noexcept { return next_line_ - 1; }  // read so far
    [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }          // read so far

private:
    void skip_line(LineChunk& chunk, std::string& buffer);
    void read_more(std::string& buffer, std::size_t n);

    ByteSource source_;
    std::size_t chunk_size_;
    std::size_t max_line_bytes_;
    std::string carry_;  // the start of a line that the last read cut
    bool eof_ = false;
    int error_ = 0;
    std::uint64_t next_line_ = 1;
    std::uint64_t bytes_ = 0;
    // next(): the chunk being handed out line by line.
    LineChunk current_;
    std::size_t at_ = 0;  // the index in it of the next line to hand out
    std::uint64_t current_line_ = 0;
    bool overlong_given_ = false;
};

}  // namespace triage
