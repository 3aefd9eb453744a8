// One request's script, from spawn to reaping, on the request's event loop: the request body
// into its stdin as the client sends it (the client paused while the pipe is full), its
// header block parsed into the response, its stdout pulled as the client takes it (the pipe
// left unread while the client is slow), its stderr to the log, its deadline, its exit.
//
// The response waits for the header block (Response::finish_later), so the script chooses
// the status. The Run lives as long as the exchange: when it goes (answer sent, client gone)
// a script still running is killed with its process group and reaped later by an orphan
// watcher, so no zombie outlives a request.
#pragma once

#include "cgi/process.hpp"
#include "cgi/script_head.hpp"

#include <pier/loop.hpp>
#include <pier/response.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

namespace pier::cgi {

struct RunSettings {
    std::size_t max_header_block = 0;
    std::size_t max_stderr = 0;
    std::chrono::milliseconds timeout{0};
    std::FILE* log = nullptr;
    std::string script_name; // for the log
    std::string remote;      // the client, for the log
};

class Run : public std::enable_shared_from_this<Run> {
  public:
    /// Holds one slot of `budget` (already taken by the caller) until the script is reaped.
    Run(Loop& loop, Response& response, RunSettings settings, std::shared_ptr<Budget> budget);
    ~Run();
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    /// The handle Response::finish_later gave: called once the response is filled in.
    void set_finish(Resume finish) { finish_ = std::move(finish); }
    /// A local redirect (RFC 3875 §6.2.2: Location is a path, no Status): fills `response`
    /// with the answer to a GET of `location` inside the server, and says whether that answer
    /// itself comes later (then its own finish_later handle completes it).
    using Redirect = std::function<bool(Response& response, const std::string& location)>;
    void set_redirect(Redirect redirect) { redirect_ = std::move(redirect); }
    /// Starts the script; on failure the response is a 500 (and finished).
    void start(const SpawnSpec& spec);
    /// A non-parsed-header script (nph-): its output goes to the client as written, once its
    /// first line is an HTTP status line.
    void set_nph() noexcept { nph_ = true; }
    /// Answers `status` without running anything (and logs why).
    void abort(int status, std::string_view why) { fail(status, why); }

    // The request body, streamed: each piece (the client paused while the pipe is full),
    // then its end. A script that stops reading its stdin gets no more; the rest is dropped.
    Response::Intake take_body(std::string_view piece, const Resume& resume);
    void end_body();
    /// A body that arrived whole (a handler without stream_body): written as the pipe takes it.
    void give_body(std::string body);

  private:
    void on_stdout();
    void on_stderr();
    void on_stdin();
    void on_exit();
    void on_timeout();
    void read_stdout(bool until_empty);
    void head_ready();
    void nph_output(std::string_view got);
    // Before the header block: the answer is `status` (502, 504). After it: the body is cut
    // short. Either way the script is told to stop.
    void fail(int status, std::string_view why);
    void finish();
    void terminate();
    void close_stdin();
    Response::Pull pull(std::string& out, const Resume& resume);
    void log_line(std::string_view text);
    void release_slot();

    Loop& loop_;
    Response* response_; // until finish(): the exchange's response, to fill in
    RunSettings settings_;
    std::shared_ptr<Budget> budget_;
    Resume finish_;
    Redirect redirect_;
    Child child_;
    Loop::Watch stdout_watch_, stderr_watch_, stdin_watch_, exit_watch_;
    Loop::Timer deadline_, kill_timer_;
    ScriptHeadParser parser_;
    std::string out_; // body bytes read from the script, not yet pulled
    Resume source_resume_;
    std::string in_pending_; // body bytes the pipe has not taken yet
    Resume sink_resume_;
    std::string err_line_; // stderr: a line not yet ended
    std::size_t err_logged_ = 0;
    int exit_status_ = 0;
    bool holds_slot_ = true;
    bool started_ = false;
    bool answered_ = false; // the header block became the response
    bool failed_ = false;
    bool out_eof_ = false;
    bool source_waiting_ = false;
    bool body_ended_ = false;
    bool stdin_gone_ = false; // closed by us, or the script stopped reading
    bool exited_ = false;
    bool nph_ = false;
    std::string first_line_; // NPH: the status line, until it is whole
};

} // namespace pier::cgi
