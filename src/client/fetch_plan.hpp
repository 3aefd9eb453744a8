// One fetch's rules, without I/O: which request each hop sends (target, proxy, method,
// fields with User-Agent, credentials and cookies, body) and what each answer means (cookies
// stored; a redirect followed, a 417 retried, or the end). Session::fetch drives it over
// blocking Connections, AsyncSession over the event loop. Private to the client.
#pragma once

#include <pier/cookies.hpp>
#include <pier/fetch.hpp>
#include <pier/fields.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client::detail {

struct Target {
    std::string scheme; // lower case
    std::string host;
    std::uint16_t port = 0;
    std::string origin_form; // path?query
    std::string absolute;    // without user-info and fragment, for proxies
    std::string userinfo;
};
/// Throws InvalidURL, or UnknownProtocol for a scheme pier does not speak.
Target parse_target(std::string_view url, bool path_as_is = true);
/// curl's --resolve entries ("host:port" → addresses) for host and port, or null.
const std::vector<std::string>*
given_addresses(const std::map<std::string, std::vector<std::string>>& resolve,
                std::string_view host, std::uint16_t port);
/// What a pooled connection's key adds to its origin: where it really goes (" over SOCKET",
/// or " at ADDRESS" for each of host:port's --resolve addresses), so that connections to
/// other places are never shared. Session::fetch and AsyncSession key their pools so.
std::string destination_key(const FetchOptions& options, std::string_view host, std::uint16_t port);
/// "user:password" as it appears, percent-encoded, in a URL's user-info, as Basic credentials.
std::string credentials_from_userinfo(std::string_view userinfo);

/// What one hop sends.
struct Hop {
    Target target;
    std::string proxy; // empty: direct
    std::string method;
    std::string request_target; // origin-form, or absolute-form through an http proxy
    Fields fields;
    bool accept_identity = true; // no Accept-Encoding of the caller's: http.client's identity
    bool expect_allowed = true;  // pier may add Expect: 100-continue for a large body
    bool streamed = false;       // the body is options.body_source, else body()
};

class FetchPlan {
  public:
    FetchPlan(std::string_view url, const FetchOptions& options, CookieJar& jar);

    /// The request for the current URL. Throws InvalidURL / UnknownProtocol.
    Hop hop();
    const std::string& body() const noexcept { return body_; }

    enum class Next : std::uint8_t {
        done,   // this answer is the one to return
        again,  // send the same request again (a 417 to pier's own Expect)
        follow, // a redirect: hop() gives the next request
    };
    /// After an answer's head to the last hop(). Throws TooManyRedirects.
    Next answered(int status, const Fields& response_fields, bool expected_continue_itself);

    const std::string& url() const noexcept { return current_; }
    int redirects() const noexcept { return redirects_; }

  private:
    const FetchOptions& options_;
    CookieJar& jar_;
    ProxySettings env_;
    std::string current_;
    std::string method_;
    std::string body_;
    bool streamed_;
    bool without_expect_ = false; // once a 417 answered pier's own Expect
    Fields fields_;
    int redirects_ = 0;
    std::optional<Target> previous_;
    std::optional<Target> first_; // set once redirected: explicit credentials stay with it
    Target last_;                 // of the last hop()
    std::size_t hash_ = std::string::npos;
};

} // namespace pier::client::detail
