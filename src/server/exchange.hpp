// What one request and its response need while they are on a connection — parser and head,
// body decoding, the handler's Response, the bytes and file or stream going out — kept apart
// from the connection itself. An idle keep-alive connection holds none of it (a few hundred
// bytes instead of kilobytes each, which is what 10,000 idle clients cost), and the worker keeps
// a few spare ones, so the next request on any connection reuses their grown buffers instead of
// allocating.
#pragma once

#include "server/response_access.hpp"
#include "server/semantics.hpp"
#include "server/wake.hpp"

#include <pier/chunked.hpp>
#include <pier/limits.hpp>
#include <pier/parser.hpp>
#include <pier/request.hpp>
#include <pier/response.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace pier::server {

struct Exchange {
    explicit Exchange(const Limits& limits) : parser(limits), chunked(limits) {}
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;
    ~Exchange() {
        file.release();
        stop_all_waking();
    }

    /// Back to the state of a fresh exchange, keeping the memory its buffers grew to (up to a
    /// bound: one huge response must not pin its buffer for good).
    void reset() {
        constexpr std::size_t kKeep = std::size_t{64} * 1024;
        parser.reset();
        head.fields.clear();
        head.method_name = head.target = {};
        head_base = nullptr;
        head_size = 0;
        verdict = {};
        chunked.reset();
        chunked_offset = 0;
        body.clear();
        if (body.capacity() > kKeep) std::string().swap(body);
        ResponseAccess::reset(response);
        out.clear();
        if (out.capacity() > kKeep) std::string().swap(out);
        out_sent = 0;
        bytes_for_log = 0;
        stream_left = 0;
        log_owned = false;
        file.release();
        source = nullptr;
        source_pending = false;
        sink_paused = false;
        stream_chunked = false;
        consume_after = 0;
        upgrade.reset();
        later_done = false;
        answered_early = false;
        filtered = false;
        remote_user.clear();
        deferred = nullptr;
        deferred_at_head = false;
        deferred_answered = false;
        deferred_body = {};
        stop_all_waking();
    }
    bool output_pending() const noexcept {
        return out_sent < out.size() || file.fd >= 0 || static_cast<bool>(source);
    }
    /// Resumes of this exchange's source or sink do nothing from now on.
    void stop_waking() noexcept {
        if (wake) wake->detach();
        wake.reset();
    }
    /// Nor does the handle of Response::finish_later: the exchange is over.
    void stop_all_waking() noexcept {
        stop_waking();
        if (later_wake) later_wake->detach();
        later_wake.reset();
    }

    RequestParser parser;
    RequestHead head;
    const char* head_base = nullptr; // where head's views point; re-parse if in_ moved
    std::size_t head_size = 0;
    Verdict verdict; // views into head: recomputed whenever head is re-parsed
    ChunkedDecoder chunked;
    std::size_t chunked_offset = 0; // body bytes handed to chunked, after the head
    std::string body;               // a chunked body, decoded
    Response response;

    std::string out; // answers not yet written, from out_sent on
    std::size_t out_sent = 0;
    std::uint64_t bytes_for_log = 0;
    std::uint64_t stream_left = 0; // body_stream with Content-Length: bytes still to come
    // A streamed request's head is consumed before its body: what the log needs is kept here.
    bool log_owned = false;
    std::string owned_line, owned_referer, owned_agent;
    Response::FileRange file;    // the file being sent (owned: closed when done)
    Response::Source source;     // the stream being sent
    bool source_pending = false; // it said "pending": pull again once it resumes
    bool sink_paused = false;    // the request body's sink paused reading until it resumes
    bool stream_chunked = false;
    std::size_t consume_after = 0;           // bytes a request on the blocking pool occupies in in_
    std::unique_ptr<StreamHandlers> upgrade; // the 101 is going out; then the stream takes over
    // What a Resume handed to the source or sink wakes; created on first use.
    std::shared_ptr<detail::Wake> wake;
    // What Response::finish_later's handle wakes, and whether it has (the loop's thread only:
    // the Response may still be a pool thread's).
    std::shared_ptr<detail::Wake> later_wake;
    bool later_done = false;
    bool answered_early = false; // the answer went out before the request body had ended
    bool filtered = false;       // the router's filters let this request through already
    std::string remote_user;     // what a filter said (Request::set_remote_user)
    // A filter's slow check (Request::defer_check), run on the pool: where the request was
    // (its head only, or complete with this body) and what the check decided.
    Request::DeferredCheck deferred;
    bool deferred_at_head = false;
    bool deferred_answered = false;
    std::string_view deferred_body;
};

} // namespace pier::server
