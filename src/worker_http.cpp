// triage/worker_http.hpp on cpp-httplib (libcpp-httplib-dev); without it, --http says so.
#include "worker_http.hpp"

#if TRIAGE_WITH_HTTPLIB
#include <httplib.h>
#include <sys/socket.h>
#endif

#include <charconv>
#include <chrono>

namespace triage::detail {

struct HttpEndpoint::Server {
#if TRIAGE_WITH_HTTPLIB
    httplib::Server http;
#endif
};

bool split_http_address(const std::string& address, std::string& host, int& port) {
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
    host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const char* first = address.data() + colon + 1;
    const char* last = address.data() + address.size();
    auto [end, error] = std::from_chars(first, last, port);
    return error == std::errc() && end == last && port >= 0 && port <= 65535;
}

HttpEndpoint::HttpEndpoint(std::shared_ptr<const WorkerMetrics> metrics)
    : metrics_(std::move(metrics)), server_(std::make_unique<Server>()) {}

#if TRIAGE_WITH_HTTPLIB
HttpEndpoint::~HttpEndpoint() {
    if (thread_.joinable()) {
        server_->http.stop();
        thread_.join();
    }
}

std::string HttpEndpoint::start(const std::string& address) {
    std::string host;
    int port = 0;
    if (!split_http_address(address, host, port))
        return "--http wants HOST:PORT (e.g. 127.0.0.1:9464), not '" + address + "'";
    httplib::Server& http = server_->http;
    // Two threads answer: a scraper and a health probe at once; nothing here is slow.
    http.new_task_queue = [] { return new httplib::ThreadPool(2); };
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second worker given the
    // same port would share it silently and answer for the first.
    http.set_socket_options([](socket_t socket) {
        int yes = 1;
        ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    const WorkerMetrics* metrics = metrics_.get();
    http.Get("/healthz", [metrics](const httplib::Request&, httplib::Response& response) {
        response.status = metrics->healthy() ? 200 : 503;
        response.set_content(health_json(*metrics), "application/json");
    });
    http.Get("/metrics", [metrics](const httplib::Request&, httplib::Response& response) {
        response.set_content(prometheus_text(*metrics), "text/plain; version=0.0.4; charset=utf-8");
    });
    port_ = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
    if (port_ <= 0) return "cannot listen on " + address + " for --http";
    thread_ = std::thread([&http] { http.listen_after_bind(); });
    // stop() ends only a server that runs: wait until it does, so that the destructor can stop it.
    for (int i = 0; i < 5'000 && !http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (http.is_running()) return {};
    http.stop();
    thread_.join();
    return "cannot serve on " + address + " for --http";
}

#else
HttpEndpoint::~HttpEndpoint() = default;

std::string HttpEndpoint::start(const std::string&) {
    return "--http is unavailable: this triage was built without cpp-httplib (libcpp-httplib-dev)";
}
#endif

}  // namespace triage::detail
