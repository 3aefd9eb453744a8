// Routing: method + path pattern (+ optional virtual host) → handler.
//
//     pier::Router router;
//     router.get("/", home);
//     router.get("/users/{id}", show_user);             // req.param("id")
//     router.post("/upload", upload, {.blocking = true}); // runs on the blocking pool
//     router.mount("/static/", files);                   // every method, every path below
//     router.for_host("api.example.com").get("/v1/ping", ping);
//
// A path no route matches → 404. A path that matches, with a method none of its routes
// accepts → 405 with Allow (HEAD is accepted wherever GET is, OPTIONS everywhere: answered
// with Allow unless a route handles it).
//
// Filters run before any of that, for every request on every host, as soon as its head has
// arrived and before its body is read: authentication, rate limits (auth.hpp,
// rate_limit.hpp). A filter that answers ends the request there — an unauthenticated 1 GiB
// upload is refused before one byte of it is read.
//
//     router.filter(pier::rate_limit({.per_second = 10}));
//     router.filter(pier::basic_auth(users));
#pragma once

#include <pier/method.hpp>
#include <pier/request.hpp>
#include <pier/response.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pier {

using Handler = std::function<void(const Request&, Response&)>;

/// Looks at a request before its handler: answers it (fills in the response and returns true:
/// no handler runs, no body is read) or lets it through (false), perhaps having noted who sent
/// it (Request::set_remote_user). Runs on the event loop, so it must not block: a slow check
/// (a password hash) goes to the blocking pool with Request::defer_check.
using Filter = std::function<bool(Request& request, Response& response)>;

namespace ws {
struct Handlers;
struct Options;
} // namespace ws

struct RouteOptions {
    /// The handler blocks (disk, database, user code): run it on the server's blocking pool so
    /// the event loop keeps serving other connections meanwhile.
    bool blocking = false;
    /// The handler is called as soon as the head has arrived, before the body: it decides
    /// whether to take the body (Response::read_body, which streams it chunk by chunk — an
    /// upload can go to disk without being held in memory) or to answer at once (then the
    /// body is never read, no 100 Continue is sent, and the connection closes after the
    /// answer). Runs on the event loop (not with blocking).
    bool stream_body = false;
};

class Router {
  public:
    Router();

    Router& route(Method method, std::string_view pattern, Handler handler,
                  RouteOptions options = {});
    Router& get(std::string_view pattern, Handler h, RouteOptions o = {}) {
        return route(Method::get, pattern, std::move(h), o);
    }
    Router& post(std::string_view pattern, Handler h, RouteOptions o = {}) {
        return route(Method::post, pattern, std::move(h), o);
    }
    Router& put(std::string_view pattern, Handler h, RouteOptions o = {}) {
        return route(Method::put, pattern, std::move(h), o);
    }
    Router& del(std::string_view pattern, Handler h, RouteOptions o = {}) {
        return route(Method::delete_, pattern, std::move(h), o);
    }
    /// A WebSocket endpoint at `pattern` (GET): ws::endpoint(handlers, options), declared in
    /// websocket_endpoint.hpp, which the caller includes.
    Router& websocket(std::string_view pattern, const ws::Handlers& handlers);
    Router& websocket(std::string_view pattern, const ws::Handlers& handlers,
                      const ws::Options& options);
    /// Every method, for every path starting with `prefix` ("/static/").
    Router& mount(std::string_view prefix, Handler handler, RouteOptions options = {});
    /// Routes that apply only when the request's host (port ignored) is `host`; they are tried
    /// before the host-less routes. The returned handle adds to the same router.
    Router for_host(std::string_view host);
    /// Adds a filter; filters run in the order added, and the first that answers wins. They
    /// apply to every host's routes, and to requests no route matches.
    Router& filter(Filter f);

    struct Resolution {
        const Handler* handler = nullptr; // null: answer `status`
        bool blocking = false;
        bool stream_body = false;
        int status = 0;    // 404 or 405 (with allow), or 204 for an automatic OPTIONS
        std::string allow; // for 405 and OPTIONS
    };
    /// Finds the handler for `request` and fills its path parameters.
    Resolution resolve(Request& request) const;
    bool has_filters() const noexcept;
    /// Runs the filters; true when one of them answered in `response`.
    bool run_filters(Request& request, Response& response) const;

  private:
    struct Route;
    struct Table;
    std::shared_ptr<Table> root_;
    Table* table_; // root_ itself, or one of its virtual hosts
};

} // namespace pier
