// Request parser under libFuzzer. Beyond "no crash": views stay inside the input; any split
// of the input gives the one-shot result; parse → serialize → parse is a fixed point; and a
// chunked body decodes identically whole and byte by byte.
#include <pier/chunked.hpp>
#include <pier/parser.hpp>
#include <pier/serializer.hpp>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace pier;

struct Snapshot {
    ParseStatus status;
    ParseError error;
    std::size_t head_size;
    std::string method, target;
    Version version;
    BodyKind body;
    std::uint64_t length;
    bool keep_alive;
    std::vector<std::string> fields;
    bool operator==(const Snapshot&) const = default;
};

Snapshot snap(ParseStatus st, const RequestParser& p, const RequestHead& h) {
    Snapshot s{st, p.error(), 0, {}, {}, Version::http11, BodyKind::none, 0, false, {}};
    if (st != ParseStatus::complete) return s;
    s.head_size = p.head_size();
    s.method = h.method_name;
    s.target = h.target;
    s.version = h.version;
    s.body = h.body;
    s.length = h.content_length;
    s.keep_alive = h.keep_alive;
    for (const Field& f : h.fields)
        s.fields.push_back(std::string(f.name) + ":" + std::string(f.value));
    return s;
}

void check(bool ok) {
    if (!ok) std::abort();
}

bool inside(std::string_view v, std::string_view input) {
    return v.empty() ||
           (v.data() >= input.data() && v.data() + v.size() <= input.data() + input.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    Limits limits;
    limits.max_target = 512; // small limits so the fuzzer reaches them
    limits.max_field_line = 256;
    limits.max_fields = 16;
    limits.max_header_section = 2048;
    limits.max_body = 4096;
    const std::size_t split = data[0] % (size);
    const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

    RequestParser one(limits);
    RequestHead head;
    const ParseStatus st = one.parse(input, head);
    const Snapshot whole = snap(st, one, head);
    if (st == ParseStatus::complete) {
        check(inside(head.method_name, input) && inside(head.target, input));
        for (const Field& f : head.fields) check(inside(f.name, input) && inside(f.value, input));
        check(one.head_size() <= input.size());
    }

    RequestParser inc(limits);
    RequestHead head2;
    ParseStatus st2 =
        inc.parse(std::string_view(input.data(), std::min(split, input.size())), head2);
    if (st2 == ParseStatus::incomplete) st2 = inc.parse(input, head2);
    check(snap(st2, inc, head2) == whole);

    if (st == ParseStatus::complete && head.version != Version::http09) {
        std::string out;
        if (!append_request_head(out, head.method_name, head.target, head.version, head.fields)) {
            RequestParser again(limits);
            RequestHead h3;
            // Re-serialised text is canonical (single SP, CRLF): it must parse, and the same.
            if (again.parse(out, h3) == ParseStatus::complete) {
                std::string out2;
                check(!append_request_head(out2, h3.method_name, h3.target, h3.version, h3.fields));
                check(out == out2);
            } else {
                // Only limits can differ: the canonical form can be longer (CRLF for LF).
                check(again.error() == ParseError::header_section_too_large ||
                      again.error() == ParseError::field_line_too_long);
            }
        }
        if (head.body == BodyKind::chunked) {
            const std::string_view body = std::string_view(input).substr(one.head_size());
            auto run = [&](std::size_t piece) {
                ChunkedDecoder dec(limits);
                std::string content;
                std::size_t off = 0;
                ChunkedDecoder::Status last = ChunkedDecoder::Status::need_more;
                while (off < body.size()) {
                    std::string_view in = body.substr(off, piece == 0 ? body.size() : piece);
                    const auto s = dec.decode(in);
                    off += s.consumed;
                    content.append(s.data);
                    check(inside(s.data, body));
                    last = s.status;
                    if (last == ChunkedDecoder::Status::done ||
                        last == ChunkedDecoder::Status::error)
                        break;
                }
                if (last == ChunkedDecoder::Status::error) off = 0; // split-dependent
                return std::make_tuple(last, dec.error(), content, off);
            };
            check(run(0) == run(1));
        }
    }
    return 0;
}
