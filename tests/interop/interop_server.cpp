// The server the interop tests talk to with clients nobody here wrote (curl, Python). Prints
// "port N" once listening; stops cleanly on SIGTERM or SIGINT.
#include <pier/server.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

int main() {
    pier::Router router;
    router.get("/hello", [](const pier::Request&, pier::Response& res) {
        res.set_body("hello\n", "text/plain");
    });
    auto echo = [](const pier::Request& req, pier::Response& res) {
        res.set_body(std::string(req.body()), "application/octet-stream");
    };
    router.post("/echo", echo);
    router.get("/sleep",
               [](const pier::Request&, pier::Response& res) {
                   std::this_thread::sleep_for(std::chrono::seconds(3));
                   res.set_body("slept\n");
               },
               {.blocking = true});
    router.put("/echo", echo);
    pier::ServerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    config.access_log = pier::AccessLogFormat::off;
    pier::Server server(config, std::move(router));
    std::string error;
    if (!server.listen(error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    std::printf("port %u\n", server.port());
    std::fflush(stdout);
    return pier::run_until_signalled(server);
}
