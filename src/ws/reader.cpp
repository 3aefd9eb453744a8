#include "ws/reader.hpp"

#include "ws/close.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

namespace pier::ws::detail {
namespace {

// Inflated output handed out per step in Mode::fragments.
constexpr std::size_t kOutputChunk = std::size_t{16} * 1024;

} // namespace

Reader::Reader(Role role, const Limits& limits, Mode mode) : limits_(limits), mode_(mode) {
    context_.role = role;
    context_.max_frame = limits.max_ws_frame;
}

void Reader::enable_deflate(const DeflateParams& agreed) {
    const bool server = context_.role == Role::server;
    // We inflate what the peer compressed: the client's parameters when we are the server.
    inflater_.emplace(server ? agreed.client_window() : agreed.server_window(),
                      server ? agreed.client_no_context_takeover
                             : agreed.server_no_context_takeover);
    context_.deflate = true;
}

Reader::Step Reader::fail(Failure f, std::size_t consumed) {
    failed_ = true;
    failure_ = f;
    return step(Status::error, consumed);
}

Reader::Step Reader::read(std::span<char> input) {
    if (failed_) return step(Status::error, 0);
    if (clear_buffer_) {
        buffer_.clear();
        clear_buffer_ = false;
    }
    std::size_t pos = 0;
    for (;;) {
        if (!in_frame_) {
            const std::string_view rest(input.data() + pos, input.size() - pos);
            const HeaderResult r = parse_frame_header(rest, context_);
            if (r.status == HeaderStatus::incomplete) return step(Status::need_more, pos);
            if (r.status == HeaderStatus::error) return fail(r.failure, pos);
            const FrameHeader& h = r.header;
            if (is_control(h.opcode)) {
                // Kept back until whole: 125 bytes at most, and handled in one piece.
                if (rest.size() - h.size < h.payload_size) return step(Status::need_more, pos);
                char* payload = input.data() + pos + h.size;
                if (h.masked) apply_mask(payload, h.payload_size, h.mask, 0);
                return control_frame(h, payload, pos + h.size + h.payload_size);
            }
            pos += h.size;
            if (auto f = start_frame(h)) return fail(*f, pos);
        }
        const std::optional<Step> step =
            compressed_ ? compressed_payload(input, pos) : plain_payload(input, pos);
        if (step) return *step;
    }
}

Reader::Step Reader::control_frame(const FrameHeader& h, char* payload, std::size_t consumed) {
    const std::string_view data(payload, h.payload_size);
    Step step = Reader::step(Status::control, consumed, h.opcode, data);
    if (h.opcode == Opcode::close) {
        ClosePayload close;
        if (auto f = parse_close(data, close)) return fail(*f, consumed);
        step.data = close.reason;
        step.close_code = close.code;
    }
    return step;
}

std::optional<Failure> Reader::start_frame(const FrameHeader& h) {
    if (h.opcode != Opcode::continuation) {
        opcode_ = h.opcode;
        compressed_ = h.rsv1;
        message_size_ = 0;
        fragments_ = 0;
        utf8_.reset();
        tail_fed_ = 0;
        pending_output_ = false;
        context_.in_message = true;
    }
    if (++fragments_ > limits_.max_ws_fragments)
        return Failure{close_code::policy_violation, "too many fragments"};
    // Known from the header alone when the payload is not compressed: fail before reading it.
    if (!compressed_ && h.payload_size > limits_.max_ws_message - message_size_)
        return Failure{close_code::message_too_big, "message too big"};
    frame_ = h;
    frame_left_ = h.payload_size;
    frame_offset_ = 0;
    in_frame_ = true;
    return std::nullopt;
}

void Reader::end_message() noexcept {
    context_.in_message = false;
    in_frame_ = false;
    if (compressed_) inflater_->end_message();
}

// Payload of an uncompressed data frame: unmasked in place, checked, handed out as a view into
// the input whenever the message needs no assembling.
std::optional<Reader::Step> Reader::plain_payload(std::span<char> input, std::size_t& pos) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(frame_left_, input.size() - pos));
    char* p = input.data() + pos;
    if (frame_.masked) apply_mask(p, n, frame_.mask, frame_offset_);
    frame_left_ -= n;
    frame_offset_ += n;
    pos += n;
    message_size_ += n;
    const std::string_view piece(p, n);
    if (opcode_ == Opcode::text && !utf8_.feed(piece))
        return fail({close_code::invalid_payload, "text is not UTF-8"}, pos);
    const bool frame_done = frame_left_ == 0;
    const bool message_done = frame_done && frame_.fin;
    if (frame_done) in_frame_ = false;
    if (message_done) {
        if (opcode_ == Opcode::text && !utf8_.complete())
            return fail({close_code::invalid_payload, "text ends inside a character"}, pos);
        end_message();
    }
    if (mode_ == Mode::fragments) {
        if (n > 0 || message_done) return step(Status::fragment, pos, opcode_, piece, message_done);
    } else if (message_done && message_size_ == n) {
        return step(Status::message, pos, opcode_, piece); // all of it here: no copy
    } else {
        buffer_.append(piece, limits_.max_ws_message);
        if (message_done) {
            clear_buffer_ = true;
            return step(Status::message, pos, opcode_, buffer_.view());
        }
    }
    if (frame_done) return std::nullopt; // on to the next frame's header
    return step(Status::need_more, pos);
}

// Where the inflater writes next: the rest of the message's buffer, which may grow to one byte
// past the limit (a byte more than allowed shows the message too big without inflating any
// further), or the fragment chunk.
std::span<char> Reader::output_room() {
    const std::uint64_t allowed = limits_.max_ws_message - message_size_ + 1;
    if (mode_ == Mode::fragments) {
        if (!chunk_) chunk_ = std::make_unique_for_overwrite<char[]>(kOutputChunk);
        return {chunk_.get(),
                static_cast<std::size_t>(std::min<std::uint64_t>(kOutputChunk, allowed))};
    }
    const std::uint64_t cap = limits_.max_ws_message + 1;
    return buffer_.room(static_cast<std::size_t>(std::min<std::uint64_t>(cap, SIZE_MAX)));
}

// Payload of a compressed message (RFC 7692 §7.2.2): unmasked in place and inflated, then the
// tail 00 00 FF FF after the last frame. Bytes zlib did not take are masked again, so the next
// call finds them as they came.
std::optional<Reader::Step> Reader::compressed_payload(std::span<char> input, std::size_t& pos) {
    for (;;) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(frame_left_, input.size() - pos));
        const bool tail_due = frame_left_ == 0 && frame_.fin && tail_fed_ < kDeflateTail.size();
        if (n == 0 && !tail_due && !pending_output_) {
            if (frame_left_ != 0) return step(Status::need_more, pos);
            in_frame_ = false; // a fragment ended; the message goes on in the next frame
            return std::nullopt;
        }
        const std::span<char> out = output_room();
        char* p = input.data() + pos;
        std::string_view in;
        if (n > 0) {
            if (frame_.masked) apply_mask(p, n, frame_.mask, frame_offset_);
            in = {p, n};
        } else if (tail_due) {
            in = kDeflateTail.substr(tail_fed_);
        }
        const Inflater::Result r = inflater_->inflate(in, out);
        if (n > 0) {
            if (frame_.masked && r.consumed < n)
                apply_mask(p + r.consumed, n - r.consumed, frame_.mask, frame_offset_ + r.consumed);
            frame_left_ -= r.consumed;
            frame_offset_ += r.consumed;
            pos += r.consumed;
        } else if (tail_due) {
            tail_fed_ += r.consumed;
        }
        if (r.error) return fail({close_code::invalid_payload, "invalid compressed data"}, pos);
        pending_output_ = r.produced != 0 && r.produced == out.size();
        const std::string_view produced(out.data(), r.produced);
        message_size_ += r.produced;
        if (mode_ == Mode::messages) buffer_.commit(r.produced);
        if (message_size_ > limits_.max_ws_message)
            return fail({close_code::message_too_big, "message too big"}, pos);
        if (opcode_ == Opcode::text && !utf8_.feed(produced))
            return fail({close_code::invalid_payload, "text is not UTF-8"}, pos);
        const bool done =
            frame_left_ == 0 && frame_.fin && tail_fed_ == kDeflateTail.size() && !pending_output_;
        if (done) {
            if (!inflater_->at_block_end())
                return fail({close_code::invalid_payload, "compressed data cut short"}, pos);
            if (opcode_ == Opcode::text && !utf8_.complete())
                return fail({close_code::invalid_payload, "text ends inside a character"}, pos);
            end_message();
        }
        if (mode_ == Mode::fragments) {
            if (!produced.empty() || done)
                return step(Status::fragment, pos, opcode_, produced, done);
        } else if (done) {
            clear_buffer_ = true;
            return step(Status::message, pos, opcode_, buffer_.view());
        }
        // The tail always fits in a stream zlib still reads; taking none of it means the
        // message's data was not DEFLATE.
        if (tail_due && r.consumed == 0 && r.produced == 0)
            return fail({close_code::invalid_payload, "invalid compressed data"}, pos);
    }
}

} // namespace pier::ws::detail
