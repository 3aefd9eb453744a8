// Media types under libFuzzer: a parsed type serialises to a canonical form that parses back to
// an equal value and is a fixed point; the parser never reads outside its input.
#include <pier/media_type.hpp>

#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // A view straight into libFuzzer's buffer, so ASan sees any read past its end.
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto mt = pier::parse_media_type(input);
    if (!mt) {
        if (pier::to_string(mt.error()).empty()) std::abort();
        return 0;
    }
    if (mt->type.empty() || mt->subtype.empty()) std::abort();
    const std::string canonical = mt->to_string();
    const auto again = pier::parse_media_type(canonical);
    if (!again || *again != *mt) std::abort();
    if (again->to_string() != canonical) std::abort();
    for (const auto& [name, value] : mt->parameters)
        if (mt->parameter(name) != std::string_view(value)) std::abort(); // names are unique
    if (!mt->matches("*", "*") || !mt->matches(mt->type, mt->subtype)) std::abort();
    return 0;
}
