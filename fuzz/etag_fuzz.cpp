// Entity-tags under libFuzzer: views stay within the input; to_string then parse gives the same
// tag and the same text (a tag has one spelling); list iteration ends, agrees with
// etag_list_matches, and "*" always matches.
#include <pier/etag.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

namespace {

bool within(std::string_view inner, std::string_view outer) {
    return inner.data() >= outer.data() &&
           inner.data() + inner.size() <= outer.data() + outer.size();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // A view straight into libFuzzer's buffer, so ASan sees any read past its end.
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (const auto tag = pier::parse_entity_tag(input)) {
        if (!within(tag->opaque, input)) std::abort();
        const std::string text = pier::to_string(*tag);
        if (text != input) std::abort();
        const auto again = pier::parse_entity_tag(text);
        if (!again || *again != *tag) std::abort();
        if (!pier::weak_match(*tag, *again) || pier::strong_match(*tag, *again) == tag->weak)
            std::abort();
        const auto star = pier::etag_list_matches("*", *tag, pier::EtagComparison::strong);
        if (!star || !*star) std::abort();
        const auto self = pier::etag_list_matches(input, *tag, pier::EtagComparison::weak);
        if (!self || !*self) std::abort();
    }

    const pier::EntityTag current{false, "v1"};
    std::size_t tags = 0;
    bool weak_hit = false;
    bool failed = false;
    for (const auto tag : pier::entity_tags(input)) {
        if (failed) std::abort(); // nothing after an error
        if (!tag) {
            failed = true;
            continue;
        }
        if (!within(tag->opaque, input)) std::abort();
        ++tags;
        weak_hit = weak_hit || pier::weak_match(*tag, current);
        if (tags > input.size()) std::abort(); // each tag takes at least two bytes
    }
    const auto weak = pier::etag_list_matches(input, current, pier::EtagComparison::weak);
    const auto strong = pier::etag_list_matches(input, current, pier::EtagComparison::strong);
    if (weak.has_value() != strong.has_value()) std::abort();
    const bool star = input.find_first_not_of(" \t") != std::string_view::npos &&
                      input.substr(input.find_first_not_of(" \t")).starts_with('*');
    if (weak && !star) {
        if (failed || tags == 0 || *weak != weak_hit) std::abort();
        if (*strong && !*weak) std::abort(); // a strong match is also a weak one
    }
    return 0;
}
