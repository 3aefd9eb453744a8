#include "cgi/run.hpp"

#include "http/char_class.hpp"
#include "server/access_log.hpp"
#include "server/error_page.hpp"
#include "server/response_access.hpp"

#include <pier/fields.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace pier::cgi {
namespace {

// Script output held for a client that has not taken it yet: past this the pipe is left
// unread, and the script blocks on its own writes.
constexpr std::size_t kOutputHeld = 64 * 1024;

// Fields the server owns (framing, connection management, Date), whatever the script says.
bool server_owned(std::string_view name) {
    for (const std::string_view owned :
         {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date", "Trailer",
          "TE", "Upgrade", "Proxy-Connection"})
        if (detail::iequals(name, owned)) return true;
    return false;
}

} // namespace

Run::Run(Loop& loop, Response& response, RunSettings settings, std::shared_ptr<Budget> budget)
    : loop_(loop), response_(&response), settings_(std::move(settings)), budget_(std::move(budget)),
      parser_(settings_.max_header_block) {}

Run::~Run() {
    // The watches and timers go with this object and call back no more.
    if (child_.pid > 0 && child_.pidfd) {
        exit_watch_ = {}; // the orphan watches the same pidfd
        abandon(loop_, child_, budget_);
        holds_slot_ = false; // the orphan gives it back
    }
    release_slot();
}

void Run::release_slot() {
    if (!holds_slot_) return;
    holds_slot_ = false;
    budget_->running.fetch_sub(1, std::memory_order_relaxed);
}

void Run::start(const SpawnSpec& spec) {
    std::string error;
    if (!spawn(spec, child_, error)) {
        release_slot();
        fail(500, error);
        return;
    }
    started_ = true;
    const auto self = this; // the watches die with the Run: a raw pointer cannot dangle
    stdout_watch_ = loop_.watch(child_.stdout_pipe.get(), Loop::readable,
                                [self](unsigned) { self->on_stdout(); });
    stderr_watch_ = loop_.watch(child_.stderr_pipe.get(), Loop::readable,
                                [self](unsigned) { self->on_stderr(); });
    exit_watch_ =
        loop_.watch(child_.pidfd.get(), Loop::readable, [self](unsigned) { self->on_exit(); });
    if (child_.stdin_pipe) {
        stdin_watch_ =
            loop_.watch(child_.stdin_pipe.get(), 0, [self](unsigned) { self->on_stdin(); });
        if (body_ended_ || !in_pending_.empty()) on_stdin();
    }
    deadline_ = loop_.after(settings_.timeout, [self] { self->on_timeout(); });
}

// --- the request body -----------------------------------------------------------------------

Response::Intake Run::take_body(std::string_view piece, const Resume& resume) {
    if (stdin_gone_ || failed_ || piece.empty()) return Response::Intake::more; // dropped
    if (!started_ || !in_pending_.empty()) { // not running yet (cannot happen when streaming)
        in_pending_.append(piece);
        sink_resume_ = resume;
        return Response::Intake::pause;
    }
    ssize_t n;
    do n = write(child_.stdin_pipe.get(), piece.data(), piece.size());
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN) { // EPIPE: the script stopped reading its stdin
        close_stdin();
        return Response::Intake::more;
    }
    const std::size_t written = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (written == piece.size()) return Response::Intake::more;
    in_pending_.assign(piece.substr(written));
    sink_resume_ = resume;
    stdin_watch_.set_interest(Loop::writable);
    return Response::Intake::pause;
}

void Run::end_body() {
    body_ended_ = true;
    if (in_pending_.empty()) close_stdin();
}

void Run::give_body(std::string body) {
    in_pending_ = std::move(body);
    body_ended_ = true;
    if (started_) on_stdin();
}

void Run::on_stdin() {
    while (!in_pending_.empty() && !stdin_gone_) {
        ssize_t n;
        do n = write(child_.stdin_pipe.get(), in_pending_.data(), in_pending_.size());
        while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN) {
            stdin_watch_.set_interest(Loop::writable);
            return;
        }
        if (n < 0) {
            close_stdin();
            break;
        }
        in_pending_.erase(0, static_cast<std::size_t>(n));
    }
    in_pending_.clear();
    stdin_watch_.set_interest(0);
    if (body_ended_) close_stdin();
    if (Resume resume = std::exchange(sink_resume_, Resume())) resume();
}

void Run::close_stdin() {
    if (stdin_gone_) return;
    stdin_gone_ = true;
    in_pending_.clear();
    stdin_watch_ = {};
    child_.stdin_pipe.reset(); // EOF for the script
}

// --- the script's output --------------------------------------------------------------------

void Run::on_stdout() {
    read_stdout(false);
}

void Run::read_stdout(bool until_empty) {
    thread_local char buffer[64 * 1024];
    do {
        if (out_eof_) return;
        if (answered_ && out_.size() >= kOutputHeld) {
            stdout_watch_.set_interest(0); // the client is slow: let the pipe fill
            return;
        }
        ssize_t n;
        do n = read(child_.stdout_pipe.get(), buffer, sizeof buffer);
        while (n < 0 && errno == EINTR);
        // After the script's exit an empty pipe is its end, even if something it started
        // still holds the pipe open: that is not part of this answer.
        const bool ended = n == 0 || (n < 0 && (errno != EAGAIN || exited_));
        if (n < 0 && !ended) return;
        if (ended) {
            out_eof_ = true;
            stdout_watch_.set_interest(0);
            if (!answered_ && !failed_)
                fail(502, exited_
                              ? "the script ended before its header block (" +
                                    describe_exit(exit_status_) + ")"
                              : std::string("the script's output ended before its header block"));
        } else if (failed_) {
            // Nobody will read it: keep the pipe empty until the script is gone.
        } else if (answered_) {
            out_.append(buffer, static_cast<std::size_t>(n));
        } else if (nph_) {
            nph_output(std::string_view(buffer, static_cast<std::size_t>(n)));
        } else {
            std::size_t body_from = 0;
            const std::string_view got(buffer, static_cast<std::size_t>(n));
            switch (parser_.feed(got, body_from)) {
            case ScriptHeadParser::Result::need_more:
                break;
            case ScriptHeadParser::Result::error:
                fail(502, parser_.error());
                break;
            case ScriptHeadParser::Result::done:
                out_.append(got.substr(body_from));
                head_ready();
                break;
            }
        }
        if (source_waiting_ && (!out_.empty() || out_eof_ || failed_)) {
            source_waiting_ = false;
            source_resume_();
        }
    } while (until_empty);
}

void Run::head_ready() {
    ScriptHead& head = parser_.head();
    int status = head.status;
    if (head.local_location() && status == 0 && redirect_) {
        // The script's output is not the answer (§6.2.2): it is stopped, and what a GET of
        // the path gets is. The new answer may replace this Run as the response's state, and
        // this call is still inside the Run: it lives on until the loop's next turn.
        loop_.post([keep = shared_from_this()] {});
        Response& r = *response_;
        response_ = nullptr;
        answered_ = true;
        failed_ = true; // its output is discarded; nothing pulls it
        terminate();
        close_stdin();
        if (!redirect_(r, head.location) && finish_) finish_();
        return;
    }
    // RFC 3875 §6.2.3 and §6.2.4: a Location without Status redirects with 302.
    if (!head.location.empty() && status == 0) status = 302;
    if (status == 0) status = 200;
    if (status < 200) return fail(502, "the script's Status is an interim (1xx) code");
    if (head.content_type.empty() && head.location.empty() && status != 204 && status != 304)
        return fail(502, "the script's answer has no Content-Type (RFC 3875 §6.3.1)");
    Response& r = *response_;
    try {
        r.set_status(status, head.reason);
        if (!head.location.empty()) r.set_header("Location", head.location);
        if (!head.content_type.empty()) r.set_header("Content-Type", head.content_type);
        for (const auto& [name, value] : head.fields)
            if (!server_owned(name)) r.add_header(name, value);
    } catch (const std::exception& e) {
        r.clear();
        return fail(502, std::string("the script's header block: ") + e.what());
    }
    r.set_stream([self = shared_from_this()](std::string& out, const Resume& resume) {
        return self->pull(out, resume);
    });
    answered_ = true;
    finish();
}

// An NPH script's output is the response itself: only its first line is looked at (it must be
// "HTTP/1.x NNN ..."), for the log; everything goes out as written, and the connection closes
// after it.
void Run::nph_output(std::string_view got) {
    out_.append(got);
    const std::size_t lf = out_.find('\n');
    if (lf == std::string::npos) {
        if (out_.size() > settings_.max_header_block)
            fail(502, "the NPH script's status line is longer than the limit");
        return;
    }
    const std::string_view line = std::string_view(out_).substr(0, lf);
    const bool status_line =
        line.size() >= 12 && (line.starts_with("HTTP/1.0 ") || line.starts_with("HTTP/1.1 ")) &&
        detail::is_digit(line[9]) && detail::is_digit(line[10]) && detail::is_digit(line[11]);
    if (!status_line) {
        out_.clear();
        return fail(502, "the NPH script's output does not start with an HTTP status line");
    }
    const int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    Response& r = *response_;
    r.set_status(status < 100 || status > 599 ? 200 : status);
    server::ResponseAccess::set_raw(r);
    r.set_stream([self = shared_from_this()](std::string& out, const Resume& resume) {
        return self->pull(out, resume);
    });
    answered_ = true;
    finish();
}

Response::Pull Run::pull(std::string& out, const Resume& resume) {
    // Throwing ends the answer where it is: a chunked body without its last chunk, then close.
    if (failed_) throw std::runtime_error("the script failed in the middle of its answer");
    if (!out_.empty()) {
        if (out.empty())
            out.swap(out_);
        else
            out.append(out_);
        out_.clear();
        if (!out_eof_) stdout_watch_.set_interest(Loop::readable); // room again
        return out_eof_ ? Response::Pull::done : Response::Pull::more;
    }
    if (out_eof_) return Response::Pull::done;
    source_resume_ = resume;
    source_waiting_ = true;
    stdout_watch_.set_interest(Loop::readable);
    return Response::Pull::pending;
}

void Run::finish() {
    response_ = nullptr;
    if (finish_) finish_();
}

// --- stderr, exit, deadline -----------------------------------------------------------------

void Run::on_stderr() {
    char buffer[4096];
    ssize_t n;
    do n = read(child_.stderr_pipe.get(), buffer, sizeof buffer);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
        stderr_watch_ = {}; // closed: nothing more to log (a watch may end in its callback)
        return;
    }
    std::string_view got(buffer, static_cast<std::size_t>(n));
    while (!got.empty()) {
        const std::size_t lf = got.find('\n');
        err_line_.append(got.substr(0, lf));
        if (lf == std::string_view::npos) break;
        got.remove_prefix(lf + 1);
        log_line(err_line_);
        err_line_.clear();
    }
    if (err_line_.size() > 1024) { // an endless line still reaches the log, in pieces
        log_line(err_line_);
        err_line_.clear();
    }
}

void Run::log_line(std::string_view text) {
    if (settings_.log == nullptr || err_logged_ > settings_.max_stderr) return;
    err_logged_ += text.size() + 1;
    if (err_logged_ > settings_.max_stderr) {
        std::fprintf(settings_.log, "cgi %s: (more stderr, not logged: over %zu bytes)\n",
                     settings_.script_name.c_str(), settings_.max_stderr);
        return;
    }
    std::fprintf(settings_.log, "cgi %s: %.*s\n", settings_.script_name.c_str(),
                 static_cast<int>(text.size()), text.data());
}

void Run::on_exit() {
    if (exited_ || !reap(child_.pid, exit_status_)) return;
    exited_ = true;
    child_.pid = -1; // reaped: its number may be reused, never signal it again
    exit_watch_.set_interest(0);
    kill_timer_ = {};
    release_slot();
    read_stdout(true); // what it wrote before it exited, then the end
    on_stderr();
    if (!err_line_.empty()) log_line(err_line_);
    err_line_.clear();
}

void Run::on_timeout() {
    const std::string why = "the script ran past the timeout (" +
                            std::to_string(settings_.timeout.count()) + " ms) and was stopped";
    fail(504, why);
}

void Run::fail(int status, std::string_view why) {
    if (failed_) return;
    failed_ = true;
    if (settings_.log != nullptr)
        server::log_error(
            settings_.log, AccessLogFormat::python,
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
            settings_.remote, answered_ ? 0 : status,
            std::string("cgi ") + settings_.script_name + ": " + std::string(why));
    terminate();
    close_stdin();
    if (Resume resume = std::exchange(sink_resume_, Resume())) resume(); // drops the rest
    if (!answered_ && response_ != nullptr) {
        server::fill_error(*response_, status);
        finish();
    } else if (source_waiting_) {
        source_waiting_ = false;
        source_resume_(); // the pull throws
    }
}

void Run::terminate() {
    if (child_.pid <= 0) return;
    signal_group(child_.pid, SIGTERM);
    const auto self = this;
    kill_timer_ = loop_.after(kKillGrace, [self] {
        if (self->child_.pid > 0) signal_group(self->child_.pid, SIGKILL);
    });
}

} // namespace pier::cgi
