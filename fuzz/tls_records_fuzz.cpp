// The server's TLS transport fed arbitrary bytes as a client's first flights, in pieces the
// input chooses: the handshake and reads must end in would-block, eof or an error — never a
// crash, a read past its room, or a success after an error — and a plain-text client's reply
// is written at most once. Seeds are ClientHellos of real clients (curl, openssl, Python)
// and a plain-text request.
#include "net/sigpipe_guard.hpp"
#include "net/tls_context.hpp"
#include "net/tls_transport.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using namespace pier;

void check(bool ok) {
    if (!ok) std::abort();
}

const std::shared_ptr<const net::TlsContext>& context() {
    static const std::shared_ptr<const net::TlsContext> tls = [] {
        SelfSignedCertificate minted;
        std::string error;
        check(mint_self_signed({"localhost"}, minted, error));
        TlsConfig config;
        config.certificates.push_back(minted.pem);
        return net::TlsContext::create(config, "HTTP/1.1 400 Bad Request\r\n\r\n", error);
    }();
    return tls;
}

// Steps the transport as the connection would: the handshake, then reads, until it waits.
// Returns false once the transport has failed or the peer is done.
bool step(net::Transport& t, bool& handshaken) {
    if (!handshaken) {
        const net::IoResult r = t.handshake();
        if (r.status == net::IoResult::would_block) return true;
        if (r.status != net::IoResult::ok) return false;
        handshaken = true;
    }
    char buffer[512];
    for (int i = 0; i < 1000; ++i) {
        const net::IoResult r = t.read(buffer, sizeof buffer);
        if (r.status == net::IoResult::ok) {
            check(r.bytes <= sizeof buffer);
            continue;
        }
        return r.status == net::IoResult::would_block;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const net::SigpipeGuard no_sigpipe; // the peer end closes while OpenSSL may still write
    const std::size_t piece = 1 + data[0] % 64 * 16; // 1 to 1009 bytes at a time
    ++data;
    --size;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0) return 0;
    const int peer = fds[1];
    {
        net::TlsTransport transport(net::Fd{fds[0]}, context(), context()->new_ssl());
        bool handshaken = false;
        bool alive = true;
        for (std::size_t at = 0; at < size && alive;) {
            const std::size_t n = std::min(piece, size - at);
            const ssize_t sent = send(peer, data + at, n, MSG_NOSIGNAL);
            if (sent <= 0) break; // the transport closed its end, or its buffer is full
            at += static_cast<std::size_t>(sent);
            alive = step(transport, handshaken);
            char discard[4096]; // what the server said (alerts, a ServerHello): read and dropped
            while (recv(peer, discard, sizeof discard, 0) > 0) {
            }
        }
        shutdown(peer, SHUT_WR);
        if (alive) alive = step(transport, handshaken);
        // Once failed, a transport stays failed.
        if (!alive && !handshaken) check(transport.handshake().status != net::IoResult::ok);
        transport.shutdown_write();
    }
    close(peer);
    return 0;
}
