// The server the interop tests talk to with clients nobody here wrote (curl, Python). Prints
// "port N" once listening; stops cleanly on SIGTERM or SIGINT.
#include <pier/server.hpp>

#include <csignal>
#include <cstdio>
#include <thread>

int main() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr); // every thread inherits the mask

    pier::Router router;
    router.get("/hello", [](const pier::Request&, pier::Response& res) {
        res.set_body("hello\n", "text/plain");
    });
    auto echo = [](const pier::Request& req, pier::Response& res) {
        res.set_body(std::string(req.body()), "application/octet-stream");
    };
    router.post("/echo", echo);
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
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        server.stop(true);
    });
    server.run();
    waiter.join();
    return 0;
}
