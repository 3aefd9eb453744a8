#include "http/char_class.hpp"
#include "server/semantics.hpp"

#include <pier/router.hpp>

namespace pier {

struct Router::Route {
    Method method = Method::get;
    bool any_method = false;           // mounts
    bool prefix = false;               // mounts: pattern is a path prefix
    std::vector<std::string> segments; // "{name}" segments capture
    std::string pattern;
    Handler handler;
    RouteOptions options;
};

struct Router::Table {
    std::string host; // empty: any host
    std::vector<Route> routes;
    std::vector<std::unique_ptr<Table>> hosts; // only on the root table
    std::vector<Filter> filters;               // only on the root table
};

namespace {

std::vector<std::string> split_segments(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const std::size_t end = path.find('/', i);
        out.emplace_back(path.substr(i, end - i));
        i = end == std::string_view::npos ? path.size() : end;
    }
    return out;
}

bool is_capture(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `path` against a pattern's segments, recording captures into `request`.
bool match_segments(const std::vector<std::string>& pattern, std::string_view path,
                    std::pair<std::string_view, std::string_view>* params, std::size_t& count) {
    std::size_t i = 0;
    count = 0;
    for (const std::string& seg : pattern) {
        while (i < path.size() && path[i] == '/') ++i;
        if (i >= path.size()) return false;
        std::size_t end = path.find('/', i);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view got = path.substr(i, end - i);
        if (is_capture(seg)) {
            if (count == Request::kMaxParams) return false;
            params[count++] = {std::string_view(seg).substr(1, seg.size() - 2), got};
        } else if (got != seg) {
            return false;
        }
        i = end;
    }
    while (i < path.size() && path[i] == '/') ++i;
    return i == path.size();
}

void add_allowed(std::string& allow, std::string_view method) {
    if (allow.find(method) != std::string::npos) return;
    if (!allow.empty()) allow += ", ";
    allow += method;
}

} // namespace

Router::Router() : root_(std::make_shared<Table>()), table_(root_.get()) {}

Router& Router::route(Method method, std::string_view pattern, Handler handler,
                      RouteOptions options) {
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.segments = split_segments(pattern);
    r.handler = std::move(handler);
    r.options = options;
    table_->routes.push_back(std::move(r));
    return *this;
}

Router& Router::mount(std::string_view prefix, Handler handler, RouteOptions options) {
    Route r;
    r.any_method = true;
    r.prefix = true;
    r.pattern = prefix;
    r.handler = std::move(handler);
    r.options = options;
    table_->routes.push_back(std::move(r));
    return *this;
}

Router Router::for_host(std::string_view host) {
    Router handle = *this;
    for (auto& t : root_->hosts) {
        if (detail::iequals(t->host, host)) {
            handle.table_ = t.get();
            return handle;
        }
    }
    auto child = std::make_unique<Table>();
    child->host = host;
    handle.table_ = child.get();
    root_->hosts.push_back(std::move(child));
    return handle;
}

Router& Router::filter(Filter f) {
    root_->filters.push_back(std::move(f));
    return *this;
}

bool Router::has_filters() const noexcept {
    return !root_->filters.empty();
}

bool Router::run_filters(Request& request, Response& response) const {
    for (const Filter& f : root_->filters)
        if (f(request, response)) return true;
    return false;
}

Router::Resolution Router::resolve(Request& request) const {
    Resolution res;
    std::string allow;
    bool path_known = false;
    const std::string_view path = request.path();
    const std::string_view host = server::host_without_port(request.host());
    const Method method = request.method();

    auto try_table = [&](const Table& table) -> bool {
        for (const Route& r : table.routes) {
            std::size_t count = 0;
            const bool matched = r.prefix
                                     ? path.substr(0, r.pattern.size()) == r.pattern
                                     : match_segments(r.segments, path, request.params_, count);
            if (!matched) continue;
            path_known = true;
            const bool method_ok = r.any_method || r.method == method ||
                                   (method == Method::head && r.method == Method::get);
            if (!method_ok) {
                add_allowed(allow, method_name(r.method));
                if (r.method == Method::get) add_allowed(allow, "HEAD");
                continue;
            }
            request.param_count_ = r.prefix ? 0 : count;
            res.handler = &r.handler;
            res.blocking = r.options.blocking;
            res.stream_body = r.options.stream_body && !r.options.blocking;
            return true;
        }
        return false;
    };

    for (const auto& t : root_->hosts)
        if (detail::iequals(t->host, host) && try_table(*t)) return res;
    if (try_table(*root_)) return res;

    if (path == "*") { // OPTIONS *: what the server as a whole accepts
        for (const Route& r : root_->routes) {
            add_allowed(allow, r.any_method ? "GET" : method_name(r.method));
            if (r.any_method || r.method == Method::get) add_allowed(allow, "HEAD");
        }
        path_known = true;
    }
    if (!path_known) {
        res.status = 404;
        return res;
    }
    add_allowed(allow, "OPTIONS");
    res.allow = std::move(allow);
    res.status = method == Method::options ? 204 : 405;
    return res;
}

} // namespace pier
