// pier::client::WebSocket: the opening handshake as an upgrade request on the event-loop
// client, the 101 checked (RFC 6455 §4.2.2, RFC 7692 §5), then a client-role Peer over the
// socket the HTTP client handed over.
#include "client/async_upgrade.hpp"
#include "client/loop_stream.hpp"
#include "http/char_class.hpp"
#include "websocket/peer.hpp"

#include <pier/async_client.hpp>
#include <pier/uri.hpp>
#include <pier/version.hpp>
#include <pier/websocket_client.hpp>

#include <cctype>

namespace pier::client {

struct WebSocket::State {
    std::unique_ptr<AsyncConnection> connection;
    std::shared_ptr<ws::detail::Peer> peer;
    std::shared_ptr<detail::LoopStream> stream;
};

namespace {

using pier::detail::lowercase;

} // namespace

WebSocket::WebSocket(Loop& loop, std::string_view url, ws::Handlers handlers,
                     WebSocketOptions options, std::function<void(std::exception_ptr)> on_error)
    : state_(std::make_shared<State>()) {
    auto fail = [on_error](std::exception_ptr e) {
        if (on_error) on_error(std::move(e));
    };
    // A URL refused at once is reported from the loop, as every other outcome: never from
    // inside the constructor.
    auto fail_later = [&loop, fail, weak = std::weak_ptr<State>(state_)](std::exception_ptr e) {
        loop.post([fail, weak, e] {
            if (weak.lock()) fail(e);
        });
    };
    // ws and wss are http and https for the handshake (RFC 6455 §3).
    const std::size_t colon = url.find("://");
    const std::string scheme = lowercase(url.substr(0, colon));
    if (colon == std::string_view::npos) {
        fail_later(std::make_exception_ptr(InvalidURL("bad URL '" + std::string(url) + "'")));
        return;
    }
    if (scheme != "ws" && scheme != "wss") {
        fail_later(std::make_exception_ptr(
            UnknownProtocol("unsupported protocol: " + scheme + " (ws or wss)")));
        return;
    }
    const bool secure = scheme == "wss";
    std::string http_url = (secure ? "https" : "http") + std::string(url.substr(colon));
    http_url.erase(std::min(http_url.size(), http_url.find('#')));
    const auto parsed = parse_url(http_url); // views into http_url
    if (!parsed) {
        fail_later(std::make_exception_ptr(InvalidURL(
            "bad URL '" + std::string(url) + "': " + std::string(to_string(parsed.error())))));
        return;
    }
    std::string target = parsed->path.empty() ? std::string("/") : std::string(parsed->path);
    if (parsed->has_query) target += "?" + std::string(parsed->query);
    const std::string host(parsed->host);
    const std::uint16_t port = parsed->effective_port();

    AsyncOptions http;
    http.tls = options.tls;
    http.timeouts = options.timeouts;
    http.debug = options.debug;
    state_->connection = std::make_unique<AsyncConnection>(loop, host, port, secure, http);

    const std::string key = ws::make_key();
    AsyncRequest request;
    request.target = target;
    request.fields = options.fields;
    request.fields.add("Upgrade", "websocket");
    request.fields.add("Connection", "Upgrade");
    request.fields.add("Sec-WebSocket-Key", key);
    request.fields.add("Sec-WebSocket-Version", "13");
    std::string protocols;
    for (const std::string& p : options.ws.subprotocols)
        protocols += (protocols.empty() ? "" : ", ") + p;
    if (!protocols.empty()) request.fields.add("Sec-WebSocket-Protocol", protocols);
    if (options.ws.compression)
        request.fields.add("Sec-WebSocket-Extensions", ws::deflate_offer(options.ws.deflate));
    if (!request.fields.contains(FieldId::user_agent))
        request.fields.add("User-Agent", std::string("pier/") + kVersion);

    auto endpoint = std::make_shared<const ws::detail::Endpoint>(
        ws::detail::Endpoint{std::move(handlers), options.ws});
    const std::string remote = host + ":" + std::to_string(port);
    std::weak_ptr<State> weak = state_;
    detail::request_upgrade(
        *state_->connection, std::move(request),
        [weak, &loop, key, endpoint, remote, target, fail](std::exception_ptr error,
                                                           detail::Upgraded up) {
            const auto state = weak.lock();
            if (!state) return;
            if (error) return fail(error);
            if (!up.stream)
                return fail(std::make_exception_ptr(WebSocketHandshakeError(
                    "the server answered " + std::to_string(up.head.status) + " " + up.head.reason +
                        " instead of switching to WebSocket",
                    up.head.status)));
            const ws::Options& o = endpoint->options;
            std::vector<std::string_view> offered(o.subprotocols.begin(), o.subprotocols.end());
            const auto checked = ws::check_upgrade_response(101, up.head.fields, key, offered,
                                                            o.compression ? &o.deflate : nullptr);
            if (!checked)
                return fail(std::make_exception_ptr(WebSocketHandshakeError(
                    "bad WebSocket handshake: " + std::string(ws::to_string(checked.error())),
                    101)));
            state->peer = std::make_shared<ws::detail::Peer>(ws::Role::client, endpoint, target,
                                                             std::string(checked->protocol),
                                                             checked->deflate);
            state->stream = std::make_shared<detail::LoopStream>(loop, std::move(up.stream), remote,
                                                                 state->peer->stream_handlers());
            state->stream->start(std::move(up.leftover));
        });
}

WebSocket::~WebSocket() {
    if (state_->stream) state_->stream->abandon();
}

ws::Socket* WebSocket::socket() noexcept {
    return state_->peer && state_->peer->open() ? state_->peer.get() : nullptr;
}

} // namespace pier::client
