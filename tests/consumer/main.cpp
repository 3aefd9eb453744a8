// Built by tests/consumer/run against an installed or vendored pier; prints what it computed
// so the test can compare.
#include <pier/method.hpp>
#include <pier/status.hpp>
#include <pier/version.hpp>

#include <cstdio>

int main() {
    std::printf("%s %d %.*s %d\n", pier::kVersion, pier::status_info(404).code,
                static_cast<int>(pier::reason_phrase(404).size()), pier::reason_phrase(404).data(),
                pier::is_idempotent(pier::Method::put) ? 1 : 0);
    return 0;
}
