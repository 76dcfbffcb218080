// The worker's HTTP port (cpp-httplib): GET /healthz (200 while connected and consuming, 503
// otherwise, a small JSON body) and GET /metrics (Prometheus text format 0.0.4). It reads the
// metrics' atomics only, on its own threads.
#pragma once

#include "worker_metrics.hpp"

#include <memory>
#include <string>
#include <thread>

namespace triage::detail {

class HttpEndpoint {
public:
    explicit HttpEndpoint(std::shared_ptr<const WorkerMetrics> metrics);
    ~HttpEndpoint();  // stops serving and waits for the server's threads
    HttpEndpoint(const HttpEndpoint&) = delete;
    HttpEndpoint& operator=(const HttpEndpoint&) = delete;

    // Binds "HOST:PORT" (port 0: one the kernel picks) and serves on a thread of its own. Empty
    // on success; otherwise why not.
    [[nodiscard]] std::string start(const std::string& address);
    // The port bound, once started.
    [[nodiscard]] int port() const { return port_; }

private:
    struct Server;
    std::shared_ptr<const WorkerMetrics> metrics_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    int port_ = 0;
};

// Splits "HOST:PORT" ("[::1]:PORT" for IPv6); false when it is not one.
[[nodiscard]] bool split_http_address(const std::string& address, std::string& host, int& port);

}  // namespace triage::detail
