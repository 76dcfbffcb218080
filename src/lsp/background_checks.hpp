// The solver's checks (T031, T033 by what the conditions say) of the open documents, on a thread
// of their own, so that the ordinary diagnostics never wait for the solver. One check runs at a
// time; a newer text of the same document stops it (Z3 is interrupted) and replaces the one still
// waiting, so at most one check waits and one result is kept per open document. A result is
// told to the server's loop through a pipe it polls with its input.
#pragma once

#include "triage/compile.hpp"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace triage::lsp {

class BackgroundChecks {
public:
    // A finished check: the document's diagnostics with the solver's, for the compilation it was given.
    struct Done {
        std::string uri;
        std::int64_t version = 0;
        std::shared_ptr<const CompileResult> result;
        std::vector<Diagnostic> diagnostics;
    };

    // The solver's questions are bounded by limits.solver_rlimit each. Throws std::system_error
    // when no pipe or thread can be made.
    explicit BackgroundChecks(Limits limits);
    ~BackgroundChecks();  // stops the running check and waits for the thread
    BackgroundChecks(const BackgroundChecks&) = delete;
    BackgroundChecks& operator=(const BackgroundChecks&) = delete;

    // Readable while results wait to be taken.
    [[nodiscard]] int ready_fd() const { return wake_read_; }

    // Checks `result`, the compilation of `uri` at `version` (a flow that compiled: others have
    // nothing to check), after the checks already asked for; stops or replaces the document's own.
    void submit(std::string uri, std::int64_t version, std::shared_ptr<const CompileResult> result);
    // Forgets the document's check, waiting, running or done (it was closed).
    void cancel(std::string_view uri);
    // The results since the last call.
    [[nodiscard]] std::vector<Done> take_done();

private:
    struct Job {
        std::int64_t version = 0;
        std::shared_ptr<const CompileResult> result;
    };

    void work(std::stop_token thread_stop);
    void stop_running(std::string_view uri);  // with mutex_ held

    Limits limits_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::map<std::string, Job, std::less<>> waiting_;  // by URI: one each
    std::string running_uri_;                          // the check in progress, if any
    std::optional<std::stop_source> running_stop_;
    std::map<std::string, Done, std::less<>> done_;    // by URI: the latest each
    int wake_read_ = -1;
    int wake_write_ = -1;
    std::jthread thread_;  // last: it starts once the rest is made, and is joined first
};

}  // namespace triage::lsp
