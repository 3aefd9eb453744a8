// fetch(): the redirect loop over a pool of Connections, one per origin (and proxy).
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

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

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

std::string decoded(std::string_view text) {
    auto r = percent_decode(text);
    return r ? std::move(*r) : std::string(text);
}

// "user:password" as it appears, percent-encoded, in a URL's user-info.
std::string credentials_from_userinfo(std::string_view userinfo) {
    const std::size_t colon = userinfo.find(':');
    return basic_credentials(decoded(userinfo.substr(0, colon)),
                             colon == std::string_view::npos ? std::string()
                                                             : decoded(userinfo.substr(colon + 1)));
}

struct Target {
    std::string scheme; // lower case
    std::string host;
    std::uint16_t port = 0;
    std::string origin_form; // path?query
    std::string absolute;    // without user-info and fragment, for proxies
    std::string userinfo;
};

Target parse_target(std::string_view url, bool path_as_is = true) {
    auto parsed = parse_url(url);
    if (!parsed) {
        // A scheme pier does not speak is UnknownProtocol, as urllib's "unknown url type".
        const std::size_t colon = url.find("://");
        if (parsed.error() == UriError::bad_scheme && colon != std::string_view::npos)
            throw UnknownProtocol("unsupported protocol: " + std::string(url.substr(0, colon)));
        throw InvalidURL("bad URL '" + std::string(url) +
                         "': " + std::string(to_string(parsed.error())));
    }
    Target t;
    t.scheme = lower(parsed->scheme);
    t.host = std::string(parsed->host);
    t.port = parsed->effective_port();
    t.userinfo = std::string(parsed->userinfo);
    t.origin_form = parsed->path.empty() ? std::string("/")
                    : path_as_is         ? std::string(parsed->path)
                                         : remove_dot_segments(parsed->path);
    if (t.origin_form.empty() || t.origin_form.front() != '/') t.origin_form.insert(0, "/");
    if (parsed->has_query) t.origin_form += "?" + std::string(parsed->query);
    const std::string host = parsed->is_ipv6 ? "[" + t.host + "]" : t.host;
    t.absolute = t.scheme + "://" + host;
    if (parsed->port) t.absolute += ":" + std::to_string(*parsed->port);
    t.absolute += t.origin_form;
    return t;
}

bool same_origin(const Target& a, const Target& b) {
    return a.scheme == b.scheme && lower(a.host) == lower(b.host) && a.port == b.port;
}

// set_expect_continue's threshold that no body reaches: no Expect at all.
constexpr std::uint64_t kNoExpect = UINT64_MAX;

// The --resolve addresses given for host:port, if any.
const std::vector<std::string>* given_addresses(const FetchOptions& options, std::string_view host,
                                                std::uint16_t port) {
    if (options.resolve.empty()) return nullptr;
    std::string key =
        host.find(':') != std::string_view::npos ? "[" + lower(host) + "]" : lower(host);
    key += ":" + std::to_string(port);
    for (const auto& [entry, addresses] : options.resolve)
        if (lower(entry) == key) return &addresses;
    return nullptr;
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

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
    const std::string h = lower(host);
    for (std::string_view entry : list_elements(no_proxy)) {
        if (entry == "*") return {};
        if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
        const std::string e = lower(entry);
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
    Target via;
    if (!proxy.empty()) {
        via = parse_target(proxy.find("://") == std::string::npos ? "http://" + proxy : proxy);
        if (via.scheme != "http") throw UnknownProtocol("unsupported proxy scheme: " + via.scheme);
        key = https ? key + " via " + via.host + ":" + std::to_string(via.port)
                    : "proxy://" + via.host + ":" + std::to_string(via.port);
    }
    const std::string h = proxy.empty() ? std::string(host) : via.host;
    const std::uint16_t p = proxy.empty() ? port : via.port;
    // Where the connection goes is part of what it is: another socket or address, another one.
    const std::vector<std::string>* addresses =
        options.unix_socket.empty() ? given_addresses(options, h, p) : nullptr;
    if (!options.unix_socket.empty()) key += " over " + options.unix_socket;
    if (addresses != nullptr)
        for (const std::string& a : *addresses) key += " at " + a;
    std::unique_ptr<Connection>& slot = pool_[key];
    if (!slot) {
        if (https) {
            slot = std::make_unique<HttpsConnection>(h, p, options.tls);
        } else {
            slot = std::make_unique<Connection>(h, p);
        }
        if (!options.unix_socket.empty()) slot->set_unix_socket(options.unix_socket);
        if (addresses != nullptr) slot->set_addresses(*addresses);
        if (!proxy.empty() && https) {
            Fields f;
            if (!via.userinfo.empty())
                f.add("Proxy-Authorization", credentials_from_userinfo(via.userinfo));
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
    const ProxySettings env = ProxySettings::from_environment();
    std::string current(url);
    std::string method = options.method;
    std::string body = options.body;
    bool streamed = static_cast<bool>(options.body_source);
    bool without_expect = false; // once a 417 answered pier's own Expect
    Fields fields = options.fields;
    int redirects = 0;
    std::optional<Target> previous;
    std::optional<Target> first; // set once redirected: explicit credentials stay with it
    for (;;) {
        const std::size_t hash = current.find('#');
        const Target t =
            parse_target(std::string_view(current).substr(0, hash), options.path_as_is);
        if (t.scheme != "http" && t.scheme != "https")
            throw UnknownProtocol("unsupported protocol: " + t.scheme);
        if (previous && !same_origin(*previous, t)) {
            // Credentials meant for one origin must not leak to another (curl's rule, and
            // RFC 9110 §15.4's advice).
            fields.erase(FieldId::authorization);
            fields.erase(FieldId::cookie);
        }
        const bool https = t.scheme == "https";
        std::string proxy;
        if (options.proxy) {
            proxy = *options.proxy;
            if (!proxy.empty())
                proxy = ProxySettings{proxy, proxy, env.no_proxy}.proxy_for(https, t.host);
        } else {
            proxy = env.proxy_for(https, t.host);
        }
        if (!options.unix_socket.empty()) proxy.clear(); // the socket is the way, whatever the URL
        Connection& c = connection_for(t.scheme, t.host, t.port, proxy, options);
        Fields request_fields = fields;
        auto wanted = [&](FieldId id) {
            if (request_fields.contains(id)) return false;
            for (const std::string& name : options.omit_fields)
                if (field_id(name) == id) return false;
            return true;
        };
        if (wanted(FieldId::user_agent))
            request_fields.add("User-Agent", std::string("pier/") + kVersion);
        if (wanted(FieldId::accept)) request_fields.add("Accept", "*/*");
        const bool encodings = wanted(FieldId::accept_encoding);
        if (options.decompress && encodings)
            request_fields.add("Accept-Encoding", "gzip, deflate, br, zstd");
        c.set_accept_identity(encodings);
        c.set_expect_continue(without_expect || !wanted(FieldId::expect) ? kNoExpect
                                                                         : options.expect_threshold,
                              options.expect_wait);
        if (!request_fields.contains(FieldId::authorization)) {
            if (options.user && (!first || same_origin(*first, t))) {
                request_fields.add("Authorization",
                                   basic_credentials(*options.user, options.password.value_or("")));
            } else if (!t.userinfo.empty()) {
                request_fields.add("Authorization", credentials_from_userinfo(t.userinfo));
            }
        }
        const std::string path = t.origin_form.substr(0, t.origin_form.find('?'));
        if (!request_fields.contains(FieldId::cookie)) {
            std::string cookie = options.cookies ? cookies_.header_for(t.host, path, https) : "";
            if (!options.cookie.empty()) cookie += (cookie.empty() ? "" : "; ") + options.cookie;
            if (!cookie.empty()) request_fields.add("Cookie", cookie);
        }
        const bool absolute_form = !proxy.empty() && !https;
        if (absolute_form && !request_fields.contains(FieldId::host)) {
            // The proxy forwards to the host of the absolute-form target; Host names it too,
            // first as RFC 9110 §7.2 recommends.
            const Target via =
                parse_target(proxy.find("://") == std::string::npos ? "http://" + proxy : proxy);
            std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
            if (t.port != 80) host += ":" + std::to_string(t.port);
            Fields with_host;
            with_host.add("Host", host);
            for (const Field& f : request_fields) with_host.add(f.name, f.value);
            if (!via.userinfo.empty())
                with_host.add("Proxy-Authorization", credentials_from_userinfo(via.userinfo));
            request_fields = std::move(with_host);
        }
        const std::string& target = absolute_form ? t.absolute : t.origin_form;
        if (streamed) {
            c.request_stream(method, target, options.body_source.open(), options.body_source.length,
                             request_fields);
        } else {
            c.request(method, target, body, request_fields);
        }
        Response r = c.getresponse();
        if (options.cookies)
            for (const std::string_view v : r.headers().values(FieldId::set_cookie))
                cookies_.store(v, t.host, path, https);
        // RFC 9110 §10.1.1: a server that refuses the expectation gets the request again
        // without it; only once, and only when the Expect was pier's and not the caller's.
        if (r.status() == 417 && c.expected_continue_itself() && !without_expect) {
            discard(r);
            without_expect = true;
            continue;
        }
        // The first Location only: joining several with ", " would make a URL of none of them.
        const std::string location(r.headers().get(FieldId::location));
        if (!options.follow_redirects || !is_redirect(r.status()) || location.empty()) {
            r.set_url(current, redirects);
            return r;
        }
        if (redirects >= options.max_redirects)
            throw TooManyRedirects("maximum (" + std::to_string(options.max_redirects) +
                                   ") redirects followed");
        discard(r);
        // Servers put raw UTF-8 and spaces in Location; a URI cannot carry them, so they are
        // escaped (what is already escaped stays), as browsers and curl do.
        std::string next = resolve_reference(current, percent_encode_raw_bytes(location));
        // RFC 9110 §10.2.2: a Location without a fragment inherits the original's.
        if (next.find('#') == std::string::npos && hash != std::string::npos)
            next += current.substr(hash);
        const int status = r.status();
        // RFC 9110 §15.4: 303 asks for a retrieval (GET) whatever the method; on 301 and 302
        // only POST may become GET (a browser's historic habit), a PUT or DELETE stays.
        if ((status == 303 && method != "HEAD") ||
            ((status == 301 || status == 302) && method == "POST")) {
            method = "GET";
            body.clear();
            streamed = false;
            fields.erase(FieldId::content_type);
            fields.erase(FieldId::content_length);
            fields.erase(FieldId::transfer_encoding);
        }
        if (options.auto_referer) fields.set("Referer", t.absolute);
        if (!first) first = t;
        previous = t;
        current = std::move(next);
        ++redirects;
    }
}

Response fetch(std::string_view url, const FetchOptions& options) {
    Session session;
    return session.fetch(url, options);
}

} // namespace pier::client
