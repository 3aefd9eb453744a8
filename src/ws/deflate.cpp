#include "ws/deflate.hpp"

#include <algorithm>
#include <cassert>
#include <climits>
#include <new>
#include <stdexcept>
#include <zlib.h>

namespace pier::ws::detail {

struct Inflater::State {
    z_stream z{};
    bool no_context_takeover = false;
    bool ended = false; // the message's DEFLATE data ended with a final block
};

Inflater::Inflater(int window_bits, bool no_context_takeover) : state_(std::make_unique<State>()) {
    state_->no_context_takeover = no_context_takeover;
    // Negative: raw DEFLATE, no zlib header or checksum (RFC 7692 §7.2.1).
    if (inflateInit2(&state_->z, -std::clamp(window_bits, 8, 15)) != Z_OK) throw std::bad_alloc();
}

Inflater::~Inflater() {
    if (state_) inflateEnd(&state_->z);
}
Inflater::Inflater(Inflater&&) noexcept = default;
Inflater& Inflater::operator=(Inflater&& other) noexcept {
    if (this != &other) {
        if (state_) inflateEnd(&state_->z);
        state_ = std::move(other.state_);
    }
    return *this;
}

Inflater::Result Inflater::inflate(std::string_view in, std::span<char> out) noexcept {
    z_stream& z = state_->z;
    // zlib counts in uInt; a larger piece is simply taken over several calls.
    const std::size_t in_size = std::min<std::size_t>(in.size(), UINT_MAX);
    const std::size_t out_size = std::min<std::size_t>(out.size(), UINT_MAX);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in_size);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out_size);
    Result r;
    if (state_->ended) {
        r.consumed = in_size;
        return r;
    }
    while (z.avail_out != 0) {
        const int ret = ::inflate(&z, Z_SYNC_FLUSH);
        if (ret == Z_STREAM_END) {
            // A block marked final (BFINAL) ends zlib's stream; RFC 7692 §7.2.3.4 lets a
            // sender end a message so. Whatever follows in this message (the tail we appended)
            // is not DEFLATE data and is passed over; the window is carried into a fresh
            // stream for the next message, unless the agreement drops it anyway.
            unsigned char window[32768];
            uInt window_size = 0;
            const bool keep = !state_->no_context_takeover &&
                              inflateGetDictionary(&z, window, &window_size) == Z_OK;
            if (inflateReset(&z) != Z_OK ||
                (keep && window_size != 0 &&
                 inflateSetDictionary(&z, window, window_size) != Z_OK)) {
                r.error = true;
                break;
            }
            state_->ended = true;
            z.avail_in = 0;
            break;
        }
        if (ret == Z_BUF_ERROR) break; // no input left to use: not an error
        if (ret != Z_OK) {
            r.error = true; // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR
            break;
        }
        if (z.avail_in == 0) {
            // All input taken; output zlib still holds comes with the next call (avail_out
            // full) or there is none.
            if (z.avail_out != 0) break;
        }
    }
    r.consumed = in_size - z.avail_in;
    r.produced = out_size - z.avail_out;
    return r;
}

void Inflater::end_message() noexcept {
    state_->ended = false;
    if (state_->no_context_takeover) inflateReset(&state_->z);
}

struct Deflater::State {
    z_stream z{};
    bool no_context_takeover = false;
};

Deflater::Deflater(int window_bits, bool no_context_takeover, int level)
    : state_(std::make_unique<State>()) {
    state_->no_context_takeover = no_context_takeover;
    if (deflateInit2(&state_->z, std::clamp(level, 1, 9), Z_DEFLATED,
                     -std::clamp(window_bits, 9, 15), 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::bad_alloc();
}

Deflater::~Deflater() {
    if (state_) deflateEnd(&state_->z);
}
Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&& other) noexcept {
    if (this != &other) {
        if (state_) deflateEnd(&state_->z);
        state_ = std::move(other.state_);
    }
    return *this;
}

void Deflater::compress(std::string_view in, bool last, std::string& out) {
    z_stream& z = state_->z;
    const std::size_t start = out.size();
    while (true) {
        const std::size_t piece = std::min<std::size_t>(in.size(), UINT_MAX / 2);
        // Room for the piece as stored blocks plus the flush marker; grown if ever short.
        const std::size_t room = piece + piece / 8 + 64;
        const std::size_t before = out.size();
        out.resize(before + room);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        z.avail_in = static_cast<uInt>(piece);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + before);
        z.avail_out = static_cast<uInt>(room);
        const int ret = deflate(&z, Z_SYNC_FLUSH);
        // Z_BUF_ERROR: nothing to do (a flush right after a flush) — nothing written.
        assert(ret == Z_OK || ret == Z_BUF_ERROR);
        (void)ret;
        out.resize(out.size() - z.avail_out);
        in.remove_prefix(piece - z.avail_in);
        if (in.empty() && z.avail_out != 0) break;
    }
    if (!last) return;
    // RFC 7692 §7.2.1: the flush's empty stored block ends the message's bytes and is left
    // off. A call that wrote nothing (zlib writes nothing for a flush right after a flush: an
    // empty message, or an empty last fragment) sends that block's header byte alone: the
    // stream is on a byte boundary, and the reader's 00 00 FF FF completes it (§7.2.3.6).
    const std::string_view written = std::string_view(out).substr(start);
    if (written.empty())
        out.push_back('\0');
    else if (written.size() >= kDeflateTail.size() && written.ends_with(kDeflateTail))
        out.resize(out.size() - kDeflateTail.size());
    if (state_->no_context_takeover) deflateReset(&z);
}

} // namespace pier::ws::detail
