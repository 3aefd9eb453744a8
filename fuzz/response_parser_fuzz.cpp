// Response parser under libFuzzer: views inside the input (or in the Fields' own storage for
// unfolded obs-fold values), split == one-shot, serialize → parse fixed point.
#include <pier/parser.hpp>
#include <pier/serializer.hpp>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace pier;

void check(bool ok) {
    if (!ok) std::abort();
}

std::vector<std::string> render(ParseStatus st, const ResponseParser& p, const ResponseHead& h) {
    std::vector<std::string> v{std::to_string(static_cast<int>(st)),
                               std::to_string(static_cast<int>(p.error()))};
    if (st != ParseStatus::complete) return v;
    v.push_back(std::to_string(p.head_size()) + " " + std::to_string(h.status) + " " +
                std::string(h.reason) + " " + std::to_string(static_cast<int>(h.body)) + " " +
                std::to_string(h.content_length) + " " + std::to_string(h.keep_alive));
    for (const Field& f : h.fields) v.push_back(std::string(f.name) + ":" + std::string(f.value));
    return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    Limits limits;
    limits.max_field_line = 256;
    limits.max_fields = 16;
    limits.max_header_section = 2048;
    const std::size_t split = data[0] % size;
    const Method method = data[1] % 3 == 0   ? Method::head
                          : data[1] % 3 == 1 ? Method::connect
                                             : Method::get;
    const std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);

    ResponseParser one(limits);
    ResponseHead head;
    const ParseStatus st = one.parse(input, head, method);
    const auto whole = render(st, one, head);

    ResponseParser inc(limits);
    ResponseHead head2;
    ParseStatus st2 =
        inc.parse(std::string_view(input.data(), std::min(split, input.size())), head2, method);
    if (st2 == ParseStatus::incomplete) st2 = inc.parse(input, head2, method);
    check(render(st2, inc, head2) == whole);

    if (st == ParseStatus::complete) {
        std::string out;
        if (!append_response_head(out, head.version, head.status, head.reason, head.fields)) {
            ResponseParser again(limits);
            ResponseHead h3;
            if (again.parse(out, h3, method) == ParseStatus::complete) {
                check(h3.status == head.status && h3.fields.size() == head.fields.size());
                check(h3.body == head.body && h3.content_length == head.content_length);
            }
        }
    }
    return 0;
}
