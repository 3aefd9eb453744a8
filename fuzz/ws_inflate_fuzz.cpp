// permessage-deflate's receiving side under libFuzzer: arbitrary bytes as a compressed message's
// payload (so zlib sees garbage, bombs and BFINAL blocks) read in every mode and split with the
// same result and within the limit; and arbitrary text compressed by the Writer reads back as it
// was, with and without context takeover.
#include "ws/writer.hpp"
#include "ws_reader_driver.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pier::ws;
    if (size < 1) return 0;
    const std::uint8_t control = data[0];
    const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
    // A server's unmasked frames with RSV1: the payload, in one frame or two.
    std::string wire;
    char h[detail::kMaxFrameHeader];
    const std::size_t half = (control & 0x40) != 0 ? payload.size() / 2 : payload.size();
    const bool two = half != payload.size();
    std::size_t n = detail::write_frame_header(h, two ? Opcode::text : Opcode::binary, !two, true,
                                               half, false, 0);
    wire.append(h, n).append(payload.substr(0, half));
    if (two) {
        n = detail::write_frame_header(h, Opcode::continuation, true, false, payload.size() - half,
                                       false, 0);
        wire.append(h, n).append(payload.substr(half));
    }
    std::string framed(1, static_cast<char>(control | 0x10)); // deflate on
    framed += wire;
    fuzz::check_splits(reinterpret_cast<const std::uint8_t*>(framed.data()), framed.size(),
                       Role::client);

    // Round trip: compressed by the Writer, read by the Reader.
    DeflateParams agreed;
    agreed.server_no_context_takeover = (control & 1) != 0;
    agreed.server_max_window_bits = static_cast<std::uint8_t>(9 + control % 7);
    DeflateConfig config;
    config.level = 1 + (control >> 4) % 9;
    detail::Writer writer(Role::server);
    writer.enable_deflate(agreed, config);
    std::string out;
    writer.message(out, Opcode::binary, payload);
    writer.fragment(out, Opcode::binary, payload.substr(0, payload.size() / 3), false);
    writer.fragment(out, Opcode::binary, payload.substr(payload.size() / 3), true);
    const std::string log =
        fuzz::run(out, 1 + control % 5, Role::client, detail::Reader::Mode::messages, &agreed);
    if (payload.size() <= 60000) { // compressed, it fits in one 64 KiB frame
        const std::string m = "m2:" + std::string(payload) + "\n";
        fuzz::check(log == m + m);
    }
    return 0;
}
