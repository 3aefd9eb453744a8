// Where the event-loop client connects when it does not look the host up (src/client/
// async_stream.cpp over socket.cpp's lookup_numeric and unix_sockaddr): --resolve's IP
// addresses and a unix socket's path, and what is refused.
#include "client/async_stream.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <string>
#include <sys/un.h>

namespace pier::client::detail {
namespace {

std::uint16_t port_of(const Address& a) {
    return ntohs(a.storage.ss_family == AF_INET
                     ? reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_port
                     : reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_port);
}

TEST(NumericAddresses, IPv4AndIPv6InBracketsOrNotInOrder) {
    const auto a = numeric_addresses({"127.0.0.1", "[::1]", "::1"}, 8080);
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].storage.ss_family, AF_INET);
    EXPECT_EQ(a[0].length, sizeof(sockaddr_in));
    EXPECT_EQ(a[1].storage.ss_family, AF_INET6);
    EXPECT_EQ(a[2].storage.ss_family, AF_INET6);
    for (const Address& x : a) EXPECT_EQ(port_of(x), 8080);
}

TEST(NumericAddresses, ANameAmongThemIsRefusedNotLookedUp) {
    EXPECT_TRUE(numeric_addresses({"127.0.0.1", "localhost"}, 80).empty());
    EXPECT_TRUE(numeric_addresses({"[127.0.0.1"}, 80).empty());
    EXPECT_TRUE(numeric_addresses({""}, 80).empty());
}

TEST(UnixAddress, APathUpToTheLimitAndNoLonger) {
    const std::size_t most = sizeof(sockaddr_un::sun_path) - 1; // room for the NUL
    const auto fits = unix_address(std::string(most, 's'));
    ASSERT_TRUE(fits);
    EXPECT_EQ(fits->storage.ss_family, AF_UNIX);
    EXPECT_EQ(std::string(reinterpret_cast<const sockaddr_un*>(&fits->storage)->sun_path),
              std::string(most, 's'));
    EXPECT_FALSE(unix_address(std::string(most + 1, 's')));
    EXPECT_FALSE(unix_address(""));
}

} // namespace
} // namespace pier::client::detail
