// Media types under libFuzzer: a parsed type re-serialises to a form that parses to the same
// value, and serialising that again is a fixed point.
#include <pier/media_type.hpp>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto mt = pier::parse_media_type(input);
    if (!mt) return 0;
    const std::string canonical = mt->to_string();
    const auto again = pier::parse_media_type(canonical);
    if (!again || again->type != mt->type || again->subtype != mt->subtype) std::abort();
    // Duplicated parameters keep their order, so the lists must be equal.
    if (again->parameters != mt->parameters) std::abort();
    if (again->to_string() != canonical) std::abort();
    return 0;
}
