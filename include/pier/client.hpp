// The HTTP/1.1 client connection, shaped like Python's http.client.HTTPConnection:
//
//     pier::client::Connection c("127.0.0.1", 8080, std::chrono::seconds(5));
//     c.request("GET", "/index.html");
//     pier::client::Response r = c.getresponse();
//     std::string body = r.read();           // r.status(), r.header("Content-Type"), ...
//     c.request("GET", "/next");             // same TCP connection when the server allows it
//
// The low-level calls must come in this order, or an ImproperConnectionState subclass is
// thrown: putrequest, putheader*, endheaders, [send*], getresponse. Unlike Python, which lets a
// second request be sent while the first response is unread, pier refuses the next request
// (CannotSendRequest) until the previous response is read to its end or closed: it does not
// pipeline. A Response stays readable after its Connection is gone. Each connection is used by
// one thread at a time. Errors are the hierarchy of client_errors.hpp.
#pragma once

#include <pier/client_errors.hpp>
#include <pier/client_response.hpp>
#include <pier/fields.hpp>
#include <pier/limits.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

using Duration = std::chrono::milliseconds;

/// Zero means no limit. `read` bounds each wait for the socket (a stalled peer); `total` bounds
/// one request from its first byte sent to its last byte read, as curl's --max-time does.
struct Timeouts {
    Duration connect{0};
    Duration read{0};
    Duration total{0};
};

/// HTTPS: certificates are verified against the system CA store and the host name unless
/// `verify` is turned off explicitly.
struct TlsOptions {
    bool verify = true;
    std::string ca_file;     // PEM bundle used instead of the system store
    std::string ca_path;     // hashed directory used instead of the system store
    std::string server_name; // SNI and verified name; empty: the connection's host
    /// A client certificate (PEM, chain after it) for servers that ask for one; key_file holds
    /// its private key (PEM; empty: the key is in cert_file), encrypted or not. The password
    /// comes from key_password only: OpenSSL never prompts on the terminal.
    std::string cert_file;
    std::string key_file;
    std::string key_password;
};

enum class DebugKind : std::uint8_t {
    info,          // connecting, reusing, retrying, TLS details
    request_head,  // the bytes of a request head as sent
    request_body,  // body bytes as sent (only their size is reported by the stderr printer)
    response_head, // the bytes of a response head as received (interim ones too)
};
using DebugSink = std::function<void(DebugKind, std::string_view)>;

/// Pulls a request body: fills at most `size` bytes, returns how many; 0 means the end.
using BodyReader = std::function<std::size_t(char* data, std::size_t size)>;

/// A client's default limits, looser than the server's (curl's sizes): field lines up to
/// 100 KiB, a head up to 300 KiB with up to 10,000 fields, trailers up to 64 KiB, any body.
Limits client_limits() noexcept;

namespace detail {
class Transport;
struct Channel;
} // namespace detail

class Connection {
  public:
    /// port 0 means 80 (443 for HttpsConnection). `timeout` sets Timeouts::connect and ::read,
    /// like Python's timeout argument. Nothing is connected until the first request.
    explicit Connection(std::string host, std::uint16_t port = 0,
                        std::optional<Duration> timeout = std::nullopt);
    virtual ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void set_timeouts(const Timeouts& t) noexcept { timeouts_ = t; }
    const Timeouts& timeouts() const noexcept { return timeouts_; }
    /// Limits on what the server sends (line length, field count, body size). Without a call
    /// they are client_limits(); a Limits passed here applies whole, max_body included (1 GiB
    /// in a default-constructed one).
    void set_limits(const Limits& limits) noexcept { limits_ = limits; }
    /// 1 or more: print the exchange to stderr as Python does ("send: ...", "reply: ...").
    void set_debuglevel(int level);
    /// Receives the exchange instead (curl -v style printing is built on it).
    void set_debug(DebugSink sink) { debug_ = std::move(sink); }
    /// Connects through an HTTP proxy: `host`/`port` of the constructor are the proxy's, and a
    /// CONNECT to tunnel_host:tunnel_port is sent first (Python's set_tunnel).
    void set_tunnel(std::string tunnel_host, std::uint16_t tunnel_port, Fields headers = {});
    /// Bodies of at least `threshold` bytes, and streamed ones of unknown length, are sent with
    /// "Expect: 100-continue" and held back up to `wait` for the server's go-ahead (RFC 9110
    /// §10.1.1); a final answer instead withholds the body. An Expect field of the caller's
    /// replaces this one (and is waited on when it says 100-continue). Default: 1 MiB, 1 s;
    /// UINT64_MAX: never.
    void set_expect_continue(std::uint64_t threshold, Duration wait) noexcept {
        expect_threshold_ = threshold;
        expect_wait_ = wait;
    }
    /// Responses decode gzip, deflate, br and zstd content codings (the caller asks for them
    /// with Accept-Encoding); off by default, as in http.client.
    void set_decode_content(bool on) noexcept { decode_content_ = on; }
    /// request() sends "Accept-Encoding: identity" unless told otherwise, as http.client does;
    /// off: no Accept-Encoding unless the caller's fields have one.
    void set_accept_identity(bool on) noexcept { accept_identity_ = on; }
    /// Connects to these IP addresses ("127.0.0.1", "::1" or "[::1]"), tried in order, instead
    /// of looking the host up, as curl's --resolve: Host, SNI and certificate verification
    /// still use the host. Empty: look it up. Throws ImproperConnectionState while connected.
    void set_addresses(std::vector<std::string> addresses);
    /// Connects to the AF_UNIX stream socket at `path` instead of over TCP, as curl's
    /// --unix-socket (TLS runs on it for HttpsConnection); Host, SNI and verification still
    /// use the host. Empty: TCP. Throws ImproperConnectionState while connected.
    void set_unix_socket(std::string path);
    /// Requests say HTTP/1.0 (curl's --http1.0): no chunked body (request_stream without a
    /// length throws std::invalid_argument), no Expect: 100-continue, and the connection is
    /// closed after each response unless the fields say "Connection: keep-alive".
    void set_http10(bool on) noexcept { http10_ = on; }

    /// Connects now (request() does it when needed).
    void connect();
    void close() noexcept;
    bool connected() const noexcept;
    /// A response is still being read from this connection.
    bool busy() const noexcept;
    const std::string& host() const noexcept { return host_; }
    std::uint16_t port() const noexcept { return port_; }
    /// Whether the last request's "Expect: 100-continue" was added by this connection (not the
    /// caller's): a 417 answer to it may be retried without it.
    bool expected_continue_itself() const noexcept { return own_expect_; }
    /// Whether the last request went over a connection that had carried one before.
    bool last_request_reused() const noexcept { return last_reused_; }

    /// Sends a whole request. Host, Accept-Encoding: identity and Content-Length are added
    /// unless `fields` has them (Content-Length: 0 for POST, PUT and PATCH without a body).
    void request(std::string_view method, std::string_view target, std::string_view body = {},
                 const Fields& fields = {});
    /// The same with a streamed body: chunked when `length` is unknown; with a length, exactly
    /// that many bytes are sent, and a body that ends sooner throws BodyReadError (and closes
    /// the connection, as does any exception from `body`).
    void request_stream(std::string_view method, std::string_view target, const BodyReader& body,
                        std::optional<std::uint64_t> length, const Fields& fields = {});

    /// Starts a request head. Throws CannotSendRequest while a request is being sent.
    void putrequest(std::string_view method, std::string_view target, bool skip_host = false,
                    bool skip_accept_encoding = false);
    /// Adds a field; several values are joined with ", ". Throws CannotSendHeader outside a
    /// head, std::invalid_argument for a CR, LF or NUL, or a second hop-by-hop field (Host,
    /// Content-Length, Transfer-Encoding, Connection, ...).
    template <class... Values>
    void putheader(std::string_view name, const Values&... values) {
        putheader_values(name, {std::string_view(values)...});
    }
    void putheader_values(std::string_view name, std::initializer_list<std::string_view> values);
    /// Ends the head and sends it, with `body` in the same write.
    void endheaders(std::string_view body = {});
    /// Sends raw bytes (a body after endheaders).
    void send(std::string_view data);
    /// Reads the response head (skipping 1xx). Throws ResponseNotReady if no request was sent
    /// or the previous response is unfinished.
    Response getresponse();

  protected:
    Connection(std::string host, std::uint16_t port, std::uint16_t default_port,
               std::optional<Duration> timeout);
    /// Wraps a connected socket: plain here, TLS in HttpsConnection.
    virtual std::unique_ptr<detail::Transport> open_transport(int fd, const std::string& host);
    std::chrono::steady_clock::time_point connect_deadline() const;

  private:
    enum class State : std::uint8_t {
        idle,
        request_started,
        request_sent,
    };
    void open_tunnel();
    void start_request(std::string_view method, std::string_view target, const Fields& fields);
    void send_bytes(std::string_view a, std::string_view b = {});
    void send_request_head(std::string_view body);
    bool reconnect_for_retry();
    void finish_head();
    bool put_expect(const Fields& fields, std::optional<std::uint64_t> size);
    void send_stream(const BodyReader& body, std::optional<std::uint64_t> length, bool chunked);
    bool wait_for_continue();
    void report(DebugKind kind, std::string_view text);

    std::string host_;
    std::uint16_t port_;
    std::uint16_t default_port_;
    Timeouts timeouts_;
    Limits limits_;
    DebugSink debug_;
    std::string tunnel_host_;
    std::uint16_t tunnel_port_ = 0;
    Fields tunnel_fields_;
    std::uint64_t expect_threshold_ = std::uint64_t{1} << 20;
    Duration expect_wait_{1000};
    bool decode_content_ = false;
    bool accept_identity_ = true;
    bool http10_ = false;
    std::vector<std::string> addresses_; // instead of resolving host_ (--resolve)
    std::string unix_socket_;            // instead of TCP (--unix-socket)

    std::shared_ptr<detail::Channel> channel_;
    State state_ = State::idle;
    std::string head_;             // the request head being built
    std::string method_;           // of the request in flight
    std::uint64_t hop_by_hop_ = 0; // bit per hop-by-hop field already put (bit = FieldId)
    std::string replay_;           // head + body of the last request, for the one retry
    bool replayable_ = false;
    bool last_reused_ = false;
    bool body_withheld_ = false; // a final answer came instead of 100 Continue
    bool own_expect_ = false;    // the Expect of the last request was put by put_expect()
    bool close_after_ = false;   // the request said "Connection: close"
    std::uint64_t requests_on_channel_ = 0;
    std::chrono::steady_clock::time_point request_deadline_;
    std::chrono::steady_clock::time_point sent_at_; // the last request head went out
};

class HttpsConnection : public Connection {
  public:
    /// port 0 means 443.
    explicit HttpsConnection(std::string host, std::uint16_t port = 0, TlsOptions tls = {},
                             std::optional<Duration> timeout = std::nullopt);

  protected:
    std::unique_ptr<detail::Transport> open_transport(int fd, const std::string& host) override;

  private:
    TlsOptions tls_;
};

} // namespace pier::client
