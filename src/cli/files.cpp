#include "files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace triage::cli {

namespace {

std::string reason(int error_number) { return std::strerror(error_number); }

// A device named as an input file (/dev/zero, /dev/urandom) would be read for ever; /dev/null,
// which ends at once, is the one a command line may name as an empty input.
bool endless_device(const struct stat& s) {
    if (!S_ISCHR(s.st_mode) && !S_ISBLK(s.st_mode)) return false;
    struct stat null {};
    return !(S_ISCHR(s.st_mode) && ::stat("/dev/null", &null) == 0 && null.st_rdev == s.st_rdev);
}

// The temporary file's name: hidden, beside the target, unique (mkstemp's six letters).
std::string temporary_pattern(const std::string& path) {
    std::filesystem::path target(path);
    std::filesystem::path directory = target.parent_path();
    std::string name = "." + target.filename().string() + ".triage-XXXXXX";
    return directory.empty() ? name : (directory / name).string();
}

}  // namespace

std::optional<OutputFile> OutputFile::open(const std::string& path) {
    OutputFile file;
    file.path_ = path;
    if (path == "-") {
        file.stream_ = stdout;
        return file;
    }
    struct stat existing {};
    const bool exists = ::stat(path.c_str(), &existing) == 0;
    if (exists && S_ISDIR(existing.st_mode)) {
        fmt::print(stderr, "triage: cannot write '{}': it is a directory\n", path);
        return std::nullopt;
    }
    if (exists && !S_ISREG(existing.st_mode)) {  // a FIFO or a device: there is nothing to keep
        file.stream_ = std::fopen(path.c_str(), "wb");
        if (file.stream_ == nullptr) {
            fmt::print(stderr, "triage: cannot write '{}': {}\n", path, reason(errno));
            return std::nullopt;
        }
        return file;
    }
    std::string temporary = temporary_pattern(path);
    int fd = ::mkstemp(temporary.data());  // O_CREAT | O_EXCL, mode 0600
    if (fd < 0) {
        fmt::print(stderr, "triage: cannot write '{}': {}\n", path, reason(errno));
        return std::nullopt;
    }
    // The old file's mode, or what a new file would get under the umask.
    mode_t mode = 0;
    if (exists) {
        mode = existing.st_mode & 07777;
    } else {
        mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    if (::fchmod(fd, mode) != 0 || (file.stream_ = ::fdopen(fd, "wb")) == nullptr) {
        fmt::print(stderr, "triage: cannot write '{}': {}\n", path, reason(errno));
        ::close(fd);
        ::unlink(temporary.c_str());
        return std::nullopt;
    }
    file.temporary_ = std::move(temporary);
    return file;
}

OutputFile::OutputFile(OutputFile&& other) noexcept
    : path_(std::move(other.path_)),
      temporary_(std::move(other.temporary_)),
      stream_(std::exchange(other.stream_, nullptr)),
      error_(std::move(other.error_)),
      committed_(other.committed_) {
    other.temporary_.clear();
}

OutputFile::~OutputFile() {
    if (stream_ != nullptr && stream_ != stdout) std::fclose(stream_);
    if (!temporary_.empty() && !committed_) ::unlink(temporary_.c_str());
}

void OutputFile::fail(int error_number) {
    if (error_.empty()) error_ = reason(error_number != 0 ? error_number : EIO);
}

bool OutputFile::write(std::string_view bytes) {
    if (failed()) return false;
    errno = 0;
    if (std::fwrite(bytes.data(), 1, bytes.size(), stream_) != bytes.size()) fail(errno);
    return !failed();
}

bool OutputFile::commit() {
    if (!failed()) {
        errno = 0;
        if (std::fflush(stream_) != 0) fail(errno);
    }
    if (!failed() && !temporary_.empty() && ::fsync(::fileno(stream_)) != 0) fail(errno);
    if (stream_ != stdout) {
        errno = 0;
        if (std::fclose(stream_) != 0) fail(errno);
        stream_ = nullptr;
    }
    if (!failed() && !temporary_.empty() && ::rename(temporary_.c_str(), path_.c_str()) != 0) fail(errno);
    if (failed()) {
        fmt::print(stderr, "triage: writing {} failed: {}{}\n", name(), error_,
                   temporary_.empty() ? "" : "; the file was left as it was");
        return false;
    }
    committed_ = true;
    return true;
}

std::string OutputFile::name() const { return path_ == "-" ? "standard output" : fmt::format("'{}'", path_); }

std::optional<InputFile> InputFile::open(const std::string& path) {
    InputFile file;
    if (path == "-") {
        file.stream_ = stdin;
        return file;
    }
    file.stream_ = std::fopen(path.c_str(), "rb");
    if (file.stream_ == nullptr) {
        fmt::print(stderr, "triage: cannot read '{}': {}\n", path, reason(errno));
        return std::nullopt;
    }
    struct stat s {};
    if (::fstat(::fileno(file.stream_), &s) == 0) {
        // A device (/dev/zero, /dev/urandom) is no file of mentions: it would be read for ever.
        // A terminal or a pipe comes as '-'.
        if (S_ISDIR(s.st_mode) || endless_device(s)) {
            fmt::print(stderr, "triage: cannot read '{}': {}\n", path,
                       S_ISDIR(s.st_mode) ? "it is a directory" : "it is a device, not a file (use '-' for standard input)");
            return std::nullopt;  // the destructor closes it
        }
        if (S_ISREG(s.st_mode)) file.size_ = static_cast<std::uint64_t>(s.st_size);
    }
    return file;
}

InputFile::InputFile(InputFile&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)), size_(other.size_) {}

InputFile::~InputFile() {
    if (stream_ != nullptr && stream_ != stdin) std::fclose(stream_);
}

bool write_output(const std::string& path, std::string_view text) {
    std::optional<OutputFile> file = OutputFile::open(path);
    if (!file) return false;
    file->write(text);
    return file->commit();
}

namespace {

// The file a path names, after links: its device and inode when it exists, else the path it
// would be created at.
struct Identity {
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    bool regular = false;
    std::string future_path;

    [[nodiscard]] bool same(const Identity& other) const {
        if (exists != other.exists) return false;
        return exists ? device == other.device && inode == other.inode : future_path == other.future_path;
    }
};

Identity identify(const std::string& path, bool is_output) {
    Identity id;
    struct stat s {};
    int result = path == "-" ? ::fstat(is_output ? STDOUT_FILENO : STDIN_FILENO, &s) : ::stat(path.c_str(), &s);
    if (result == 0) {
        id.exists = true;
        id.device = s.st_dev;
        id.inode = s.st_ino;
        id.regular = S_ISREG(s.st_mode);
        return id;
    }
    std::error_code ec;
    id.regular = true;  // what a new output becomes
    id.future_path = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec).string();
    return id;
}

std::string describe(const NamedPath& p, bool is_output) {
    if (p.path == "-") return fmt::format("{} (standard {})", p.role, is_output ? "output" : "input");
    return fmt::format("{} '{}'", p.role, p.path);
}

}  // namespace

bool outputs_spare_inputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
    for (std::size_t o = 0; o < outputs.size(); ++o) {
        const Identity out = identify(outputs[o].path, true);
        if (!out.regular) continue;
        for (const NamedPath& in : inputs) {
            if (!out.same(identify(in.path, false))) continue;
            fmt::print(stderr,
                       "triage: {} is the same file as {}: writing it would destroy what is read; "
                       "choose another file\n",
                       describe(outputs[o], true), describe(in, false));
            return false;
        }
        for (std::size_t other = o + 1; other < outputs.size(); ++other) {
            if (!out.same(identify(outputs[other].path, true))) continue;
            fmt::print(stderr, "triage: {} and {} are the same file; choose another file for one of them\n",
                       describe(outputs[o], true), describe(outputs[other], true));
            return false;
        }
    }
    return true;
}

std::optional<std::string> read_input(const std::string& path, std::uint64_t max_bytes, std::string& error) {
    int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        error = reason(errno);
        return std::nullopt;
    }
    struct stat s {};
    if (::fstat(fd, &s) == 0 && path != "-" && (S_ISDIR(s.st_mode) || endless_device(s))) {
        error = S_ISDIR(s.st_mode) ? "it is a directory" : "it is a device, not a file";
        ::close(fd);
        return std::nullopt;
    }
    std::string bytes;
    if (S_ISREG(s.st_mode) && static_cast<std::uint64_t>(s.st_size) <= max_bytes)
        bytes.reserve(static_cast<std::size_t>(s.st_size));
    char buffer[1 << 16];
    for (;;) {
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            error = reason(errno);
            break;
        }
        if (got == 0) break;
        if (bytes.size() + static_cast<std::uint64_t>(got) > max_bytes) {
            error = fmt::format("it is larger than {} bytes", max_bytes);
            break;
        }
        bytes.append(buffer, static_cast<std::size_t>(got));
    }
    if (fd != STDIN_FILENO) ::close(fd);
    if (!error.empty()) return std::nullopt;
    return bytes;
}

std::optional<std::vector<FlowFile>> find_flow_files(const std::vector<std::string>& paths) {
    namespace fs = std::filesystem;
    std::vector<FlowFile> files;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (path == "-" || !fs::is_directory(path, ec)) {
            files.push_back({path, false});
            continue;
        }
        std::vector<std::string> found;
        fs::recursive_directory_iterator walk(path, ec), end;
        for (; !ec && walk != end; walk.increment(ec)) {
            std::error_code type_error;
            if (walk->path().extension() == ".flow" && walk->is_regular_file(type_error))
                found.push_back(walk->path().string());
        }
        if (ec) {
            fmt::print(stderr, "triage: cannot search '{}' for flows: {}\n", path, ec.message());
            return std::nullopt;
        }
        std::sort(found.begin(), found.end());
        for (std::string& f : found) files.push_back({std::move(f), true});
    }
    return files;
}

}  // namespace triage::cli
