// The receiving half of a WebSocket connection: bytes in, messages and control frames out,
// I/O-free and incremental, in the manner of the HTTP codec (include/pier/parser.hpp).
//
//     detail::Reader reader(Role::server, limits);          // one per connection
//     reader.enable_deflate(agreed);                         // if permessage-deflate was agreed
//     for (;;) {                                             // for each run of received bytes
//         auto step = reader.read(in);                       // std::span<char>: unmasked in place
//         in = in.subspan(step.consumed);
//         switch (step.status) {
//         case Status::message:  on_message(step.opcode, step.data); continue;
//         case Status::control:  on_control(step.opcode, step.data, step.close_code); continue;
//         case Status::error:    send_close(reader.failure()); return;
//         case Status::need_more: keep `in` (at most a frame header or a control frame), read more
//         }
//     }
//
// Contract:
//   - `input` is the bytes received and not yet consumed, starting where the last call's
//     `consumed` ended; bytes not consumed must be passed again, with more after them. The
//     reader keeps back at most one frame header (14 bytes) or one whole control frame
//     (139 bytes): everything else it consumes as it comes.
//   - Payloads are unmasked in place, in `input`. `data` is a view into `input` (a control
//     frame; a message that arrived whole in one frame and one read, uncompressed) or into the
//     reader's own buffer; it is valid until the next call.
//   - Call again until `need_more` (or `error`): one call returns at most one message or frame.
//   - Every rule of RFC 6455 §5 and §8.1 (UTF-8, checked as bytes arrive, so a bad byte fails at
//     once), RFC 7692 §6 and the Limits (max_ws_frame, max_ws_message after decompression,
//     max_ws_fragments) is checked; a failure says which close code to send, and the reader
//     stays failed. Splitting the input anywhere gives the same messages and the same failure.
//   - Two ways to take messages: whole (Mode::messages), bounded by max_ws_message, or as they
//     arrive (Mode::fragments): each piece of payload as soon as it is received, `last` on the
//     piece that ends the message, still bounded by max_ws_message in total.
//   - After a Close frame the connection is closing: the caller stops reading.
#pragma once

#include "ws/deflate.hpp"
#include "ws/frame.hpp"
#include "ws/message_buffer.hpp"
#include "ws/utf8_validator.hpp"

#include <pier/limits.hpp>
#include <pier/websocket.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pier::ws::detail {

class Reader {
  public:
    enum class Mode : std::uint8_t {
        messages,  // whole messages
        fragments, // payload as it arrives
    };
    enum class Status : std::uint8_t {
        need_more, // everything usable is consumed: call again with more bytes
        message,   // Mode::messages: a whole text or binary message in `data`
        fragment,  // Mode::fragments: the next piece of a message (maybe empty when `last`)
        control,   // a close, ping or pong frame; its payload in `data`
        error,     // failure() says how to close
    };
    struct Step {
        Status status = Status::need_more;
        std::size_t consumed = 0;
        Opcode opcode = Opcode::continuation;             // text or binary; close, ping or pong
        std::string_view data;                            // for a close: the reason
        bool last = false;                                // a fragment that ends its message
        std::uint16_t close_code = close_code::no_status; // a close: the peer's code
    };

    explicit Reader(Role role, const Limits& limits = {}, Mode mode = Mode::messages);

    /// After the handshake agreed permessage-deflate: RSV1 marks compressed messages, inflated
    /// with the peer's window and context takeover as agreed.
    void enable_deflate(const DeflateParams& agreed);

    Step read(std::span<char> input);

    const Failure& failure() const noexcept { return failure_; }
    bool failed() const noexcept { return failed_; }

  private:
    static Step step(Status status, std::size_t consumed, Opcode opcode = Opcode::continuation,
                     std::string_view data = {}, bool last = false) noexcept {
        Step s;
        s.status = status;
        s.consumed = consumed;
        s.opcode = opcode;
        s.data = data;
        s.last = last;
        return s;
    }
    Step fail(Failure f, std::size_t consumed);
    Step control_frame(const FrameHeader& h, char* payload, std::size_t consumed);
    std::optional<Failure> start_frame(const FrameHeader& h);
    std::optional<Step> plain_payload(std::span<char> input, std::size_t& pos);
    std::optional<Step> compressed_payload(std::span<char> input, std::size_t& pos);
    std::span<char> output_room();
    void end_message() noexcept;

    Limits limits_;
    Mode mode_;
    FrameContext context_;
    std::optional<Inflater> inflater_;

    // The data frame being read.
    bool in_frame_ = false;
    FrameHeader frame_;
    std::uint64_t frame_left_ = 0;   // payload bytes not consumed yet
    std::uint64_t frame_offset_ = 0; // payload bytes consumed (the mask's phase)

    // The message being read.
    Opcode opcode_ = Opcode::binary;
    bool compressed_ = false;
    std::uint64_t message_size_ = 0; // payload so far, after decompression
    std::size_t fragments_ = 0;
    Utf8Validator utf8_;
    std::size_t tail_fed_ = 0;      // bytes of the 00 00 FF FF tail given to the inflater
    bool pending_output_ = false;   // the inflater filled its output: it may hold more
    MessageBuffer buffer_;          // Mode::messages: the message so far
    std::unique_ptr<char[]> chunk_; // Mode::fragments: inflated output, a piece at a time
    bool clear_buffer_ = false;     // the last step's data is in buffer_: drop it next call

    bool failed_ = false;
    Failure failure_;
};

} // namespace pier::ws::detail
