// What a handler sees of a request: its line, fields, body and peer — never the wire.
// Views stay valid for the duration of the handler call.
#pragma once

#include <pier/fields.hpp>
#include <pier/loop.hpp>
#include <pier/method.hpp>
#include <pier/parser.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace pier {

class Response;

class Request {
  public:
    Method method() const noexcept { return head_->method; }
    /// As received: the text is what counts for extension methods.
    std::string_view method_name() const noexcept { return head_->method_name; }
    /// The raw request-target ("/a%20b?x=1", "http://h/p", "*").
    std::string_view target() const noexcept { return head_->target; }
    /// The path part, still percent-encoded, with a leading "//" collapsed to "/" as Python's
    /// http.server does (an open-redirect guard); "*" for OPTIONS *.
    std::string_view path() const noexcept { return path_; }
    /// The query without its '?'; empty when there is none.
    std::string_view query() const noexcept { return query_; }
    /// The host the request is for: the absolute-form authority, else the Host field.
    std::string_view host() const noexcept { return host_; }
    Version version() const noexcept { return head_->version; }
    const Fields& fields() const noexcept { return head_->fields; }
    std::string_view header(std::string_view name, std::string_view fallback = {}) const noexcept {
        return head_->fields.get(name, fallback);
    }
    /// The whole body, already read (Content-Length or chunked, up to the body limit).
    std::string_view body() const noexcept { return body_; }
    /// Trailer fields of a chunked body (never merged into fields()).
    const Fields& trailers() const noexcept { return *trailers_; }
    /// "127.0.0.1" or "::1".
    const std::string& remote_address() const noexcept { return *remote_; }
    std::uint16_t remote_port() const noexcept { return remote_port_; }
    /// The port the server received the request on (CGI's SERVER_PORT).
    std::uint16_t server_port() const noexcept { return server_port_; }
    /// The request came over TLS.
    bool is_secure() const noexcept { return secure_; }
    /// "https" or "http": for URLs a handler builds back to this server.
    std::string_view scheme() const noexcept { return secure_ ? "https" : "http"; }
    /// Who sent the request, as a filter established it (Basic authentication): CGI's
    /// REMOTE_USER and the access log's user. Empty when nobody said.
    std::string_view remote_user() const noexcept {
        return user_ != nullptr ? std::string_view(*user_) : std::string_view();
    }
    /// For filters: records the authenticated user for the handler, CGI and the log.
    void set_remote_user(std::string_view user) {
        if (user_ != nullptr) user_->assign(user);
    }
    /// For filters whose check is slow (a password hash, a call to another service): `check`
    /// runs on the server's blocking pool once the other filters have let the request through,
    /// with the connection waiting meanwhile; like a filter it answers (fills in the response,
    /// returns true) or lets the request go on (false). The last one set wins.
    using DeferredCheck = std::function<bool(Request& request, Response& response)>;
    void defer_check(DeferredCheck check) {
        if (deferred_ != nullptr) *deferred_ = std::move(check);
    }
    /// The event loop this request is served on: watch a descriptor, set a timer, post work
    /// back from another thread (see loop.hpp).
    Loop& loop() const noexcept { return *loop_; }
    /// A path parameter of the matched route ("/users/{id}" → param("id")), still
    /// percent-encoded; empty when there is none.
    std::string_view param(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < param_count_; ++i)
            if (params_[i].first == name) return params_[i].second;
        return {};
    }

    static constexpr std::size_t kMaxParams = 8;

  private:
    friend class RequestBuilder;
    friend class Router;
    const RequestHead* head_ = nullptr;
    std::string_view path_;
    std::string_view query_;
    std::string_view host_;
    std::string_view body_;
    const Fields* trailers_ = nullptr;
    const std::string* remote_ = nullptr;
    std::uint16_t remote_port_ = 0;
    std::uint16_t server_port_ = 0;
    bool secure_ = false;
    std::string* user_ = nullptr;       // the exchange's: it outlives this view of the request
    DeferredCheck* deferred_ = nullptr; // the exchange's too
    Loop* loop_ = nullptr;
    std::pair<std::string_view, std::string_view> params_[kMaxParams];
    std::size_t param_count_ = 0;
};

} // namespace pier
