// AsyncClient: URLs to origins, and each origin's few connections kept for reuse.
#include <pier/async_client.hpp>
#include <pier/client_errors.hpp>
#include <pier/uri.hpp>

#include <algorithm>
#include <cctype>

namespace pier::client {

AsyncClient::AsyncClient(Loop& loop, AsyncOptions options, std::size_t max_per_origin)
    : loop_(loop), options_(std::move(options)),
      max_per_origin_(std::max<std::size_t>(1, max_per_origin)) {}

AsyncClient::~AsyncClient() = default;

void AsyncClient::fetch(std::string_view url, AsyncRequest request, AsyncHandlers handlers) {
    const auto parsed = parse_url(url.substr(0, url.find('#')));
    std::string scheme = parsed ? std::string(parsed->scheme) : std::string();
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::exception_ptr bad;
    const std::size_t colon = url.find("://");
    if (!parsed && parsed.error() == UriError::bad_scheme && colon != std::string_view::npos)
        bad = std::make_exception_ptr(
            UnknownProtocol("unsupported protocol: " + std::string(url.substr(0, colon))));
    else if (!parsed)
        bad = std::make_exception_ptr(InvalidURL("bad URL '" + std::string(url) +
                                                 "': " + std::string(to_string(parsed.error()))));
    else if (scheme != "http" && scheme != "https")
        bad = std::make_exception_ptr(UnknownProtocol("unsupported protocol: " + scheme));
    if (bad) {
        if (handlers.on_done) handlers.on_done(bad);
        return;
    }
    // As curl and Session::fetch: the path's dot-segments go before it is sent.
    request.target = parsed->path.empty() ? std::string("/") : remove_dot_segments(parsed->path);
    if (request.target.front() != '/') request.target.insert(0, "/");
    if (parsed->has_query) request.target += "?" + std::string(parsed->query);
    const std::string host(parsed->host);
    const std::uint16_t port = parsed->effective_port();
    AsyncConnection& chosen = detail::pick_connection(
        pool_[scheme + "://" + host + ":" + std::to_string(port)], max_per_origin_, [&] {
            return std::make_unique<AsyncConnection>(loop_, host, port, scheme == "https",
                                                     options_);
        });
    chosen.request(std::move(request), std::move(handlers));
}

AsyncConnection&
detail::pick_connection(std::vector<std::unique_ptr<AsyncConnection>>& connections, std::size_t max,
                        const std::function<std::unique_ptr<AsyncConnection>()>& make) {
    for (const auto& c : connections)
        if (c->pending() == 0) return *c;
    if (connections.size() < max) {
        connections.push_back(make());
        return *connections.back();
    }
    return **std::min_element(
        connections.begin(), connections.end(),
        [](const auto& a, const auto& b) { return a->pending() < b->pending(); });
}

std::size_t AsyncClient::connects() const noexcept {
    std::size_t n = 0;
    for (const auto& [origin, conns] : pool_)
        for (const auto& c : conns) n += c->connects();
    return n;
}

} // namespace pier::client
