#include "client/fetch_plan.hpp"

#include "http/char_class.hpp"

#include <pier/client_errors.hpp>
#include <pier/uri.hpp>
#include <pier/version.hpp>

namespace pier::client::detail {

namespace {

using pier::detail::lowercase;

std::string decoded(std::string_view text) {
    auto r = percent_decode(text);
    return r ? std::move(*r) : std::string(text);
}

bool same_origin(const Target& a, const Target& b) {
    return a.scheme == b.scheme && lowercase(a.host) == lowercase(b.host) && a.port == b.port;
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

} // namespace

std::string credentials_from_userinfo(std::string_view userinfo) {
    const std::size_t colon = userinfo.find(':');
    return basic_credentials(decoded(userinfo.substr(0, colon)),
                             colon == std::string_view::npos ? std::string()
                                                             : decoded(userinfo.substr(colon + 1)));
}

const std::vector<std::string>*
given_addresses(const std::map<std::string, std::vector<std::string>>& resolve,
                std::string_view host, std::uint16_t port) {
    if (resolve.empty()) return nullptr;
    std::string key =
        host.find(':') != std::string_view::npos ? "[" + lowercase(host) + "]" : lowercase(host);
    key += ":" + std::to_string(port);
    for (const auto& [entry, addresses] : resolve)
        if (lowercase(entry) == key) return &addresses;
    return nullptr;
}

std::string destination_key(const FetchOptions& options, std::string_view host,
                            std::uint16_t port) {
    if (!options.unix_socket.empty()) return " over " + options.unix_socket;
    std::string key;
    if (const auto* given = given_addresses(options.resolve, host, port))
        for (const std::string& a : *given) key += " at " + a;
    return key;
}

Target parse_target(std::string_view url, bool path_as_is) {
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
    t.scheme = lowercase(parsed->scheme);
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

FetchPlan::FetchPlan(std::string_view url, const FetchOptions& options, CookieJar& jar)
    : options_(options), jar_(jar), env_(ProxySettings::from_environment()), current_(url),
      method_(options.method), body_(options.body),
      streamed_(static_cast<bool>(options.body_source)), fields_(options.fields) {}

Hop FetchPlan::hop() {
    const FetchOptions& options = options_;
    hash_ = current_.find('#');
    Hop h;
    h.target = parse_target(std::string_view(current_).substr(0, hash_), options.path_as_is);
    const Target& t = h.target;
    if (t.scheme != "http" && t.scheme != "https")
        throw UnknownProtocol("unsupported protocol: " + t.scheme);
    if (previous_ && !same_origin(*previous_, t)) {
        // Credentials meant for one origin must not leak to another (curl's rule, and
        // RFC 9110 §15.4's advice).
        fields_.erase(FieldId::authorization);
        fields_.erase(FieldId::cookie);
    }
    const bool https = t.scheme == "https";
    if (options.proxy) {
        h.proxy = *options.proxy;
        if (!h.proxy.empty())
            h.proxy = ProxySettings{h.proxy, h.proxy, env_.no_proxy}.proxy_for(https, t.host);
    } else {
        h.proxy = env_.proxy_for(https, t.host);
    }
    if (!options.unix_socket.empty()) h.proxy.clear(); // the socket is the way, whatever the URL
    Fields& f = h.fields;
    f = fields_;
    auto wanted = [&](FieldId id) {
        if (f.contains(id)) return false;
        for (const std::string& name : options.omit_fields)
            if (field_id(name) == id) return false;
        return true;
    };
    if (wanted(FieldId::user_agent)) f.add("User-Agent", std::string("pier/") + kVersion);
    if (wanted(FieldId::accept)) f.add("Accept", "*/*");
    h.accept_identity = wanted(FieldId::accept_encoding);
    if (options.decompress && h.accept_identity)
        f.add("Accept-Encoding", "gzip, deflate, br, zstd");
    h.expect_allowed = !without_expect_ && wanted(FieldId::expect);
    if (!f.contains(FieldId::authorization)) {
        if (options.user && (!first_ || same_origin(*first_, t))) {
            f.add("Authorization", basic_credentials(*options.user, options.password.value_or("")));
        } else if (!t.userinfo.empty()) {
            f.add("Authorization", credentials_from_userinfo(t.userinfo));
        }
    }
    const std::string path = t.origin_form.substr(0, t.origin_form.find('?'));
    if (!f.contains(FieldId::cookie)) {
        std::string cookie = options.cookies ? jar_.header_for(t.host, path, https) : "";
        if (!options.cookie.empty()) cookie += (cookie.empty() ? "" : "; ") + options.cookie;
        if (!cookie.empty()) f.add("Cookie", cookie);
    }
    const bool absolute_form = !h.proxy.empty() && !https;
    if (absolute_form && !f.contains(FieldId::host)) {
        // The proxy forwards to the host of the absolute-form target; Host names it too, first
        // as RFC 9110 §7.2 recommends.
        const Target via =
            parse_target(h.proxy.find("://") == std::string::npos ? "http://" + h.proxy : h.proxy);
        std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
        if (t.port != 80) host += ":" + std::to_string(t.port);
        Fields with_host;
        with_host.add("Host", host);
        for (const Field& field : f) with_host.add(field.name, field.value);
        if (!via.userinfo.empty())
            with_host.add("Proxy-Authorization", credentials_from_userinfo(via.userinfo));
        f = std::move(with_host);
    }
    h.request_target = absolute_form ? t.absolute : t.origin_form;
    h.method = method_;
    h.streamed = streamed_;
    last_ = t;
    return h;
}

FetchPlan::Next FetchPlan::answered(int status, const Fields& response_fields,
                                    bool expected_continue_itself) {
    const Target& t = last_;
    if (options_.cookies)
        for (const std::string_view v : response_fields.values(FieldId::set_cookie))
            jar_.store(v, t.host, t.origin_form.substr(0, t.origin_form.find('?')),
                       t.scheme == "https");
    // RFC 9110 §10.1.1: a server that refuses the expectation gets the request again without
    // it; only once, and only when the Expect was pier's and not the caller's.
    if (status == 417 && expected_continue_itself && !without_expect_) {
        without_expect_ = true;
        return Next::again;
    }
    // The first Location only: joining several with ", " would make a URL of none of them.
    const std::string location(response_fields.get(FieldId::location));
    if (!options_.follow_redirects || !is_redirect(status) || location.empty()) return Next::done;
    if (redirects_ >= options_.max_redirects)
        throw TooManyRedirects("maximum (" + std::to_string(options_.max_redirects) +
                               ") redirects followed");
    // Servers put raw UTF-8 and spaces in Location; a URI cannot carry them, so they are
    // escaped (what is already escaped stays), as browsers and curl do.
    std::string next = resolve_reference(current_, percent_encode_raw_bytes(location));
    // RFC 9110 §10.2.2: a Location without a fragment inherits the original's.
    if (next.find('#') == std::string::npos && hash_ != std::string::npos)
        next += current_.substr(hash_);
    // RFC 9110 §15.4: 303 asks for a retrieval (GET) whatever the method; on 301 and 302 only
    // POST may become GET (a browser's historic habit), a PUT or DELETE stays.
    if ((status == 303 && method_ != "HEAD") ||
        ((status == 301 || status == 302) && method_ == "POST")) {
        method_ = "GET";
        body_.clear();
        streamed_ = false;
        fields_.erase(FieldId::content_type);
        fields_.erase(FieldId::content_length);
        fields_.erase(FieldId::transfer_encoding);
    }
    if (options_.auto_referer) fields_.set("Referer", t.absolute);
    if (!first_) first_ = t;
    previous_ = t;
    current_ = std::move(next);
    ++redirects_;
    return Next::follow;
}

} // namespace pier::client::detail
