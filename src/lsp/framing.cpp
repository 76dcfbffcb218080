#include "lsp/framing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <string_view>

#include <poll.h>
#include <unistd.h>

namespace triage::lsp {

namespace {

// Headers are a line or two; more than this is not a client speaking LSP.
constexpr std::size_t max_header_bytes = 8192;

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The Content-Length of a header section (its lines without the blank one), if one is valid.
std::optional<std::size_t> content_length(std::string_view headers) {
    std::optional<std::size_t> length;
    while (!headers.empty()) {
        std::size_t end = headers.find("\r\n");
        std::string_view line = headers.substr(0, end);
        headers.remove_prefix(end == std::string_view::npos ? headers.size() : end + 2);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || !same_name(trim(line.substr(0, colon)), "Content-Length")) continue;
        std::string_view value = trim(line.substr(colon + 1));
        std::size_t n = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || ptr != value.data() + value.size() || value.empty()) return std::nullopt;
        length = n;
    }
    return length;
}

}  // namespace

std::optional<Frame> FrameReader::next(bool wait, int wake_fd) {
    for (;;) {
        if (auto frame = take_frame()) return frame;
        if (ended_)
            return EndOfInput{buffer_.empty() && skip_ == 0 ? std::string() : "the input ended inside a message"};
        if (!fill(wait, wake_fd)) return std::nullopt;
    }
}

bool FrameReader::fill(bool wait, int wake_fd) {
    if (!wait || wake_fd >= 0) {
        // POLLHUP and POLLERR count as ready: the read sees the end. The input is read first when
        // both are ready, so that a wake never starves the client.
        pollfd ready[2] = {{fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        int n = 0;
        do n = ::poll(ready, wait ? 2 : 1, wait ? -1 : 0);
        while (n < 0 && errno == EINTR);
        if (n < 0 ? !wait : (n == 0 || ready[0].revents == 0)) return false;  // a failed wait: the read tells
    }
    char chunk[65536];
    ssize_t n = 0;
    do n = ::read(fd_, chunk, sizeof chunk);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        ended_ = true;
        return true;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
}

std::optional<Frame> FrameReader::take_frame() {
    if (skip_ > 0) {  // a refused body is thrown away as it arrives, never held
        std::size_t drop = std::min(skip_, buffer_.size());
        buffer_.erase(0, drop);
        skip_ -= drop;
        if (skip_ > 0) return std::nullopt;
    }
    std::size_t blank = buffer_.find("\r\n\r\n");
    if (blank == std::string::npos) {
        if (buffer_.size() <= max_header_bytes) return std::nullopt;
        ended_ = true;
        buffer_.clear();
        return EndOfInput{fmt::format("a message header over {} bytes", max_header_bytes)};
    }
    if (blank > max_header_bytes) {
        ended_ = true;
        buffer_.clear();
        return EndOfInput{fmt::format("a message header over {} bytes", max_header_bytes)};
    }
    std::optional<std::size_t> length = content_length(std::string_view(buffer_).substr(0, blank));
    const std::size_t body = blank + 4;
    if (!length) {
        buffer_.erase(0, body);
        return FrameError{"a message without a valid Content-Length header"};
    }
    if (*length > max_body_) {
        buffer_.erase(0, body);
        skip_ = *length;
        return FrameError{fmt::format("a message of {} bytes; the limit is {}", *length, max_body_)};
    }
    if (buffer_.size() - body < *length) return std::nullopt;
    std::string message = buffer_.substr(body, *length);
    buffer_.erase(0, body + *length);
    return message;
}

bool write_frame(int fd, const std::string& body) {
    std::string frame = fmt::format("Content-Length: {}\r\n\r\n", body.size());
    frame += body;
    std::string_view left = frame;
    while (!left.empty()) {
        ssize_t n = ::write(fd, left.data(), left.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        left.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace triage::lsp
