// The files the tool reads and writes. Outputs are written so that no input and no previous
// result is ever lost.
//
// A regular file is written to a new temporary file in the same directory (created with O_EXCL,
// so a link planted there is never followed), flushed to the disk, given the old file's mode, and
// only then renamed over the target: a crash, a full disk or a failed run leaves the previous file
// as it was. Standard output, FIFOs and devices (/dev/null, /dev/stdout) are written directly.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace triage::cli {

class OutputFile {
public:
    // Opens `path` ('-' = standard output) for writing. nullopt after a message on stderr that
    // names the reason.
    [[nodiscard]] static std::optional<OutputFile> open(const std::string& path);

    OutputFile(OutputFile&& other) noexcept;
    OutputFile& operator=(OutputFile&&) = delete;
    OutputFile(const OutputFile&) = delete;
    ~OutputFile();  // removes the temporary file when commit() was not reached

    // Appends bytes; false once anything failed (error() says why). Nothing is retried.
    bool write(std::string_view bytes);
    // Flushes, syncs and moves the file into place; false after a message on stderr naming the
    // reason, with the target left as it was.
    [[nodiscard]] bool commit();

    [[nodiscard]] bool failed() const { return !error_.empty(); }
    [[nodiscard]] const std::string& error() const { return error_; }
    // "'decisions.jsonl'" or "standard output", for messages.
    [[nodiscard]] std::string name() const;

private:
    OutputFile() = default;
    void fail(int error_number);

    std::string path_;       // the target, or "-"
    std::string temporary_;  // empty when writing the target directly
    std::FILE* stream_ = nullptr;
    std::string error_;
    bool committed_ = false;
};

// A stream of mentions opened for reading ('-' = standard input), closed when done.
class InputFile {
public:
    // nullopt after a message on stderr naming the reason (a directory is refused too).
    [[nodiscard]] static std::optional<InputFile> open(const std::string& path);
    InputFile(InputFile&& other) noexcept;
    InputFile& operator=(InputFile&&) = delete;
    InputFile(const InputFile&) = delete;
    ~InputFile();
    [[nodiscard]] std::FILE* get() const { return stream_; }
    [[nodiscard]] std::uint64_t size() const { return size_; }  // of a regular file; 0 when unknown

private:
    InputFile() = default;
    std::FILE* stream_ = nullptr;
    std::uint64_t size_ = 0;
};

// Writes `text` to `path` as one OutputFile: false after a message on stderr.
[[nodiscard]] bool write_output(const std::string& path, std::string_view text);

// A path the command reads or writes, with the words that name it in a message ("-o", "the
// mentions file"). '-' stands for standard input (inputs) or standard output (outputs).
struct NamedPath {
    std::string role;
    std::string path;
};

// False, after a message on stderr, when an output is the same file as an input or as another
// output (compared by device and inode, after symbolic links): writing it would destroy what is
// read. Outputs that are not regular files (FIFOs, /dev/null) may be shared.
[[nodiscard]] bool outputs_spare_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

// Reads a whole file ('-' = standard input) of at most `max_bytes`: the bytes, or nullopt with the
// reason in `error` ("No such file or directory", "is a directory", "is larger than 16 MiB").
[[nodiscard]] std::optional<std::string> read_input(const std::string& path, std::uint64_t max_bytes, std::string& error);

// A flow file a command was given, or found under a directory it was given.
struct FlowFile {
    std::string path;             // '-' for standard input
    bool from_directory = false;  // found by the walk, not named
};

// The flow files that `paths` name, for check, fmt and test: a file as named (even without the
// .flow extension), '-' as standard input, a directory searched recursively for *.flow — each
// directory's finds in sorted order, symbolic links to directories not followed (no loops). A
// path that does not exist is kept, so that reading it reports why. nullopt after a message on
// stderr when a directory cannot be read.
[[nodiscard]] std::optional<std::vector<FlowFile>> find_flow_files(const std::vector<std::string>& paths);

}  // namespace triage::cli
