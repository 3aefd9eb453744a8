// How an answer leaves the HTTP/1 session: the head and framing, the body (bytes, a file range
// with send_file, or a stream pulled as the transport takes it), the access log line, and how
// the connection ends after the last answer. The reading side is in http1_session.cpp.
#include "server/access_log.hpp"
#include "server/error_page.hpp"
#include "server/http1_session.hpp"
#include "server/upgraded_session.hpp"
#include "server/worker.hpp"

#include <pier/chunked.hpp>
#include <pier/serializer.hpp>

#include <algorithm>

namespace pier::server {

void Http1Session::write_response(bool head_only) {
    if (ResponseAccess::raw(x().response) && x().response.has_stream()) {
        close_after_write_ = true; // its own framing, if any, is not ours to know
        x().bytes_for_log = 0;
        start_body(true, false);
        return;
    }
    const ServerConfig& config = worker_.shared().config;
    Fields& f = x().response.fields();
    const int status = x().response.status();
    const bool has_content = status_allows_content(status);
    const bool streamed = has_content && x().response.has_stream();
    const std::uint64_t length =
        x().response.has_file() ? x().response.file().length : x().response.body().size();
    x().bytes_for_log = has_content && !streamed ? length : 0;

    if (x().head.version == Version::http09) { // a simple response: the body, nothing else
        close_after_write_ = true;
        if (!head_only) start_body(streamed, false);
        return;
    }
    // The framing: a known length, chunked for HTTP/1.1 streams, the connection's end for
    // HTTP/1.0 streams. The server owns it, and connection management, whatever the handler
    // put in those fields.
    f.erase(FieldId::content_length);
    f.erase(FieldId::transfer_encoding);
    f.erase(FieldId::connection);
    f.set("Date", worker_.date());
    if (!config.server_header.empty() && !f.contains(FieldId::server))
        f.set("Server", config.server_header);
    const bool chunked = streamed && x().head.version == Version::http11;
    if (streamed && !chunked) close_after_write_ = true;
    if (chunked)
        f.set("Transfer-Encoding", "chunked");
    else if (has_content && !streamed)
        f.set("Content-Length", std::to_string(length));
    if (x().upgrade)
        f.set("Connection", "Upgrade"); // with the handler's Upgrade field: RFC 9110 §7.8
    else if (close_after_write_)
        f.set("Connection", "close");
    else if (x().head.version == Version::http10)
        f.set("Connection", "keep-alive");
    if (auto e = append_response_head(x().out, Version::http11, status, x().response.reason(), f)) {
        // A handler put something unsendable in its fields: answer 500 instead.
        log_error(config.log, config.access_log, worker_.loop().wall_now(), conn_.remote_address(),
                  500, to_string(*e));
        fill_error(x().response, 500);
        write_response(head_only);
        return;
    }
    if (has_content && !head_only) start_body(streamed, chunked);
}

// Queues the body: bytes into x().out now; a file or a stream for flush() to send as the
// transport takes it.
void Http1Session::start_body(bool streamed, bool chunked) {
    if (streamed) {
        x().source = ResponseAccess::take_source(x().response);
        x().stream_chunked = chunked;
        sending_body_ = true;
    } else if (x().response.has_file()) {
        x().file = ResponseAccess::take_file(x().response);
        sending_body_ = true;
    } else {
        x().out += x().response.body();
    }
}

void Http1Session::log(int status, std::string_view raw_line) {
    const ServerConfig& config = worker_.shared().config;
    if (config.access_log == AccessLogFormat::off) return;
    // The request line as received, as Python logs it.
    std::string line(raw_line);
    if (x().log_owned) line = x().owned_line;
    if (line.empty() && !x().head.method_name.empty()) {
        line.append(x().head.method_name).append(" ").append(x().head.target);
        if (x().head.version != Version::http09)
            line.append(x().head.version == Version::http10 ? " HTTP/1.0" : " HTTP/1.1");
    }
    AccessRecord r;
    r.host = conn_.remote_address();
    r.request_line = line;
    r.user = x().remote_user;
    r.status = status;
    if (config.access_log != AccessLogFormat::python) r.body_bytes = x().bytes_for_log;
    r.referer = x().log_owned ? x().owned_referer : x().head.fields.get(FieldId::referer);
    r.user_agent = x().log_owned ? x().owned_agent : x().head.fields.get(FieldId::user_agent);
    log_access(config.log, config.access_log, worker_.loop().wall_now(), r);
}

// Writes what is pending: buffered bytes, then a file range, then a streamed body pulled piece
// by piece — each only once the transport took everything before it, so a slow client never
// makes the server buffer more than one piece — and last what the transport itself still
// holds. False when it must wait (or closed).
bool Http1Session::flush() {
    if (x_ && !write_exchange()) return false;
    net::Transport& transport = conn_.transport();
    if (transport.pending_output() == 0) return true;
    const net::IoResult r = transport.flush();
    if (r.status == net::IoResult::ok) return true;
    if (r.status == net::IoResult::would_block) {
        arm(Deadline::write);
        return false;
    }
    conn_.close_now();
    return false;
}

bool Http1Session::write_exchange() {
    net::Transport& transport = conn_.transport();
    for (;;) {
        while (x().out_sent < x().out.size()) {
            const net::IoResult r = transport.write(std::string_view(x().out).substr(x().out_sent));
            if (r.status == net::IoResult::ok) {
                x().out_sent += r.bytes;
                continue;
            }
            if (r.status == net::IoResult::would_block) {
                arm(Deadline::write);
                return false;
            }
            conn_.close_now(); // EPIPE, ECONNRESET: the client is gone
            return false;
        }
        x().out.clear();
        x().out_sent = 0;
        if (x().file.fd >= 0) {
            if (!send_file()) return false;
            continue;
        }
        if (x().source) {
            if (x().source_pending) { // the source has nothing yet; the client is not slow
                conn_.clear_deadline();
                return false;
            }
            if (!pull_stream()) return false;
            continue;
        }
        sending_body_ = false;
        return true;
    }
}

bool Http1Session::send_file() {
    net::Transport& transport = conn_.transport();
    while (x().file.length > 0) {
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(x().file.length, 1u << 30));
        const net::IoResult r = transport.send_file(x().file.fd, x().file.offset, want);
        if (r.status == net::IoResult::ok) {
            x().file.length -= r.bytes;
            continue;
        }
        if (r.status == net::IoResult::would_block) {
            arm(Deadline::write);
            return false;
        }
        // The file shrank under us or cannot be read, or the client is gone: the announced
        // length can no longer be met, so the connection must end rather than desynchronise
        // the client.
        conn_.close_now();
        return false;
    }
    x().file.release();
    return true;
}

// One pull of the streamed body: its piece framed into x().out. False when the stream cannot
// go on (the connection is closed).
bool Http1Session::pull_stream() {
    std::string piece;
    Response::Pull pull = Response::Pull::done;
    try {
        pull = x().source(piece, resume_handle());
    } catch (...) {
        close_after_write_ = true; // the body is cut short: only closing can say so
        x().source = nullptr;
        x().stop_waking();
        if (!x().stream_chunked) {
            conn_.close_now();
            return false;
        }
        return true; // no last chunk: the client sees an incomplete chunked body, then close
    }
    if (x().stream_chunked) {
        if (!piece.empty()) {
            append_chunk_header(x().out, piece.size());
            x().out += piece;
            append_chunk_end(x().out);
        }
        if (pull == Response::Pull::done)
            append_last_chunk(x().out,
                              x().response.trailers().empty() ? nullptr : &x().response.trailers());
    } else {
        x().out += piece;
    }
    x().bytes_for_log += piece.size();
    if (pull == Response::Pull::pending) x().source_pending = true;
    if (pull == Response::Pull::done) {
        x().source = nullptr;
        x().stop_waking();
    }
    return true;
}

void Http1Session::after_flush() {
    if (!close_after_write_) {
        // Reading stopped while this answer was made: what came meanwhile is read now, and
        // on_input() answers it together with what was buffered. When nothing new came, the
        // requests already buffered (read before reading stopped, or waiting behind a long
        // body) are answered here: no edge will come for bytes already read.
        if (conn_.read_paused() && (conn_.resume_reading() || conn_.closed())) return;
        if (stage_ == Stage::head && !in_.empty()) {
            process();
            return;
        }
    }
    settle();
}

// Nothing more will arrive from a half-closed client; once nothing is being answered either,
// the connection is done. A request it left incomplete can never be answered.
bool Http1Session::close_if_peer_done() {
    if (!conn_.peer_closed() || conn_.closed() || conn_.lingering() || stage_ == Stage::handler ||
        stage_ == Stage::waiting || sending_body_ || output_pending())
        return false;
    conn_.close_now();
    return true;
}

// Nothing is left to send: end the connection if it is done, hand it over after a 101, or
// let it go idle.
void Http1Session::settle() {
    if (x_ && x_->upgrade && !output_pending() && !conn_.closed()) {
        hand_over_upgraded();
        return;
    }
    if (close_if_peer_done()) return;
    if (stage_ != Stage::head || sending_body_) return; // an answer is still being made
    if (close_after_write_) {
        end_connection();
        return;
    }
    if (!in_.empty()) return; // the start of the next request: wait for the rest
    request_started_ = false;
    in_.release(); // an idle keep-alive connection holds no buffer
    release_exchange_if_idle();
    arm(Deadline::idle);
}

// The 101 has gone out: from here on the connection is the handler's byte stream, and the
// bytes already read past the request head are the first it gets.
void Http1Session::hand_over_upgraded() {
    std::unique_ptr<StreamHandlers> handlers = std::move(x_->upgrade);
    auto stream = std::make_unique<UpgradedSession>(conn_, std::move(handlers));
    UpgradedSession& next = *stream;
    conn_.replace_session(std::move(stream)); // this session is destroyed after the event
    next.start();
}

void Http1Session::end_connection() {
    // Closing with unread input makes the kernel send RST, which can destroy the response in
    // flight: linger (connection.hpp) — unless nothing is unread: the client said its last
    // word (or said nothing since we last found the socket empty), and a plain close sends the
    // response and then FIN (as nginx does, it saves the lingering round trip of every
    // connection-per-request client).
    if (conn_.closed() || conn_.lingering()) return;
    // A pipelining client may have more requests in flight that a close would answer with a
    // reset, destroying answers it has not read yet: it gets the lingering close (as nginx's
    // heuristic does), whatever was unread at this instant.
    // Over TLS the client's last word is data (close_notify), which a closed socket answers
    // with a reset: TLS connections always linger, until the client closes or time is up.
    if (conn_.peer_closed() ||
        (in_.empty() && conn_.input_drained() && !pipelined_ && !conn_.transport().secure())) {
        conn_.close_now();
        return;
    }
    conn_.linger(worker_.shared().config.timeouts.linger);
}

} // namespace pier::server
