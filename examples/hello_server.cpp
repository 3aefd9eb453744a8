// The smallest pier server: `hello_server [PORT]`, then `curl localhost:8000/`.
#include <pier/server.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    pier::ServerConfig config;
    config.port = argc > 1 ? static_cast<std::uint16_t>(std::atoi(argv[1])) : 8000;
    pier::Server server(config, [](const pier::Request& req, pier::Response& res) {
        res.set_body("Hello from " + std::string(req.path()) + "\n", "text/plain; charset=utf-8");
    });
    std::string error;
    if (!server.listen(error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    std::printf("Serving on port %u\n", server.port());
    server.run();
}
