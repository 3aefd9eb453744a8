// Bounded stress: 200 connections × 50 requests each, every response checked. Runs in the
// ASan build too, where it is the test most likely to find a lifetime bug under load.
#include "test_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

namespace pier::test {
namespace {

TEST(Stress, TwoHundredConnectionsFiftyRequestsEach) {
    constexpr int kThreads = 4;
    constexpr int kConnectionsPerThread = 50;
    constexpr int kRounds = 50;
    ServerConfig config = TestServer::quiet_config();
    config.threads = 2;
    TestServer server(
        [](const Request& req, Response& res) {
            res.set_body(std::string(req.path()) + "|" + std::string(req.body()));
        },
        config);
    std::atomic<int> good{0};
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::unique_ptr<Client>> clients;
            for (int c = 0; c < kConnectionsPerThread; ++c)
                clients.push_back(std::make_unique<Client>(server.port()));
            for (int round = 0; round < kRounds; ++round) {
                // Every connection has a request in flight at once; odd rounds carry a body.
                for (int c = 0; c < kConnectionsPerThread; ++c) {
                    const std::string path = "/" + std::to_string(t) + "/" + std::to_string(c) +
                                             "/" + std::to_string(round);
                    if (round % 2 == 0) {
                        clients[c]->send("GET " + path + " HTTP/1.1\r\nHost: s\r\n\r\n");
                    } else {
                        clients[c]->send("POST " + path +
                                         " HTTP/1.1\r\nHost: s\r\nContent-Length: 4\r\n\r\nbody");
                    }
                }
                for (int c = 0; c < kConnectionsPerThread; ++c) {
                    const std::string path = "/" + std::to_string(t) + "/" + std::to_string(c) +
                                             "/" + std::to_string(round);
                    const std::string expected = path + "|" + (round % 2 == 0 ? "" : "body");
                    const std::string r = clients[c]->read_response();
                    if (status_line(r) == "HTTP/1.1 200 OK" && body_of(r) == expected)
                        ++good;
                    else
                        ++bad;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(good.load(), kThreads * kConnectionsPerThread * kRounds);
}

} // namespace
} // namespace pier::test
