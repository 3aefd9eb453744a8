// The WebSocket reader as a server runs it (masked frames required) under libFuzzer: see
// ws_reader_driver.hpp for the invariants.
#include "ws_reader_driver.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pier::ws::fuzz::check_splits(data, size, pier::ws::Role::server);
    return 0;
}
