#include "client/response_stream.hpp"

#include "client/head_reader.hpp"

#include <pier/client_errors.hpp>

#include <algorithm>

namespace pier::client::detail {

ResponseStream::ResponseStream(const Limits& limits)
    : limits_(limits), parser_(limits), chunked_(limits) {
    chunked_.set_lenient_extensions(true); // as curl: a response's extensions are ignored
}

void ResponseStream::expect(Method method) {
    method_ = method;
    state_ = State::head;
    parser_.reset();
    chunked_.reset();
    received_ = 0;
    started_ = false;
    head_done_ = false;
    keep_alive_ = false;
    failure_ = Failure::none;
    error_ = ParseError::none;
}

ResponseStream::Step ResponseStream::fail(Failure f, ParseError e) {
    state_ = State::idle;
    keep_alive_ = false;
    failure_ = f;
    error_ = e;
    return {Event::error, 0, {}};
}

ResponseStream::Step ResponseStream::next(std::string_view input, bool eof) {
    if (state_ == State::idle) return {Event::need_more, 0, {}};
    if (!input.empty()) started_ = true;
    if (state_ == State::head) {
        if (!input.empty()) {
            const ParseStatus s = parser_.parse(input, head_, method_);
            if (s == ParseStatus::error) return fail(Failure::head, parser_.error());
            if (s == ParseStatus::complete) {
                const std::size_t size = parser_.head_size();
                parser_.reset();
                if (head_.is_informational() && head_.status != 101)
                    return {Event::interim, size, {}};
                state_ = State::body;
                head_done_ = true;
                kind_ = head_.body;
                remaining_ = head_.body == BodyKind::content_length ? head_.content_length : 0;
                keep_alive_ = head_.keep_alive;
                if (kind_ == BodyKind::chunked) chunked_.reset();
                return {Event::head, size, {}};
            }
        }
        if (eof) return fail(Failure::closed_early);
        return {Event::need_more, 0, {}}; // the parser takes the head from its first byte
    }
    return body_step(input, eof);
}

ResponseStream::Step ResponseStream::body_step(std::string_view input, bool eof) {
    auto done = [this](std::size_t consumed) {
        state_ = State::idle;
        return Step{Event::done, consumed, {}};
    };
    switch (kind_) {
    case BodyKind::none:
        return done(0);
    case BodyKind::content_length: {
        if (remaining_ == 0) return done(0);
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
        if (n != 0) {
            remaining_ -= n;
            received_ += n;
            return {Event::data, n, input.substr(0, n)};
        }
        if (eof) return fail(Failure::closed_early);
        return {Event::need_more, 0, {}};
    }
    case BodyKind::chunked: {
        if (input.empty()) {
            if (eof) return fail(Failure::closed_early);
            return {Event::need_more, 0, {}};
        }
        const ChunkedDecoder::Step s = chunked_.decode(input);
        if (s.status == ChunkedDecoder::Status::error)
            return fail(Failure::chunked, chunked_.error());
        received_ += s.data.size();
        if (!s.data.empty()) return {Event::data, s.consumed, s.data};
        if (s.status == ChunkedDecoder::Status::done) return done(s.consumed);
        // Framing read, no content yet: go on with the rest, or wait for more.
        if (s.consumed != 0 && s.consumed < input.size()) return {Event::data, s.consumed, {}};
        if (eof) return fail(Failure::closed_early);
        return {Event::need_more, s.consumed, {}};
    }
    case BodyKind::until_close:
        if (!input.empty()) {
            received_ += input.size();
            return {Event::data, input.size(), input};
        }
        if (eof) {
            keep_alive_ = false;
            return done(0);
        }
        return {Event::need_more, 0, {}};
    }
    return done(0);
}

void throw_response_error(const ResponseStream& stream, std::string_view unparsed,
                          std::optional<std::uint64_t> content_length) {
    switch (stream.failure()) {
    case ResponseStream::Failure::head:
        throw_parse_error(stream.error_code(), unparsed);
    case ResponseStream::Failure::chunked:
        throw ProtocolError(std::string("malformed chunked body: ") +
                            std::string(to_string(stream.error_code())));
    case ResponseStream::Failure::closed_early:
    case ResponseStream::Failure::none:
        break;
    }
    if (stream.nothing_received())
        throw RemoteDisconnected("Remote end closed connection without response", 0);
    if (!stream.head_done())
        throw RemoteDisconnected("connection closed inside the response head", unparsed.size());
    throw IncompleteRead(stream.body_received(), content_length);
}

} // namespace pier::client::detail
