// The WebSocket reader as a client runs it (unmasked frames required) under libFuzzer: see
// ws_reader_driver.hpp for the invariants.
#include "ws_reader_driver.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pier::ws::fuzz::check_splits(data, size, pier::ws::Role::client);
    return 0;
}
