// How a response leaves a connection: the head and framing, the body (bytes, a file range
// with sendfile, or a stream pulled as the socket drains), the access log line, and the
// lingering close after the last response. The reading side is in connection.cpp.
#include "server/access_log.hpp"
#include "server/connection.hpp"
#include "server/error_page.hpp"
#include "server/worker.hpp"

#include <pier/chunked.hpp>
#include <pier/serializer.hpp>

#include <algorithm>
#include <cerrno>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pier::server {

void Connection::write_response(bool head_only) {
    const ServerConfig& config = worker_.shared().config;
    Fields& f = response_.fields();
    const int status = response_.status();
    const bool has_content = status_allows_content(status);
    const bool streamed = has_content && response_.has_stream();
    const std::uint64_t length =
        response_.has_file() ? response_.file().length : response_.body().size();
    bytes_for_log_ = has_content && !streamed ? length : 0;

    if (head_.version == Version::http09) { // a simple response: the body, nothing else
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
    const bool chunked = streamed && head_.version == Version::http11;
    if (streamed && !chunked) close_after_write_ = true;
    if (chunked)
        f.set("Transfer-Encoding", "chunked");
    else if (has_content && !streamed)
        f.set("Content-Length", std::to_string(length));
    if (close_after_write_)
        f.set("Connection", "close");
    else if (head_.version == Version::http10)
        f.set("Connection", "keep-alive");
    if (auto e = append_response_head(out_, Version::http11, status, response_.reason(), f)) {
        // A handler put something unsendable in its fields: answer 500 instead.
        log_error(config.log, config.access_log, worker_.loop().wall_now(), remote_, 500,
                  to_string(*e));
        fill_error(response_, 500);
        write_response(head_only);
        return;
    }
    if (has_content && !head_only) start_body(streamed, chunked);
}

// Queues the body: bytes into out_ now; a file or a stream for flush() to send as the socket
// takes it.
void Connection::start_body(bool streamed, bool chunked) {
    if (streamed) {
        producer_ = std::move(response_.stream());
        stream_chunked_ = chunked;
        sending_body_ = true;
    } else if (response_.has_file()) {
        file_ = response_.take_file();
        sending_body_ = true;
    } else {
        out_ += response_.body();
    }
}

void Connection::log(int status, std::string_view raw_line) {
    const ServerConfig& config = worker_.shared().config;
    if (config.access_log == AccessLogFormat::off) return;
    // The request line as received, as Python logs it.
    std::string line(raw_line);
    if (log_owned_) line = owned_line_;
    if (line.empty() && !head_.method_name.empty()) {
        line.append(head_.method_name).append(" ").append(head_.target);
        if (head_.version != Version::http09)
            line.append(head_.version == Version::http10 ? " HTTP/1.0" : " HTTP/1.1");
    }
    AccessRecord r;
    r.host = remote_;
    r.request_line = line;
    r.status = status;
    if (config.access_log != AccessLogFormat::python) r.body_bytes = bytes_for_log_;
    r.referer = log_owned_ ? owned_referer_ : head_.fields.get(FieldId::referer);
    r.user_agent = log_owned_ ? owned_agent_ : head_.fields.get(FieldId::user_agent);
    log_access(config.log, config.access_log, worker_.loop().wall_now(), r);
}

// Writes what is pending: buffered bytes, then a file range (sendfile), then a streamed body
// pulled piece by piece — each only once the socket took everything before it, so a slow
// client never makes the server buffer more than one piece.
bool Connection::flush() {
    for (;;) {
        while (out_sent_ < out_.size()) {
            const ssize_t n =
                send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
            if (n > 0) {
                out_sent_ += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                arm(Deadline::write);
                return false;
            }
            close_now(); // EPIPE, ECONNRESET: the client is gone
            return false;
        }
        out_.clear();
        out_sent_ = 0;
        if (file_.fd >= 0) {
            if (!send_file()) return false;
            continue;
        }
        if (producer_) {
            if (!pull_stream()) return false;
            continue;
        }
        sending_body_ = false;
        return true;
    }
}

bool Connection::send_file() {
    while (file_.length > 0) {
        auto offset = static_cast<off_t>(file_.offset);
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(file_.length, 1u << 30));
        const ssize_t n = sendfile(fd_.get(), file_.fd, &offset, want);
        if (n > 0) {
            file_.offset += static_cast<std::uint64_t>(n);
            file_.length -= static_cast<std::uint64_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            arm(Deadline::write);
            return false;
        }
        // The file shrank under us (n == 0) or cannot be read: the announced length can no
        // longer be met, so the connection must end rather than desynchronise the client.
        close_now();
        return false;
    }
    close(file_.fd);
    file_ = {};
    return true;
}

bool Connection::pull_stream() {
    std::string piece;
    bool more = false;
    try {
        more = producer_(piece);
    } catch (...) {
        more = false;
        piece.clear();
        close_after_write_ = true; // the body is cut short: only closing can say so
        producer_ = nullptr;
        if (!stream_chunked_) {
            close_now();
            return false;
        }
        return true; // no last chunk: the client sees an incomplete chunked body, then close
    }
    if (stream_chunked_) {
        if (!piece.empty()) {
            append_chunk_header(out_, piece.size());
            out_ += piece;
            append_chunk_end(out_);
        }
        if (!more)
            append_last_chunk(out_, response_.trailers().empty() ? nullptr : &response_.trailers());
    } else {
        out_ += piece;
    }
    bytes_for_log_ += piece.size();
    if (!more) producer_ = nullptr;
    return true;
}

void Connection::after_flush() {
    if (close_after_write_) {
        start_linger();
        return;
    }
    if (read_paused_) {
        read_available();
        return;
    }
    if (stage_ == Stage::head && !in_.empty()) { // requests that waited behind a long body
        process();
        return;
    }
    if (stage_ == Stage::head && in_.empty()) {
        request_started_ = false;
        in_.release(); // an idle keep-alive connection holds no buffer
        arm(Deadline::idle);
    }
}

void Connection::start_linger() {
    // Closing with unread input makes the kernel send RST, which can destroy the response in
    // flight. Shut our side, then read and discard until the client closes or time is up.
    if (stage_ == Stage::closed) return;
    if (peer_closed_) {
        close_now();
        return;
    }
    shutdown(fd_.get(), SHUT_WR);
    stage_ = Stage::linger;
    arm(Deadline::linger);
    read_available();
}

} // namespace pier::server
