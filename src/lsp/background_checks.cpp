#include "lsp/background_checks.hpp"

#include "solver.hpp"

#include <cerrno>
#include <exception>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace triage::lsp {

BackgroundChecks::BackgroundChecks(Limits limits) : limits_(limits) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    wake_read_ = ends[0];
    wake_write_ = ends[1];
    thread_ = std::jthread([this](std::stop_token stop) { work(std::move(stop)); });
}

BackgroundChecks::~BackgroundChecks() {
    {
        std::lock_guard lock(mutex_);
        waiting_.clear();
        if (running_stop_) running_stop_->request_stop();
    }
    thread_.request_stop();  // ends the wait too (condition_variable_any with the stop token)
    thread_.join();
    ::close(wake_read_);
    ::close(wake_write_);
}

void BackgroundChecks::stop_running(std::string_view uri) {
    if (running_stop_ && running_uri_ == uri) running_stop_->request_stop();
}

void BackgroundChecks::submit(std::string uri, std::int64_t version, std::shared_ptr<const CompileResult> result) {
    {
        std::lock_guard lock(mutex_);
        stop_running(uri);
        if (auto it = done_.find(uri); it != done_.end()) done_.erase(it);
        waiting_.insert_or_assign(std::move(uri), Job{version, std::move(result)});
    }
    wake_.notify_one();
}

void BackgroundChecks::cancel(std::string_view uri) {
    std::lock_guard lock(mutex_);
    stop_running(uri);
    if (auto it = waiting_.find(uri); it != waiting_.end()) waiting_.erase(it);
    if (auto it = done_.find(uri); it != done_.end()) done_.erase(it);
}

std::vector<BackgroundChecks::Done> BackgroundChecks::take_done() {
    char bytes[256];
    while (::read(wake_read_, bytes, sizeof bytes) > 0) {}  // empty the pipe before taking: no wake is lost
    std::lock_guard lock(mutex_);
    std::vector<Done> out;
    for (auto& [uri, done] : done_) out.push_back(std::move(done));
    done_.clear();
    return out;
}

void BackgroundChecks::work(std::stop_token thread_stop) {
    std::unique_lock lock(mutex_);
    while (!thread_stop.stop_requested()) {
        if (!wake_.wait(lock, thread_stop, [&] { return !waiting_.empty(); }) || thread_stop.stop_requested()) break;
        auto next = waiting_.begin();
        std::string uri = next->first;
        Job job = std::move(next->second);
        waiting_.erase(next);
        running_uri_ = uri;
        running_stop_.emplace();
        const std::stop_token stop = running_stop_->get_token();
        lock.unlock();
        std::optional<std::vector<Diagnostic>> diagnostics;
        try {
            diagnostics = detail::with_semantic_checks(*job.result, limits_, stop);
        } catch (const std::exception&) {  // out of memory: the ordinary diagnostics stand alone
        }
        lock.lock();
        running_uri_.clear();
        running_stop_.reset();
        if (stop.stop_requested() || !diagnostics) continue;  // a newer text, or the document closed: not wanted
        done_.insert_or_assign(uri, Done{uri, job.version, std::move(job.result), std::move(*diagnostics)});
        const char wake = 1;
        [[maybe_unused]] ssize_t n = ::write(wake_write_, &wake, 1);  // full: a wake is pending already
    }
}

}  // namespace triage::lsp
