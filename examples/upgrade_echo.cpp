// Taking over a connection after `101 Switching Protocols`: `upgrade_echo [PORT]` answers
// `Upgrade: echo` requests on /echo and then sends back every byte it receives, until the
// client closes. Try it with
//
//     printf 'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nhi\n' |
//       nc -q 1 127.0.0.1 8000
//
// The bytes sent right behind the request head ("hi") are the stream's first bytes; nothing
// after the 101 is ever read as HTTP.
#include <pier/server.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    pier::ServerConfig config;
    config.host = "127.0.0.1";
    config.port = argc > 1 ? static_cast<std::uint16_t>(std::atoi(argv[1])) : 8000;
    pier::Router router;
    router.get("/echo", [](const pier::Request&, pier::Response& res) {
        res.upgrade("echo", {
                                .on_data = [](pier::Stream& stream,
                                              std::string_view bytes) { stream.write(bytes); },
                            });
    });
    pier::Server server(config, std::move(router));
    std::string error;
    if (!server.listen(error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    std::printf("port %u\n", server.port());
    std::fflush(stdout);
    return pier::run_until_signalled(server);
}
