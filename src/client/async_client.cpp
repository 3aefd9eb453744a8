// AsyncClient: URLs to origins, and each origin's few connections kept for reuse.
#include "client/fetch_plan.hpp"

#include <pier/async_client.hpp>
#include <pier/client_errors.hpp>
#include <pier/uri.hpp>

#include <algorithm>

namespace pier::client {

AsyncClient::AsyncClient(Loop& loop, AsyncOptions options, std::size_t max_per_origin)
    : loop_(loop), options_(std::move(options)),
      max_per_origin_(std::max<std::size_t>(1, max_per_origin)) {}

AsyncClient::~AsyncClient() = default;

void AsyncClient::fetch(std::string_view url, AsyncRequest request, AsyncHandlers handlers) {
    detail::Target target;
    try {
        // As curl and Session::fetch: the path's dot-segments go before it is sent.
        target = detail::parse_target(url.substr(0, url.find('#')), /*path_as_is=*/false);
        if (target.scheme != "http" && target.scheme != "https")
            throw UnknownProtocol("unsupported protocol: " + target.scheme);
    } catch (const HTTPException&) {
        if (handlers.on_done) handlers.on_done(std::current_exception());
        return;
    }
    request.target = std::move(target.origin_form);
    const std::string& scheme = target.scheme;
    const std::string& host = target.host;
    const std::uint16_t port = target.port;
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
