// The high-level client: one call from a URL to a streaming Response, with redirects, proxies
// from the environment, a connection per origin kept for reuse, Basic auth from the URL and a
// cookie jar — what urllib and curl do on top of http.client.
//
//     pier::client::Session s;
//     pier::client::Response r = s.fetch("http://127.0.0.1:8080/a");   // follows redirects
//     std::string body = r.read();                                     // r.url(): final URL
//     r = s.fetch("http://127.0.0.1:8080/b");                          // same connection
//
// Redirects: 303 becomes GET without a body (HEAD stays HEAD), and so does a POST on 301 or
// 302; any other method, and 307 and 308 always, keep method and body; a relative Location is
// resolved against the current URL (RFC 3986 §5); Authorization is dropped when the origin (scheme,
// host, port) changes. More than max_redirects throws TooManyRedirects.
#pragma once

#include <pier/body_source.hpp>
#include <pier/client.hpp>
#include <pier/client_response.hpp>
#include <pier/cookies.hpp>
#include <pier/fields.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

/// http_proxy, https_proxy and no_proxy, as curl reads them (lower case first; HTTP_PROXY in
/// upper case is not read, since CGI puts the request's Proxy field there).
struct ProxySettings {
    std::string http;     // "http://host:port" for http:// URLs; empty: direct
    std::string https;    // for https:// URLs, through CONNECT
    std::string no_proxy; // "localhost,.example.com,10.0.0.1", or "*"
    static ProxySettings from_environment();
    /// The proxy for a URL of that scheme and host; empty when direct.
    std::string proxy_for(bool https, std::string_view host) const;
};

struct FetchOptions {
    std::string method = "GET";
    std::string body;
    /// The body from a file, a pipe or a form (form_data.hpp) instead of `body`, which is then
    /// not sent.
    BodySource body_source;
    /// "Expect: 100-continue" is sent with bodies of at least this size, and with streamed ones
    /// of unknown size; the body then waits up to `expect_wait` for the server's go-ahead and
    /// is withheld on a final answer. A 417 to it is retried once without it. An Expect in
    /// `fields` is sent instead (and waited on when it says 100-continue); "Expect" in
    /// `omit_fields` sends none.
    std::uint64_t expect_threshold = std::uint64_t{1} << 20;
    Duration expect_wait{1000};
    Fields fields; // added to every request of the chain (User-Agent, Accept, ...)
    /// Fields fetch() adds by itself (User-Agent, Accept, Accept-Encoding) not to send, as
    /// curl's -H 'Name:' asks; compared case-insensitively.
    std::vector<std::string> omit_fields;
    /// The Session's cookie jar: send its cookies and store what Set-Cookie says. curl's engine
    /// is off unless -b or -c turns it on; `pier get` sets this accordingly.
    bool cookies = true;
    /// "a=1; b=2" sent as is after the jar's cookies on every request of the chain, other
    /// origins included (curl's -b STRING, which sends it so too).
    std::string cookie;
    /// Send the URL's path as given: "/a/../b" stays so. Off: its dot-segments are removed
    /// first (RFC 3986 §5.2.4), as curl does unless --path-as-is.
    bool path_as_is = false;
    bool follow_redirects = true;
    int max_redirects = 20;
    /// Each redirected request carries the URL it was redirected from as Referer (without
    /// user-info and fragment), as curl's --referer ";auto" asks.
    bool auto_referer = false;
    /// Send Accept-Encoding: gzip, deflate, br, zstd and decode what comes back.
    bool decompress = false;
    Timeouts timeouts;
    TlsOptions tls;
    /// curl's --resolve: "host:port" → IP addresses to connect to, tried in order, instead of
    /// looking the host up ("example.test:443" → {"127.0.0.1"}); the host is compared without
    /// regard to case, an IPv6 one in brackets. Host, SNI and certificate verification still
    /// name the host, and redirects to that host and port go there too.
    std::map<std::string, std::vector<std::string>> resolve;
    /// curl's --unix-socket: every connection goes to this AF_UNIX stream socket instead of
    /// TCP (TLS on it for https://), with Host from the URL; no proxy is used.
    std::string unix_socket;
    /// curl's --http1.0: requests say HTTP/1.0 (Connection::set_http10).
    bool http10 = false;
    /// Overrides the environment: a proxy URL, or "" for none.
    std::optional<std::string> proxy;
    /// Basic credentials; when unset, user-info in the URL is used.
    std::optional<std::string> user;
    std::optional<std::string> password;
    DebugSink debug;
};

class Session {
  public:
    Session();
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Throws the client_errors.hpp hierarchy; InvalidURL for a URL that does not parse,
    /// UnknownProtocol for a scheme other than http and https.
    Response fetch(std::string_view url, const FetchOptions& options = {});
    CookieJar& cookies() noexcept { return cookies_; }
    /// Adds the cookies of a Netscape cookie file's text (cookie_file.hpp), expired ones left
    /// out, and session ones (expiry 0) too with `skip_session` (curl's --junk-session-cookies).
    /// As curl, the file lists the newest cookie first, and of two lines for one cookie the
    /// later wins.
    void load_cookies(std::string_view netscape_text, bool skip_session = false);
    /// The same from a file ("-": stdin); throws CookieFileError (missing, over 10 MiB...).
    void load_cookie_file(const std::filesystem::path& path, bool skip_session = false);
    /// The jar's unexpired cookies as a Netscape cookie file, newest first, as curl's -c
    /// writes it.
    std::string cookies_text() const;
    /// That text written to `path` atomically ("-": stdout); throws CookieFileError.
    void save_cookie_file(const std::filesystem::path& path) const;
    /// Connections opened so far (a reused one counts once).
    std::size_t connections_opened() const noexcept { return opened_; }

  private:
    Connection& connection_for(std::string_view scheme, std::string_view host, std::uint16_t port,
                               const std::string& proxy, const FetchOptions& options);

    std::map<std::string, std::unique_ptr<Connection>> pool_;
    CookieJar cookies_;
    std::size_t opened_ = 0;
};

/// One request with a Session of its own; the Response keeps its connection alive.
Response fetch(std::string_view url, const FetchOptions& options = {});

/// "Basic " + base64(user ":" password), for Authorization and Proxy-Authorization.
std::string basic_credentials(std::string_view user, std::string_view password);

} // namespace pier::client
