// The smallest complete WebSocket server: `ws_echo [PORT]` listens on 127.0.0.1 and echoes at
// /echo — text as text, binary as binary — with permessage-deflate on and the library's
// default limits; /echo-uncompressed is the same without permessage-deflate (a browser always
// offers it). The conformance suite, tests/interop/ws_peers.sh and `make bench` run against it.
#include <pier/router.hpp>
#include <pier/server.hpp>
#include <pier/websocket_endpoint.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    pier::ws::Handlers echo;
    echo.on_message = [](pier::ws::Socket& socket, const pier::ws::Message& message) {
        if (message.is_text())
            socket.send_text(message.data);
        else
            socket.send_binary(message.data);
    };
    pier::Router router;
    router.websocket("/echo", echo);
    pier::ws::Options uncompressed;
    uncompressed.compression = false;
    router.websocket("/echo-uncompressed", echo, uncompressed);

    pier::ServerConfig config;
    config.host = "127.0.0.1";
    config.port = argc > 1 ? static_cast<std::uint16_t>(std::atoi(argv[1])) : 9001;
    pier::Server server(config, std::move(router));
    std::string error;
    if (!server.listen(error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    std::printf("ws_echo: ws://127.0.0.1:%u/echo\n", server.port());
    std::fflush(stdout);
    server.run();
}
