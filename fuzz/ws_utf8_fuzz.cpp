// The WebSocket UTF-8 automaton under libFuzzer: the same verdict as pier's sequence-by-sequence
// check (src/http/utf8.hpp) for the whole input, and the same for the input cut anywhere.
#include "http/utf8.hpp"
#include "ws/utf8_validator.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    const bool expected = pier::detail::is_valid_utf8(s);
    if (pier::ws::detail::is_valid_utf8(s) != expected) std::abort();
    for (std::size_t cut = 0; cut <= size; cut += 1 + size / 16) {
        pier::ws::detail::Utf8Validator v;
        const bool ok = v.feed(s.substr(0, cut)) && v.feed(s.substr(cut)) && v.complete();
        if (ok != expected) std::abort();
    }
    pier::ws::detail::Utf8Validator bytewise;
    bool ok = true;
    for (char c : s) ok = bytewise.feed(std::string_view(&c, 1)) && ok;
    if ((ok && bytewise.complete()) != expected) std::abort();
    return 0;
}
