// The server's side of a Response: what it takes from one to send it, kept out of the
// handler-facing class (include/pier/response.hpp).
#pragma once

#include <pier/response.hpp>

#include <memory>
#include <utility>

namespace pier::server {

struct ResponseAccess {
    static Response::FileRange take_file(Response& r) noexcept {
        return std::exchange(r.file_, Response::FileRange{});
    }
    static Response::Source take_source(Response& r) noexcept {
        return std::exchange(r.source_, nullptr);
    }
    static Response::BodySink& sink(Response& r) noexcept { return r.body_sink_; }
    static Response::BodyEnd take_body_end(Response& r) noexcept {
        return std::exchange(r.body_end_, nullptr);
    }
    static void stop_reading_body(Response& r) noexcept {
        r.body_sink_ = nullptr;
        r.body_end_ = nullptr;
    }
    static bool has_blocking_job(const Response& r) noexcept { return static_cast<bool>(r.job_); }
    static Response::Job take_blocking_job(Response& r) noexcept {
        return std::exchange(r.job_, nullptr);
    }
    static std::unique_ptr<StreamHandlers> take_upgrade(Response& r) noexcept {
        return std::move(r.upgrade_);
    }
    static void set_finisher(Response& r, detail::Finisher* finisher) noexcept {
        r.finisher_ = finisher;
    }
    /// The stream is the response as the client gets it — status line, fields, body, no
    /// framing of the server's — and the connection ends after it (CGI's NPH scripts).
    /// status() is what the access log shows.
    static void set_raw(Response& r) noexcept { r.raw_ = true; }
    static bool raw(const Response& r) noexcept { return r.raw_; }
    /// The answer no longer comes later (a CGI local redirect starts it over); the state
    /// stays until a new finish_later replaces it.
    static void forget_later(Response& r) noexcept { r.later_ = false; }
    /// clear(), and the finish_later state too: the exchange is over.
    static void reset(Response& r) {
        r.clear();
        r.later_ = false;
        r.later_state_.reset();
        r.finisher_ = nullptr;
    }
};

} // namespace pier::server
