// ws::exec(): a child process per connection, its stdout lines out as messages and the
// messages in as lines on its stdin, with back-pressure both ways: a client that does not
// read stops the program's output being read (its writes block), and a program that does not
// read stops the client's messages being read.
#include "cgi/process.hpp"
#include "ws/utf8_validator.hpp"

#include <pier/ws_exec.hpp>

#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <unistd.h>

extern char** environ;

namespace pier::ws {

namespace {

// Lines held for a program that is not reading its stdin, before the client's messages wait.
constexpr std::size_t kStdinHeld = std::size_t{1} << 20;
// A line from the program longer than this goes out in pieces of this size.
constexpr std::size_t kMaxLine = std::size_t{1} << 20;

struct Shared {
    ExecOptions options;
    std::shared_ptr<cgi::Budget> budget = std::make_shared<cgi::Budget>();
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(std::shared_ptr<Shared> shared, Socket& socket)
        : shared_(std::move(shared)), socket_(&socket), loop_(socket.loop()) {}

    ~Session() { stop(); }

    void start() {
        cgi::Budget& b = *shared_->budget;
        if (b.running.fetch_add(1) >= shared_->options.max_running) {
            b.running.fetch_sub(1);
            socket_->close(close_code::policy_violation, "too many programs running");
            return;
        }
        holds_slot_ = true;
        cgi::SpawnSpec spec;
        spec.argv = shared_->options.argv;
        spec.program = spec.argv.front();
        spec.directory = shared_->options.directory;
        for (char** e = environ; *e != nullptr; ++e) spec.env.emplace_back(*e);
        spec.env.push_back("REMOTE_ADDR=" + socket_->remote_address());
        spec.env.push_back("REQUEST_URI=" + socket_->target());
        std::string error;
        if (!cgi::spawn(spec, child_, error)) {
            release_slot();
            if (shared_->options.log)
                std::fprintf(shared_->options.log, "ws-exec: %s: %s\n", spec.program.c_str(),
                             error.c_str());
            socket_->close(close_code::internal_error, "the program could not start");
            return;
        }
        const auto weak = weak_from_this();
        stdout_watch_ = loop_.watch(child_.stdout_pipe.get(), Loop::readable, [weak](unsigned) {
            if (const auto s = weak.lock()) s->on_stdout();
        });
        stderr_watch_ = loop_.watch(child_.stderr_pipe.get(), Loop::readable, [weak](unsigned) {
            if (const auto s = weak.lock()) s->on_stderr();
        });
        exit_watch_ = loop_.watch(child_.pidfd.get(), Loop::readable, [weak](unsigned) {
            if (const auto s = weak.lock()) s->on_exit();
        });
        stdin_watch_ = loop_.watch(child_.stdin_pipe.get(), 0, [weak](unsigned) {
            if (const auto s = weak.lock()) s->write_stdin();
        });
    }

    void on_message(const Message& m) {
        if (!child_.stdin_pipe) return;
        stdin_.append(m.data);
        stdin_ += '\n';
        write_stdin();
        if (stdin_.size() - stdin_sent_ > kStdinHeld) socket_->pause_reading(true);
    }

    void on_writable() {
        if (stdout_watch_) stdout_watch_.set_interest(Loop::readable);
    }

    // The connection is over: the program is stopped and reaped in the background.
    void stop() {
        socket_ = nullptr;
        stdout_watch_ = {};
        stderr_watch_ = {};
        stdin_watch_ = {};
        exit_watch_ = {};
        if (child_.pid > 0 && !exited_) {
            cgi::abandon(loop_, child_, shared_->budget);
            holds_slot_ = false; // the orphan gives it back
        }
        release_slot();
    }

  private:
    void release_slot() {
        if (holds_slot_) shared_->budget->running.fetch_sub(1);
        holds_slot_ = false;
    }

    void write_stdin() {
        while (stdin_sent_ < stdin_.size()) {
            const ssize_t n = ::write(child_.stdin_pipe.get(), stdin_.data() + stdin_sent_,
                                      stdin_.size() - stdin_sent_);
            if (n > 0) {
                stdin_sent_ += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) {
                stdin_watch_.set_interest(Loop::writable);
                return;
            }
            // The program closed its stdin: what the client says goes nowhere.
            stdin_watch_ = {};
            child_.stdin_pipe = {};
            stdin_.clear();
            stdin_sent_ = 0;
            return;
        }
        stdin_.clear();
        stdin_sent_ = 0;
        stdin_watch_.set_interest(0);
        if (socket_ != nullptr) socket_->pause_reading(false);
    }

    void on_stdout() {
        char buffer[65536];
        const ssize_t n = ::read(child_.stdout_pipe.get(), buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) {
            if (!line_.empty()) (void)send_line(line_);
            line_.clear();
            stdout_watch_ = {};
            stdout_done_ = true;
            maybe_finish();
            return;
        }
        line_.append(buffer, static_cast<std::size_t>(n));
        // The lines of one read leave in one write.
        socket_->cork(true);
        bool more = true;
        std::size_t start = 0;
        for (std::size_t eol; (eol = line_.find('\n', start)) != std::string::npos; start = eol + 1)
            more = send_line(std::string_view(line_).substr(start, eol - start)) && more;
        line_.erase(0, start);
        while (line_.size() >= kMaxLine) {
            more = send_line(std::string_view(line_).substr(0, kMaxLine)) && more;
            line_.erase(0, kMaxLine);
        }
        if (socket_ != nullptr) socket_->cork(false);
        // The client is not keeping up: leave the pipe unread until the queue drains.
        if (!more && stdout_watch_) stdout_watch_.set_interest(0);
    }

    bool send_line(std::string_view line) {
        if (socket_ == nullptr) return false;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        detail::Utf8Validator v;
        if (v.feed(line) && v.complete()) return socket_->send_text(line);
        return socket_->send_binary(line);
    }

    void on_stderr() {
        char buffer[4096];
        const ssize_t n = ::read(child_.stderr_pipe.get(), buffer, sizeof buffer);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        if (n <= 0) {
            stderr_watch_ = {};
            return;
        }
        if (shared_->options.log)
            std::fwrite(buffer, 1, static_cast<std::size_t>(n), shared_->options.log);
    }

    void on_exit() {
        if (exited_ || !cgi::reap(child_.pid, status_)) return;
        exited_ = true;
        child_.pid = -1; // reaped: never signal that number again
        exit_watch_ = {};
        release_slot();
        maybe_finish();
    }

    // Once the program has exited and all it wrote has gone out, the connection ends.
    void maybe_finish() {
        if (!exited_ || !stdout_done_ || socket_ == nullptr) return;
        if (WIFEXITED(status_) && WEXITSTATUS(status_) == 0)
            socket_->close(close_code::normal, {});
        else
            socket_->close(close_code::internal_error, cgi::describe_exit(status_));
    }

    std::shared_ptr<Shared> shared_;
    Socket* socket_;
    Loop& loop_;
    cgi::Child child_;
    Loop::Watch stdout_watch_, stderr_watch_, stdin_watch_, exit_watch_;
    std::string line_;  // stdout not yet ended by a newline
    std::string stdin_; // lines for the program; [stdin_sent_, size) not written yet
    std::size_t stdin_sent_ = 0;
    int status_ = 0;
    bool exited_ = false;
    bool stdout_done_ = false;
    bool holds_slot_ = false;
};

std::shared_ptr<Session> session_of(Socket& s) {
    auto* p = std::any_cast<std::shared_ptr<Session>>(&s.user_data());
    return p != nullptr ? *p : nullptr;
}

} // namespace

Handlers exec(ExecOptions options) {
    if (options.argv.empty() || options.argv.front().empty())
        throw std::invalid_argument("ws::exec: no program given");
    auto shared = std::make_shared<Shared>();
    shared->budget->max = options.max_running;
    shared->options = std::move(options);
    Handlers h;
    h.on_open = [shared](Socket& s) {
        auto session = std::make_shared<Session>(shared, s);
        s.user_data() = session;
        session->start();
    };
    h.on_message = [](Socket& s, const Message& m) {
        if (const auto session = session_of(s)) session->on_message(m);
    };
    h.on_writable = [](Socket& s) {
        if (const auto session = session_of(s)) session->on_writable();
    };
    h.on_close = [](Socket& s, std::uint16_t, std::string_view) {
        if (const auto session = session_of(s)) session->stop();
        s.user_data().reset();
    };
    return h;
}

} // namespace pier::ws
