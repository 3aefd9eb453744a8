// Entity-tags under libFuzzer: views stay in the input; to_string then parse is identity;
// list matching never crashes and "*" always matches.
#include <pier/etag.hpp>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    if (const auto tag = pier::parse_entity_tag(input)) {
        if (!tag->opaque.empty() &&
            (tag->opaque.data() < input.data() ||
             tag->opaque.data() + tag->opaque.size() > input.data() + input.size()))
            std::abort();
        const std::string text = pier::to_string(*tag);
        const auto again = pier::parse_entity_tag(text);
        if (!again || again->weak != tag->weak || again->opaque != tag->opaque) std::abort();
        if (text != input) std::abort(); // an entity-tag has exactly one spelling
        const auto star = pier::etag_list_matches("*", *tag, pier::EtagComparison::strong);
        if (!star || !*star) std::abort();
    }
    const pier::EntityTag current{false, "v1"};
    (void)pier::etag_list_matches(input, current, pier::EtagComparison::weak);
    (void)pier::etag_list_matches(input, current, pier::EtagComparison::strong);
    return 0;
}
