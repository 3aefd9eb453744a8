// Response: the head as received, then the body pulled through the framing (Content-Length,
// chunked, until close) and, when asked, the content decoder.
#include "client/channel.hpp"
#include "client/decode.hpp"
#include "client/response_stream.hpp"

#include <pier/chunked.hpp>
#include <pier/client_response.hpp>
#include <pier/field_lists.hpp>
#include <pier/parser.hpp>

#include <cstring>
#include <utility>

namespace pier::client {

namespace {
constexpr std::size_t kLargeRead = std::size_t{64} * 1024;
} // namespace

namespace detail {

struct BodyReaderState {
    explicit BodyReaderState(std::unique_ptr<ResponseStream> s) : stream(std::move(s)) {}
    std::unique_ptr<ResponseStream> stream; // past the head: the body's framing
    bool at_eof = false;                    // the server closed after what is pending
    std::unique_ptr<ContentDecoder> decoder;
    std::string undecodable; // set: the coding that has no decoder, raised at the first read
    std::string raw;         // received bytes waiting for the decoder
    std::size_t raw_at = 0;
    bool raw_done = false;
    bool decoded_done = false;
};

} // namespace detail

Response::Response() = default;
Response::Response(Response&&) noexcept = default;
Response& Response::operator=(Response&& other) noexcept {
    if (this != &other) {
        close();
        channel_ = std::move(other.channel_);
        head_text_ = std::move(other.head_text_);
        status_ = other.status_;
        reason_ = std::move(other.reason_);
        version_ = other.version_;
        fields_ = std::move(other.fields_);
        interim_ = std::move(other.interim_);
        content_length_ = other.content_length_;
        keep_alive_ = other.keep_alive_;
        closed_ = other.closed_;
        received_ = other.received_;
        body_ = std::move(other.body_);
        url_ = std::move(other.url_);
        redirects_ = other.redirects_;
        connection_info_ = std::move(other.connection_info_);
        sent_ = other.sent_;
        first_byte_ = other.first_byte_;
        reused_ = other.reused_;
        other.closed_ = true;
    }
    return *this;
}
Response::~Response() {
    close();
}

const ConnectionInfo& Response::connection_info() const noexcept {
    static const ConnectionInfo none;
    return connection_info_ ? *connection_info_ : none;
}

void Response::start(std::shared_ptr<detail::Channel> channel, std::string head, Method method,
                     bool decode, std::unique_ptr<detail::ResponseStream> stream) {
    channel_ = std::move(channel);
    head_text_ = std::make_unique<std::string>(std::move(head));
    // The head was parsed once in the channel's buffer; parsing it again here gives views into
    // text this Response owns, at the cost of one pass over a few hundred bytes.
    ResponseParser parser(channel_->limits);
    ResponseHead h;
    (void)parser.parse(*head_text_, h, method);
    status_ = h.status;
    reason_.assign(h.reason);
    version_ = h.version == Version::http10 ? 10 : 11;
    fields_ = std::move(h.fields);
    keep_alive_ = h.keep_alive;
    body_ = std::make_unique<detail::BodyReaderState>(std::move(stream));
    closed_ = false;
    if (h.body == BodyKind::content_length) content_length_ = h.content_length;
    const bool no_content =
        h.body == BodyKind::none || (h.body == BodyKind::content_length && h.content_length == 0);
    // A HEAD, 204 or 304 response describes the coding of a body it does not carry.
    if (decode && !no_content && fields_.contains(FieldId::content_encoding)) {
        detail::DecoderChoice choice =
            detail::make_content_decoder(fields_.joined(FieldId::content_encoding));
        body_->decoder = std::move(choice.decoder);
        body_->undecodable = std::move(choice.unknown);
    }
    if (no_content) finish();
}

std::string Response::header(std::string_view name, std::string_view fallback) const {
    if (!fields_.contains(name)) return std::string(fallback);
    return fields_.joined(name);
}

const Fields& Response::trailers() const noexcept {
    static const Fields none;
    return body_ ? body_->stream->trailers() : none;
}

void Response::finish() noexcept {
    closed_ = true;
    if (!channel_) return;
    channel_->response_active = false;
    channel_->idle_since = detail::Clock::now();
    // Bytes after the end of the answer were never asked for (the client does not pipeline):
    // the server frames its messages otherwise than we read them, and the next answer on this
    // connection could not be trusted. curl drops the connection too.
    if (!keep_alive_ || !channel_->pending().empty()) channel_->close();
    channel_.reset();
}

void Response::close() noexcept {
    if (channel_ && !closed_) channel_->close(); // an unread body: the connection is spent
    closed_ = true;
    channel_.reset();
}

// The last counted byte is the end: the connection is free at once, without another read.
void Response::end_counted_body() noexcept {
    (void)body_->stream->next({}, false);
    finish();
}

std::size_t Response::read_raw(std::span<char> out) {
    if (closed_ || !channel_ || out.empty()) return 0;
    detail::Channel& ch = *channel_;
    if (!ch.open()) {
        closed_ = true;
        channel_.reset();
        throw NotConnected("the connection was closed before the body was read");
    }
    detail::BodyReaderState& b = *body_;
    detail::ResponseStream& rs = *b.stream;
    using Event = detail::ResponseStream::Event;
    for (;;) {
        const std::string_view pending = ch.pending();
        if (const std::uint64_t left = rs.body_remaining(); left != 0 && pending.empty()) {
            // Large bodies go straight from the socket into the caller's buffer: no copy.
            // A large counted read waits for all of `want` (as Python's buffered readinto
            // does): fewer, larger reads. Only while at least as much again is still to come:
            // Linux wakes a reader when the queue alone reaches the low-water mark, not
            // counting what the blocked read already copied, so near the end of a body the
            // mark could never be met. Small reads take what is there, at no extra call.
            const std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), left));
            const bool steady = want >= kLargeRead && left >= 2 * std::uint64_t{want};
            const detail::Io io =
                ch.transport->read_expecting(out.data(), want, steady ? want : 1, ch.deadline());
            if (io.status == detail::IoStatus::ok) {
                rs.took_body(io.bytes);
                received_ += io.bytes;
                if (rs.body_remaining() == 0) end_counted_body();
                return io.bytes;
            }
            if (io.status != detail::IoStatus::eof) {
                std::unique_ptr<detail::Transport> t = std::move(ch.transport);
                close();
                detail::throw_io_error(io, t.get(), "reading the body");
            }
            b.at_eof = true;
        }
        // Never more input than `out` can take, so all data a step yields fits.
        const detail::ResponseStream::Step s = rs.next(pending.substr(0, out.size()), b.at_eof);
        switch (s.event) {
        case Event::data: {
            const std::size_t n = s.data.size();
            if (n != 0) std::memmove(out.data(), s.data.data(), n);
            ch.consume(s.consumed);
            received_ += n;
            if (rs.body_remaining() == 0 && content_length_) end_counted_body();
            if (n != 0 || closed_) return n;
            continue;
        }
        case Event::done:
            ch.consume(s.consumed);
            finish();
            return 0;
        case Event::need_more: {
            ch.consume(s.consumed);
            // The step saw at most out.size() bytes: what it did not see is still pending.
            if (b.at_eof || !ch.pending().empty()) continue;
            const detail::Io io = ch.fill();
            if (io.status == detail::IoStatus::eof) {
                b.at_eof = true;
            } else if (io.status != detail::IoStatus::ok) {
                std::unique_ptr<detail::Transport> t = std::move(ch.transport);
                close();
                detail::throw_io_error(io, t.get(), "reading the body");
            }
            continue;
        }
        case Event::error: {
            const std::optional<std::uint64_t> length = content_length_;
            close();
            detail::throw_response_error(rs, {}, length);
        }
        case Event::interim:
        case Event::head:
            break;
        }
        close();
        throw ProtocolError("a second head inside a body");
    }
}

std::size_t Response::read_decoded(std::span<char> out) {
    detail::BodyReaderState& b = *body_;
    while (!b.decoded_done) {
        if (b.raw_at == b.raw.size() && !b.raw_done) {
            b.raw.resize(std::size_t{64} * 1024);
            b.raw.resize(read_raw(b.raw));
            b.raw_at = 0;
            b.raw_done = b.raw.empty();
        }
        const std::string_view in = std::string_view(b.raw).substr(b.raw_at);
        const detail::ContentDecoder::Step s = b.decoder->step(in, out);
        b.raw_at += s.consumed;
        if (s.error) {
            close();
            throw ContentDecodingError("corrupt " + fields_.joined(FieldId::content_encoding) +
                                       " content");
        }
        if (s.done) b.decoded_done = true;
        if (s.produced != 0) return s.produced;
        if (b.raw_done && s.consumed == 0) {
            if (!s.done) {
                close();
                throw ContentDecodingError("truncated " +
                                           fields_.joined(FieldId::content_encoding) + " content");
            }
            b.decoded_done = true;
        }
    }
    // Bytes after the end of the coded stream are ignored, but the framing is read to its end
    // so the connection can be reused.
    char sink[4096];
    while (read_raw(sink) != 0) {
    }
    return 0;
}

std::size_t Response::readinto(std::span<char> buffer) {
    if (!body_ || buffer.empty()) return 0;
    if (!body_->undecodable.empty()) {
        const std::string coding = std::exchange(body_->undecodable, {});
        close();
        throw ContentDecodingError("unrecognized content coding: " + coding);
    }
    return body_->decoder ? read_decoded(buffer) : read_raw(buffer);
}

std::string Response::read(std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        const std::size_t k = readinto(std::span<char>(out.data() + got, n - got));
        if (k == 0) break;
        got += k;
    }
    out.resize(got);
    return out;
}

std::string Response::read() {
    std::string out;
    if (content_length_ && !(body_ && body_->decoder))
        out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*content_length_, 1 << 26)));
    char buffer[16384];
    while (const std::size_t k = readinto(buffer)) out.append(buffer, k);
    return out;
}

IncompleteRead::IncompleteRead(std::uint64_t partial, std::optional<std::uint64_t> expected)
    : HTTPException("IncompleteRead(" + std::to_string(partial) + " bytes read" +
                    (expected ? ", " + std::to_string(*expected - partial) + " more expected"
                              : std::string()) +
                    ")"),
      partial_(partial), expected_(expected) {}

} // namespace pier::client
