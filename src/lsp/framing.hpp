// JSON-RPC framing over a byte stream, as LSP frames it: `Content-Length: N` headers, a blank
// line, then N bytes of JSON. Reading never trusts the peer: the header section and the body are
// bounded, and a frame that breaks a rule is an error the server answers, not a crash.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

namespace triage::lsp {

// A frame whose body was refused (too large, no length) and skipped; `message` says why.
struct FrameError {
    std::string message;
};
// The input ended, or a header could not be read at all: nothing more will come.
struct EndOfInput {
    std::string reason;  // empty at a clean end between frames
};
using Frame = std::variant<std::string, FrameError, EndOfInput>;

class FrameReader {
public:
    FrameReader(int fd, std::size_t max_body_bytes) : fd_(fd), max_body_(max_body_bytes) {}

    // The next frame, waiting for it when `wait`; without `wait`, nullopt when no whole frame is
    // in hand and none is ready to read (the server drains what has arrived before it works, so
    // that a `$/cancelRequest` right behind a request is seen before the request is answered).
    // While waiting, `wake_fd` (when not -1) becoming readable ends the wait too: nullopt.
    std::optional<Frame> next(bool wait, int wake_fd = -1);

private:
    // Reads what the descriptor has (blocking when `wait`, until it or `wake_fd` is readable);
    // false when nothing was read and the input has not ended.
    bool fill(bool wait, int wake_fd);
    std::optional<Frame> take_frame();

    int fd_;
    std::size_t max_body_;
    std::string buffer_;
    std::size_t skip_ = 0;  // body bytes of a refused frame still to be thrown away
    bool ended_ = false;
};

// Writes one frame; false when the peer is gone.
bool write_frame(int fd, const std::string& body);

}  // namespace triage::lsp
