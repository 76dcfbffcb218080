#include "triage/line_reader.hpp"

#include "triage/json.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace triage {

ByteSource file_source(std::FILE* file) {
    return [file](char* buffer, std::size_t size) -> std::int64_t {
        errno = 0;
        std::size_t got = std::fread(buffer, 1, size, file);
        if (got < size && std::ferror(file) != 0) return -(errno != 0 ? errno : EIO);
        return static_cast<std::int64_t>(got);
    };
}

ByteSource text_source(std::string_view text) {
    return [text](char* buffer, std::size_t size) mutable -> std::int64_t {
        std::size_t n = std::min(size, text.size());
        std::memcpy(buffer, text.data(), n);
        text.remove_prefix(n);
        return static_cast<std::int64_t>(n);
    };
}

std::string_view LineChunk::line(std::size_t index) const noexcept {
    const std::size_t begin = index == 0 ? 0 : ends[index - 1] + 1;
    std::string_view line(text.data() + begin, ends[index] - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

LineReader::LineReader(ByteSource source, std::size_t max_line_bytes, std::size_t chunk_size)
    : source_(std::move(source)), chunk_size_(std::max<std::size_t>(chunk_size, 1)), max_line_bytes_(max_line_bytes) {}

bool LineReader::fill(LineChunk& chunk) {
    std::string& buf = chunk.text;
    buf.assign(carry_);
    carry_.clear();
    chunk.overlong = 0;
    chunk.ends.clear();
    std::size_t lines_end = 0;
    std::size_t scanned = 0;  // bytes of buf known to hold no '\n'
    for (;;) {
        if (!eof_ && buf.size() < chunk_size_) {
            read_more(buf, chunk_size_ - buf.size());
            continue;
        }
        if (eof_) {  // everything left, the last line with or without its '\n'
            lines_end = buf.size();
            break;
        }
        if (std::size_t last = std::string_view(buf).substr(scanned).rfind('\n'); last != std::string::npos) {
            lines_end = scanned + last + 1;
            break;
        }
        scanned = buf.size();
        // A line longer than a chunk. Past the line-length limit (with room for a byte-order mark
        // and a CR) it is not kept: the chunk stands for it alone.
        if (buf.size() > max_line_bytes_ + 4) {
            skip_line(chunk, buf);
            return true;
        }
        read_more(buf, std::max(chunk_size_, buf.size()));  // doubling: linear in the line
    }
    carry_.assign(buf, lines_end, std::string::npos);
    buf.resize(lines_end);
    bytes_ += lines_end;
    chunk.size = lines_end;
    chunk.first_line = next_line_;
    // memchr jumps from line end to line end (SIMD in libc); std::count looked at every byte
    // one by one, about 3 instructions a byte, a tenth of `run`'s instructions on mentions.
    const char* const begin = buf.data();
    const char* const end = begin + lines_end;
    for (const char* at = begin; at < end; ++at) {
        at = static_cast<const char*>(std::memchr(at, '\n', static_cast<std::size_t>(end - at)));
        if (at == nullptr) {  // the last line, without its '\n'
            chunk.ends.push_back(lines_end);
            break;
        }
        chunk.ends.push_back(static_cast<std::size_t>(at - begin));
    }
    next_line_ += chunk.ends.size();
    buf.append(JsonRecordReader::padding, '\0');
    return lines_end > 0;
}

std::optional<LineReader::Line> LineReader::next() {
    for (;;) {
        if (current_.overlong != 0 && !overlong_given_) {
            overlong_given_ = true;
            return Line{current_.first_line, {}, current_.overlong};
        }
        if (current_.overlong == 0 && at_ < current_.lines()) return Line{current_line_++, current_.line(at_++), 0};
        if (!fill(current_)) return std::nullopt;
        at_ = 0;
        current_line_ = current_.first_line;
        overlong_given_ = false;
    }
}

// Reads on to the end of the overlong line that `buf` holds the start of, keeping only its length.
void LineReader::skip_line(LineChunk& chunk, std::string& buf) {
    std::uint64_t length = buf.size();
    bytes_ += buf.size();
    while (!eof_) {
        buf.clear();
        read_more(buf, chunk_size_);
        if (std::size_t newline = buf.find('\n'); newline != std::string::npos) {
            length += newline;
            bytes_ += newline + 1;
            carry_.assign(buf, newline + 1, std::string::npos);
            break;
        }
        length += buf.size();
        bytes_ += buf.size();
    }
    buf.assign(JsonRecordReader::padding, '\0');
    chunk.ends.clear();
    chunk.size = 0;
    chunk.overlong = length;
    chunk.first_line = next_line_++;
}

void LineReader::read_more(std::string& buf, std::size_t n) {
    std::size_t have = buf.size();
    buf.resize(have + n);
    std::size_t got = 0;
    while (got < n) {  // a pipe gives what it has: read on until the chunk is full or the input ends
        std::int64_t r = source_(buf.data() + have + got, n - got);
        if (r == -EINTR) continue;
        if (r < 0 && error_ == 0) error_ = static_cast<int>(-r);
        if (r <= 0) {
            eof_ = true;
            break;
        }
        got += static_cast<std::size_t>(r);
    }
    buf.resize(have + got);
}

}  // namespace triage
