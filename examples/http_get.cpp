// The http.client example from Python's documentation, in C++ with libpier:
//
//     conn = http.client.HTTPConnection("127.0.0.1", 8000)
//     conn.request("GET", "/")
//     r = conn.getresponse()
//     print(r.status, r.reason); data = r.read()
//
// Usage: http_get HOST PORT [PATH]
#include <pier/client.hpp>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s HOST PORT [PATH]\n", argv[0]);
        return 2;
    }
    try {
        pier::client::Connection conn(argv[1], static_cast<std::uint16_t>(std::atoi(argv[2])),
                                      std::chrono::seconds(10));
        conn.request("GET", argc > 3 ? argv[3] : "/");
        pier::client::Response r = conn.getresponse();
        std::printf("%d %s\n", r.status(), r.reason().c_str());
        const std::string data = r.read();
        std::printf("%zu bytes of %s\n", data.size(), r.header("Content-Type", "?").c_str());
    } catch (const pier::client::HTTPException& e) { // or one of its subclasses
        std::fprintf(stderr, "http_get: %s\n", e.what());
        return 1;
    }
    return 0;
}
