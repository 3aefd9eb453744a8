// A scripted HTTP server for client tests, in the manner of curl's test server: each accepted
// connection plays its script — read one request, answer with canned bytes (well-formed or
// not), maybe close — and every byte the client sent is kept for the test to compare.
// Every wait is bounded (5 s), so a broken client fails the test instead of hanging it.
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace pier::test {

struct Exchange {
    Exchange(std::string reply_bytes, std::string interim_bytes = {}, bool close = false,
             bool close_without_reply = false)
        : reply(std::move(reply_bytes)), interim(std::move(interim_bytes)), close_after(close),
          close_instead(close_without_reply) {}
    std::string reply;                  // bytes written after the request is read
    std::string interim;                // written after the head, before the body
    bool close_after = false;           // shut the connection after the reply
    bool close_instead = false;         // read the request, close without a reply
    std::chrono::milliseconds delay{0}; // before the reply
    std::string rest;                   // written `pause` after the reply
    std::chrono::milliseconds pause{0};
};
using Script = std::vector<Exchange>; // one connection

class ScriptedServer {
  public:
    explicit ScriptedServer(std::vector<Script> connections)
        : scripts_(std::move(connections)), received_(scripts_.size()) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(listener_, 16) != 0)
            throw std::runtime_error("scripted server: cannot listen");
        socklen_t len = sizeof a;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~ScriptedServer() {
        finish();
        ::close(listener_);
    }
    std::uint16_t port() const { return port_; }
    /// Waits for the script to end, then: what the client sent on connection i.
    std::string received(std::size_t i) {
        finish();
        std::lock_guard lock(mutex_);
        return received_.at(i);
    }
    /// How many connections the client opened (after the script ended).
    std::size_t accepted() {
        finish();
        return accepted_;
    }
    void finish() {
        if (thread_.joinable()) thread_.join();
    }

  private:
    static bool wait_readable(int fd, int ms) {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, ms) > 0;
    }
    static void send_all(int fd, std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) return;
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    // Reads one request (head, then a Content-Length or chunked body) into `got`.
    bool read_request(int fd, std::string& got, const Exchange& e) {
        const std::size_t start = got.size();
        auto read_some = [&] {
            if (!wait_readable(fd, 5000)) return false;
            char buf[65536];
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return false;
            std::lock_guard lock(mutex_);
            got.append(buf, static_cast<std::size_t>(n));
            return true;
        };
        std::size_t head_end;
        while ((head_end = got.find("\r\n\r\n", start)) == std::string::npos)
            if (!read_some()) return false;
        head_end += 4;
        std::string head = got.substr(start, head_end - start);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!e.interim.empty()) ::send(fd, e.interim.data(), e.interim.size(), MSG_NOSIGNAL);
        if (const auto cl = head.find("\r\ncontent-length:"); cl != std::string::npos) {
            const std::size_t length = std::stoul(head.substr(cl + 17));
            while (got.size() < head_end + length)
                if (!read_some()) return false;
        } else if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
            while (got.find("\r\n0\r\n\r\n", head_end - 2) == std::string::npos)
                if (!read_some()) return false;
        }
        return true;
    }
    void run() {
        for (std::size_t i = 0; i < scripts_.size(); ++i) {
            if (!wait_readable(listener_, 5000)) return;
            const int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) return;
            ++accepted_;
            for (const Exchange& e : scripts_[i]) {
                if (!read_request(fd, received_[i], e)) break;
                if (e.close_instead) break;
                if (e.delay.count() != 0) std::this_thread::sleep_for(e.delay);
                send_all(fd, e.reply);
                if (!e.rest.empty()) {
                    std::this_thread::sleep_for(e.pause);
                    send_all(fd, e.rest);
                }
                if (e.close_after) break;
            }
            ::shutdown(fd, SHUT_WR);
            // Let the client read what was sent before the close turns into a reset.
            char sink[4096];
            while (wait_readable(fd, 200) && ::recv(fd, sink, sizeof sink, 0) > 0) {
            }
            ::close(fd);
        }
    }

    std::vector<Script> scripts_;
    std::vector<std::string> received_;
    std::mutex mutex_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::size_t accepted_ = 0;
    std::thread thread_;
};

} // namespace pier::test
