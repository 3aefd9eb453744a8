// multipart/form-data parser under libFuzzer: the first bytes pick a boundary and where to
// split the body; the body fed whole, byte by byte, in pieces and in two halves must give the
// same parts, fields, content and verdict, never hold back more than boundary + 4 bytes, and
// never yield more content than it was given. Every Content-Disposition met (and the body
// itself) goes through parse_content_disposition and safe_upload_name, whose results must be
// names that are safe to store.
#include "handlers/upload_name.hpp"

#include <pier/multipart.hpp>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace pier;
using Status = MultipartParser::Status;

void check(bool ok) {
    if (!ok) std::abort();
}

constexpr std::string_view kBchars = "0123456789abcdefghijklmnopqrstuvwxyz"
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";

struct Outcome {
    std::vector<std::string> parts; // fields, then content, per part
    Status status = Status::need_more;
    MultipartError error = MultipartError::none;
    bool done = false;
    bool operator==(const Outcome&) const = default;
};

bool inside(std::string_view part, std::string_view whole) {
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void check_name(std::string_view raw, bool allow_hidden) {
    const auto name = handlers::safe_upload_name(raw, allow_hidden);
    if (!name) return;
    check(!name->empty() && name->size() <= handlers::kMaxUploadName);
    check(*name != "." && *name != "..");
    check(allow_hidden || name->front() != '.');
    check(name->back() != '.' && name->back() != ' ');
    for (const char c : *name) {
        const auto u = static_cast<unsigned char>(c);
        check(c != '/' && c != '\\' && u >= 0x20 && u != 0x7f);
    }
    check(handlers::safe_upload_name(*name, allow_hidden) == *name); // a fixed point
    const std::string numbered = handlers::numbered_name(*name, 1 + raw.size() % 1000);
    check(numbered.size() <= handlers::kMaxUploadName && numbered != *name);
    check(handlers::safe_upload_name(numbered, allow_hidden) == numbered);
}

void check_disposition(std::string_view value) {
    const auto cd = parse_content_disposition(value);
    if (!cd) return;
    check(!cd->type.empty());
    for (const char c : cd->type) check(c < 'A' || c > 'Z');
    if (cd->filename) {
        check_name(*cd->filename, false);
        check_name(*cd->filename, true);
    }
}

// Feeds `body` as a connection would: received grows to next(received) each time, and each call
// gets what is not consumed yet.
template <class Next>
Outcome run(std::string_view body, std::string_view boundary, Next next) {
    MultipartParser mp(boundary);
    Outcome out;
    std::size_t offset = 0;
    std::size_t received = 0;
    std::size_t content = 0;
    std::size_t steps = 0;
    for (;;) {
        received = next(received);
        for (;;) {
            check(++steps < 8 * body.size() + 64); // progress
            const std::string_view in = body.substr(offset, received - offset);
            const auto s = mp.parse(in);
            check(s.consumed <= in.size());
            offset += s.consumed;
            out.status = s.status;
            if (s.status == Status::part) {
                std::string fields;
                for (const Field& f : mp.part_fields()) {
                    fields.append(f.name).append(":").append(f.value).append("\n");
                    if (f.id == FieldId::content_disposition) check_disposition(f.value);
                }
                out.parts.push_back(fields);
                out.parts.emplace_back();
                continue;
            }
            if (s.status == Status::data) {
                check(!s.data.empty() && inside(s.data, in) && !out.parts.empty());
                out.parts.back().append(s.data);
                content += s.data.size();
                continue;
            }
            if (s.status == Status::part_end) {
                check(!out.parts.empty());
                continue;
            }
            if (s.status == Status::need_more)
                check(received - offset <= boundary.size() + 4 &&
                      received - offset <= mp.max_held_back());
            break;
        }
        if (out.status != Status::need_more || received == body.size()) break;
    }
    check(content <= body.size());
    out.error = mp.error();
    out.done = mp.done();
    check(out.done == (out.status == Status::done));
    check((out.error != MultipartError::none) == (out.status == Status::error));
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    // Mostly short boundaries, which a mutated body meets often; sometimes up to 70 bytes.
    const std::size_t length = data[0] & 0x80 ? 1 + data[0] % 70 : 1 + data[0] % 4;
    const std::size_t piece = 1 + data[1] % 13;
    const std::size_t split_seed = data[2];
    if (size < 3 + length) return 0;
    std::string boundary;
    for (std::size_t i = 0; i < length; ++i) {
        const char c = static_cast<char>(data[3 + i]);
        boundary +=
            kBchars.find(c) != std::string_view::npos ? c : kBchars[data[3 + i] % kBchars.size()];
    }
    if (boundary.back() == ' ') boundary.back() = '_';
    check(is_valid_multipart_boundary(boundary));
    // A view straight into libFuzzer's buffer, so ASan sees any read past its end.
    const std::string_view body(reinterpret_cast<const char*>(data) + 3 + length,
                                size - 3 - length);
    const std::size_t split = body.empty() ? 0 : split_seed * body.size() / 255;

    const Outcome whole = run(body, boundary, [&](std::size_t) { return body.size(); });
    check(run(body, boundary, [&](std::size_t at) { return std::min(body.size(), at + 1); }) ==
          whole);
    check(run(body, boundary, [&](std::size_t at) { return std::min(body.size(), at + piece); }) ==
          whole);
    check(run(body, boundary, [&](std::size_t at) { return at < split ? split : body.size(); }) ==
          whole);

    // The body as a header value and as a file name.
    check_disposition(body);
    check_name(body, data[2] & 1);
    return 0;
}
