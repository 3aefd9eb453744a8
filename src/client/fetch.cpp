// fetch(): the redirect loop over a pool of Connections, one per origin (and proxy).
#include "client/fetch_plan.hpp"
#include "http/char_class.hpp"

#include <pier/cookie_file.hpp>
#include <pier/fetch.hpp>
#include <pier/field_lists.hpp>
#include <pier/uri.hpp>
#include <pier/version.hpp>

#include <cctype>
#include <cstdlib>
#include <openssl/evp.h>
#include <set>
#include <tuple>

namespace pier::client {

namespace {

using pier::detail::lowercase;

std::string getenv_string(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
}

// RFC 4648 base64, by OpenSSL (linked for TLS already).
std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// set_expect_continue's threshold that no body reaches: no Expect at all.
constexpr std::uint64_t kNoExpect = UINT64_MAX;

// A redirect's body is read so the connection can be reused, unless it is large.
void discard(Response& r) {
    char sink[16384];
    std::uint64_t total = 0;
    while (!r.closed() && total < (1u << 20)) total += r.readinto(sink);
    r.close();
}

} // namespace

std::string basic_credentials(std::string_view user, std::string_view password) {
    std::string pair(user);
    pair += ':';
    pair += password;
    return "Basic " + base64(pair);
}

ProxySettings ProxySettings::from_environment() {
    ProxySettings p;
    p.http = getenv_string("http_proxy");
    p.https = getenv_string("https_proxy");
    if (p.https.empty()) p.https = getenv_string("HTTPS_PROXY");
    p.no_proxy = getenv_string("no_proxy");
    if (p.no_proxy.empty()) p.no_proxy = getenv_string("NO_PROXY");
    return p;
}

std::string ProxySettings::proxy_for(bool https, std::string_view host) const {
    const std::string& proxy = https ? this->https : http;
    if (proxy.empty()) return {};
    const std::string h = lowercase(host);
    for (std::string_view entry : list_elements(no_proxy)) {
        if (entry == "*") return {};
        if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
        const std::string e = lowercase(entry);
        if (e.empty()) continue;
        if (h == e || (h.size() > e.size() && h.ends_with(e) && h[h.size() - e.size() - 1] == '.'))
            return {};
    }
    return proxy;
}

Session::Session() = default;
Session::~Session() = default;

// curl lists a jar newest first, and reads a file so (its last line is its oldest cookie):
// the order decides which of two cookies of equal path goes first in Cookie (RFC 6265 §5.4).
void Session::load_cookies(std::string_view netscape_text, bool skip_session) {
    const auto now = std::chrono::system_clock::now();
    std::vector<Cookie> file = parse_cookie_file(netscape_text);
    // Of two lines for the same cookie the later wins, as in curl; so, read from the end, the
    // first one seen stays.
    std::set<std::tuple<std::string_view, std::string_view, std::string_view>> seen;
    std::vector<Cookie*> oldest_first;
    for (auto it = file.rbegin(); it != file.rend(); ++it)
        if (seen.emplace(it->name, it->domain, it->path).second) oldest_first.push_back(&*it);
    for (Cookie* c : oldest_first)
        if (c->expires || !skip_session) cookies_.add(std::move(*c), now);
}

void Session::load_cookie_file(const std::filesystem::path& path, bool skip_session) {
    load_cookies(read_cookie_file(path), skip_session);
}

std::string Session::cookies_text() const {
    const auto now = std::chrono::system_clock::now();
    std::vector<Cookie> live; // newest first, as curl writes them
    const std::vector<Cookie>& all = cookies_.cookies();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (!it->expires || *it->expires > now) live.push_back(*it);
    return format_cookie_file(live);
}

void Session::save_cookie_file(const std::filesystem::path& path) const {
    write_cookie_file(path, cookies_text());
}

Connection& Session::connection_for(std::string_view scheme, std::string_view host,
                                    std::uint16_t port, const std::string& proxy,
                                    const FetchOptions& options) {
    const bool https = scheme == "https";
    std::string key = std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port);
    detail::Target via;
    if (!proxy.empty()) {
        via = detail::parse_target(proxy.find("://") == std::string::npos ? "http://" + proxy
                                                                          : proxy);
        if (via.scheme != "http") throw UnknownProtocol("unsupported proxy scheme: " + via.scheme);
        key = https ? key + " via " + via.host + ":" + std::to_string(via.port)
                    : "proxy://" + via.host + ":" + std::to_string(via.port);
    }
    const std::string h = proxy.empty() ? std::string(host) : via.host;
    const std::uint16_t p = proxy.empty() ? port : via.port;
    std::unique_ptr<Connection>& slot = pool_[key + detail::destination_key(options, h, p)];
    if (!slot) {
        if (https) {
            slot = std::make_unique<HttpsConnection>(h, p, options.tls);
        } else {
            slot = std::make_unique<Connection>(h, p);
        }
        if (!options.unix_socket.empty())
            slot->set_unix_socket(options.unix_socket);
        else if (const auto* addresses = detail::given_addresses(options.resolve, h, p))
            slot->set_addresses(*addresses);
        if (!proxy.empty() && https) {
            Fields f;
            if (!via.userinfo.empty())
                f.add("Proxy-Authorization", detail::credentials_from_userinfo(via.userinfo));
            slot->set_tunnel(std::string(host), port, std::move(f));
        }
        ++opened_;
    }
    Connection& c = *slot;
    // An unread earlier response holds the connection; it cannot carry this request.
    if (c.busy()) c.close();
    c.set_timeouts(options.timeouts);
    c.set_decode_content(options.decompress);
    c.set_debug(options.debug);
    c.set_http10(options.http10);
    return c;
}

Response Session::fetch(std::string_view url, const FetchOptions& options) {
    detail::FetchPlan plan(url, options, cookies_);
    for (;;) {
        const detail::Hop hop = plan.hop();
        const detail::Target& t = hop.target;
        Connection& c = connection_for(t.scheme, t.host, t.port, hop.proxy, options);
        c.set_accept_identity(hop.accept_identity);
        c.set_expect_continue(hop.expect_allowed ? options.expect_threshold : kNoExpect,
                              options.expect_wait);
        if (hop.streamed) {
            c.request_stream(hop.method, hop.request_target, options.body_source.open(),
                             options.body_source.length, hop.fields);
        } else {
            c.request(hop.method, hop.request_target, plan.body(), hop.fields);
        }
        Response r = c.getresponse();
        if (plan.answered(r.status(), r.headers(), c.expected_continue_itself()) ==
            detail::FetchPlan::Next::done) {
            r.set_url(plan.url(), plan.redirects());
            return r;
        }
        discard(r);
    }
}

Response fetch(std::string_view url, const FetchOptions& options) {
    Session session;
    return session.fetch(url, options);
}

} // namespace pier::client
