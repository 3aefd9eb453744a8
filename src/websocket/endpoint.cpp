// ws::endpoint(): the opening handshake (RFC 6455 §4.2) as a route handler, and the upgrade
// that hands the connection to a Peer.
#include "websocket/peer.hpp"

#include <pier/router.hpp>
#include <pier/websocket_endpoint.hpp>

#include <string>
#include <vector>

namespace pier::ws {

Handler endpoint(Handlers handlers, Options options) {
    auto shared = std::make_shared<const detail::Endpoint>(
        detail::Endpoint{std::move(handlers), std::move(options)});
    return [shared](const Request& req, Response& res) {
        const Options& o = shared->options;
        const auto up = check_upgrade_request(req.method(), req.version(), req.fields());
        if (!up) {
            const int status = status_for(up.error());
            res.set_status(status);
            if (status == 426) {
                res.set_header("Upgrade", "websocket");
                res.set_header("Connection", "Upgrade");
                res.set_header("Sec-WebSocket-Version", "13");
            }
            res.set_body(std::string("WebSocket handshake refused: ") +
                             std::string(to_string(up.error())) + "\n",
                         "text/plain; charset=utf-8");
            return;
        }
        if (o.allow && !o.allow(req)) {
            res.set_status(403);
            res.set_body("WebSocket connection refused for this origin\n",
                         "text/plain; charset=utf-8");
            return;
        }
        std::vector<std::string_view> supported(o.subprotocols.begin(), o.subprotocols.end());
        const std::string protocol(select_subprotocol(req.fields(), supported));
        std::optional<DeflateParams> deflate;
        if (o.compression) deflate = negotiate_deflate(req.fields(), o.deflate);
        res.set_header("Sec-WebSocket-Accept", accept_key(up->key));
        if (!protocol.empty()) res.set_header("Sec-WebSocket-Protocol", protocol);
        if (deflate) res.set_header("Sec-WebSocket-Extensions", to_field_value(*deflate));
        auto socket = std::make_shared<detail::Peer>(Role::server, shared,
                                                     std::string(req.target()), protocol, deflate);
        res.upgrade("websocket", socket->stream_handlers());
    };
}

} // namespace pier::ws

namespace pier {

Router& Router::websocket(std::string_view pattern, const ws::Handlers& handlers) {
    return websocket(pattern, handlers, ws::Options{});
}

Router& Router::websocket(std::string_view pattern, const ws::Handlers& handlers,
                          const ws::Options& options) {
    return get(pattern, ws::endpoint(handlers, options));
}

} // namespace pier
