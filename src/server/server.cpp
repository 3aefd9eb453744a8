#include "net/sigpipe_guard.hpp"
#include "server/worker.hpp"

#include <pier/server.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <pthread.h>
#include <string>
#include <thread>
#include <vector>

namespace pier {

struct Server::Impl {
    server::Shared shared;
    std::vector<std::unique_ptr<server::Worker>> workers;
    std::uint16_t port = 0;
};

Server::Server(ServerConfig config, Handler handler) : impl_(std::make_unique<Impl>()) {
    impl_->shared.config = std::move(config);
    impl_->shared.direct = std::move(handler);
}

Server::Server(ServerConfig config, Router router) : impl_(std::make_unique<Impl>()) {
    impl_->shared.config = std::move(config);
    impl_->shared.router = std::move(router);
}

Server::~Server() = default;

namespace {

// SO_REUSEPORT lets our workers share a port, but it would also let a second server started
// by the same user share it silently. A probe bind without the option fails if anyone holds
// the port, which is the "address already in use" a user expects.
bool port_is_free(const net::SocketAddress& address, std::string& error) {
    net::ListenOptions probe;
    probe.reuse_port = false;
    probe.backlog = 1;
    return static_cast<bool>(net::listen_on(address, probe, error));
}

// What a client that sends plain HTTP to the TLS port reads (nginx answers 400 with its own
// 497 page); it cannot be told which URL to use, since its Host field was not read.
std::string plaintext_reply() {
    static constexpr std::string_view kText =
        "This port speaks HTTPS: send the request again with an https:// URL.\n";
    return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Length: " +
           std::to_string(kText.size()) + "\r\nConnection: close\r\n\r\n" + std::string(kText);
}

} // namespace

bool Server::reload_tls(std::string& error) {
    const ServerConfig& config = impl_->shared.config;
    if (!config.tls.enabled()) {
        error = "the server does not speak TLS";
        return false;
    }
    auto tls = net::TlsContext::create(config.tls, plaintext_reply(), error);
    if (!tls) return false;
    impl_->shared.tls.store(std::move(tls), std::memory_order_release);
    return true;
}

bool Server::tls_enabled() const noexcept {
    return impl_->shared.config.tls.enabled();
}

bool Server::kernel_tls() const noexcept {
    return tls_enabled() && net::TlsContext::kernel_tls_available();
}

bool Server::listen(std::string& error) {
    const ServerConfig& config = impl_->shared.config;
    net::SocketAddress address;
    if (!net::make_bind_address(config.host, config.port, address)) {
        error = "not a numeric IPv4 or IPv6 address: '" + config.host + "'";
        return false;
    }
    if (config.port != 0 && !port_is_free(address, error)) return false;
    if (config.tls.enabled()) {
        auto tls = net::TlsContext::create(config.tls, plaintext_reply(), error);
        if (!tls) return false;
        impl_->shared.tls.store(std::move(tls));
    }
    unsigned threads = config.threads != 0 ? config.threads : std::thread::hardware_concurrency();
    if (threads == 0) threads = 1;
    impl_->workers.clear();
    impl_->shared.pool = std::make_unique<server::BlockingPool>(
        std::max(1u, config.blocking_threads), config.max_blocking_queue);
    for (unsigned i = 0; i < threads; ++i) {
        auto w = std::make_unique<server::Worker>(impl_->shared);
        if (!w->listen(address, error)) return false;
        if (i == 0) {
            // Port 0: every other worker joins the port the kernel gave the first.
            impl_->port = w->port();
            net::make_bind_address(config.host, impl_->port, address);
        }
        impl_->workers.push_back(std::move(w));
    }
    return true;
}

std::uint16_t Server::port() const noexcept {
    return impl_->port;
}

void Server::run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->workers.size(); ++i)
        threads.emplace_back([w = impl_->workers[i].get()] {
            sigset_t all; // signals belong to the caller's thread (see run_until_signalled)
            sigfillset(&all);
            pthread_sigmask(SIG_BLOCK, &all, nullptr);
            w->run();
        });
    if (!impl_->workers.empty()) {
        // The other workers block every signal; this one runs on the caller's thread, where a
        // sendfile to a client that has gone would otherwise raise SIGPIPE and end the process.
        const net::SigpipeGuard guard;
        impl_->workers[0]->run();
    }
    for (auto& t : threads) t.join();
    // Blocking jobs still running finish now; their completions are posted to loops that
    // have stopped, so run those by hand before anything is destroyed.
    impl_->shared.pool.reset();
    for (auto& w : impl_->workers) w->loop().drain_posted();
}

void Server::stop(bool graceful) noexcept {
    for (auto& w : impl_->workers) w->stop(graceful);
}

} // namespace pier
