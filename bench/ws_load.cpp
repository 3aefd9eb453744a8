// WebSocket echo load for bench/ws_vs_node.sh: the same generator for every server, on raw
// sockets and one epoll loop, so that what differs between runs is the server.
//
//   ws_load HOST PORT PATH CONNECTIONS WINDOW SIZE SECONDS [SUBPROTOCOL]
//
// Opens CONNECTIONS WebSockets (no extensions offered: every server answers uncompressed), keeps
// WINDOW binary messages of SIZE bytes in flight on each, and sends one more for each SIZE bytes
// of payload that come back — so a server that splits or joins messages on the way back is
// measured all the same. "%d" in PATH becomes the connection's index (libwebsockets' mirror
// protocol echoes to everyone on one mirror: each connection gets its own). After a warm-up of
// a tenth of the time, counts for SECONDS and prints one line:
//
//   messages=N seconds=S rate=R cpu=C
//
// where C is this process's CPU time over the wall time (near 1: the generator, not the server,
// may be the limit). Exit 1, with a message, when a handshake fails or a server closes.
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "ws_load: %s\n", what.c_str());
    std::exit(1);
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// One client frame: binary, FIN, masked with a fixed key (the server unmasks it all the same).
std::string masked_frame(std::size_t size) {
    std::string f;
    f += static_cast<char>(0x82);
    if (size < 126) {
        f += static_cast<char>(0x80 | size);
    } else if (size < 65536) {
        f += static_cast<char>(0x80 | 126);
        f += static_cast<char>(size >> 8);
        f += static_cast<char>(size & 0xff);
    } else {
        f += static_cast<char>(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) f += static_cast<char>((size >> shift) & 0xff);
    }
    const char mask[4] = {0x37, 0x5a, 0x1c, 0x6e};
    f.append(mask, 4);
    for (std::size_t i = 0; i < size; ++i) f += static_cast<char>('x' ^ mask[i % 4]);
    return f;
}

struct Connection {
    int fd = -1;
    std::string out;          // frames the socket has not taken yet
    std::size_t out_sent = 0; // of `out`
    unsigned char header[14]; // a server frame's header, as it comes
    std::size_t header_have = 0;
    std::uint64_t payload_left = 0; // of the frame being read
    bool counting = false;          // that frame is data (not a ping)
    std::uint64_t echoed = 0;       // payload bytes back, not yet a whole message
};

int open_websocket(const sockaddr_in& address, const std::string& host, const std::string& path,
                   const std::string& protocol, std::string& leftover) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        die("connect: " + std::string(std::strerror(errno)));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n";
    if (!protocol.empty()) request += "Sec-WebSocket-Protocol: " + protocol + "\r\n";
    request += "\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size()))
        die("handshake: send failed");
    std::string in;
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
        char buf[4096];
        const ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) die("handshake: no answer");
        in.append(buf, static_cast<std::size_t>(n));
    }
    if (in.compare(0, 12, "HTTP/1.1 101") != 0)
        die("handshake refused: " + in.substr(0, in.find("\r\n")));
    leftover = in.substr(end + 4);
    return fd;
}

// Reads what `c`'s frames say; returns the whole messages' worth of payload that came back.
std::uint64_t consume(Connection& c, const unsigned char* p, std::size_t n, std::size_t size) {
    std::uint64_t messages = 0;
    while (n > 0) {
        if (c.payload_left == 0 && c.header_have < 2) {
            c.header[c.header_have++] = *p++;
            --n;
            continue;
        }
        if (c.payload_left == 0 && c.header_have >= 2) {
            const unsigned len7 = c.header[1] & 0x7f;
            const std::size_t need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
            if (c.header_have < need) {
                c.header[c.header_have++] = *p++;
                --n;
                continue;
            }
            std::uint64_t len = len7;
            if (len7 == 126) len = (std::uint64_t{c.header[2]} << 8) | c.header[3];
            if (len7 == 127) {
                len = 0;
                for (int i = 2; i < 10; ++i) len = (len << 8) | c.header[i];
            }
            const unsigned opcode = c.header[0] & 0x0f;
            if (opcode == 0x8) die("the server closed the connection");
            c.counting = opcode <= 0x2;
            c.header_have = 0;
            c.payload_left = len;
            if (len == 0) continue;
        }
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(c.payload_left, n));
        c.payload_left -= take;
        p += take;
        n -= take;
        if (c.counting) {
            c.echoed += take;
            messages += c.echoed / size;
            c.echoed %= size;
        }
    }
    return messages;
}

// Writes what is queued; keeps the rest for EPOLLOUT.
void flush(int epoll, Connection& c) {
    while (c.out_sent < c.out.size()) {
        const ssize_t n =
            send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
        if (n > 0) {
            c.out_sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            epoll_event e{EPOLLIN | EPOLLOUT, {.ptr = &c}};
            epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &e);
            return;
        }
        die("send: " + std::string(std::strerror(errno)));
    }
    const bool had_out = !c.out.empty();
    c.out.clear();
    c.out_sent = 0;
    if (had_out) {
        epoll_event e{EPOLLIN, {.ptr = &c}};
        epoll_ctl(epoll, EPOLL_CTL_MOD, c.fd, &e);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 8)
        die("usage: ws_load HOST PORT PATH CONNECTIONS WINDOW SIZE SECONDS [SUBPROTOCOL]");
    const std::string host = argv[1];
    const int port = std::atoi(argv[2]);
    const std::string path = argv[3];
    const int connections = std::atoi(argv[4]);
    const int window = std::atoi(argv[5]);
    const std::size_t size = static_cast<std::size_t>(std::atoll(argv[6]));
    const double seconds = std::atof(argv[7]);
    const std::string protocol = argc > 8 ? argv[8] : "";
    if (connections < 1 || window < 1 || size < 1 || seconds <= 0) die("bad arguments");

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1)
        die("HOST must be an IPv4 address");

    const std::string frame = masked_frame(size);
    const int epoll = epoll_create1(EPOLL_CLOEXEC);
    std::vector<Connection> conns(static_cast<std::size_t>(connections));
    std::vector<std::string> leftovers(conns.size());
    for (std::size_t i = 0; i < conns.size(); ++i) {
        std::string p = path;
        if (const std::size_t at = p.find("%d"); at != std::string::npos)
            p.replace(at, 2, std::to_string(i));
        conns[i].fd = open_websocket(address, host, p, protocol, leftovers[i]);
    }
    for (std::size_t i = 0; i < conns.size(); ++i) {
        Connection& c = conns[i];
        fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
        epoll_event e{EPOLLIN, {.ptr = &c}};
        epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &e);
        (void)consume(c, reinterpret_cast<const unsigned char*>(leftovers[i].data()),
                      leftovers[i].size(), size);
        for (int w = 0; w < window; ++w) c.out += frame;
        flush(epoll, c);
    }

    const auto start = Clock::now();
    const auto warm = start + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(seconds / 10));
    const auto end =
        warm + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    bool counting = false;
    std::uint64_t counted = 0;
    double cpu_at_warm = 0;
    auto counted_from = warm;
    std::vector<unsigned char> buffer(256 * 1024);
    epoll_event events[128];
    for (;;) {
        const auto now = Clock::now();
        if (!counting && now >= warm) {
            counting = true;
            counted = 0;
            cpu_at_warm = cpu_seconds();
            counted_from = now;
        }
        if (now >= end) break;
        const int n = epoll_wait(epoll, events, 128, 100);
        for (int k = 0; k < n; ++k) {
            Connection& c = *static_cast<Connection*>(events[k].data.ptr);
            if (events[k].events & EPOLLOUT) flush(epoll, c);
            if (!(events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            std::uint64_t back = 0;
            for (;;) {
                const ssize_t r = recv(c.fd, buffer.data(), buffer.size(), 0);
                if (r > 0) {
                    back += consume(c, buffer.data(), static_cast<std::size_t>(r), size);
                    if (static_cast<std::size_t>(r) < buffer.size()) break;
                    continue;
                }
                if (r == 0) die("the server closed a connection");
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                die("recv: " + std::string(std::strerror(errno)));
            }
            counted += back;
            if (back == 0) continue;
            // As many new messages as came back: the window stays full.
            for (std::uint64_t m = 0; m < back; ++m) c.out += frame;
            flush(epoll, c);
        }
    }
    const double wall = std::chrono::duration<double>(Clock::now() - counted_from).count();
    const double cpu = cpu_seconds() - cpu_at_warm;
    std::printf("messages=%llu seconds=%.3f rate=%.0f cpu=%.2f\n",
                static_cast<unsigned long long>(counted), wall, static_cast<double>(counted) / wall,
                cpu / wall);
    for (Connection& c : conns) close(c.fd);
    return 0;
}
