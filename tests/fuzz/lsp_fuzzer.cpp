// libFuzzer target: `triage lsp` fed any bytes as the client's side of the pipe. The input is the
// stream after an `initialize` the target sends first (so that requests reach their handlers);
// the server must answer, skip or refuse each message and end when the input ends, never crash,
// hang or grow without bound. Files other than open documents cannot be read.
#include "triage/lsp.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace {

constexpr std::string_view initialize =
    "Content-Length: 62\r\n\r\n"
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{}}    )";

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The input in a memory file, read as a client's pipe is; the answers go nowhere.
    const int input = ::memfd_create("lsp-input", MFD_CLOEXEC);
    const int output = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (input < 0 || output < 0) std::abort();
    if (!write_all(input, initialize) ||
        !write_all(input, std::string_view(reinterpret_cast<const char*>(data), size)) || ::lseek(input, 0, SEEK_SET) != 0)
        std::abort();
    triage::LanguageServerOptions options;
    options.input_fd = input;
    options.output_fd = output;
    options.max_message_bytes = 1 << 20;
    options.compile.read_file = [](const std::filesystem::path&, std::uint64_t) -> triage::FileRead {
        return {std::nullopt, "no files here"};
    };
    const int status = triage::run_language_server(options);
    if (status != 0 && status != 1) std::abort();
    ::close(input);
    ::close(output);
    return 0;
}
