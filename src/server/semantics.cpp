#include "server/semantics.hpp"

#include "http/char_class.hpp"

#include <pier/uri.hpp>

#include <algorithm>

namespace pier::server {
namespace {

Verdict refuse(int status, std::string_view message) {
    Verdict v;
    v.status = status;
    v.message = message;
    return v;
}

} // namespace

Verdict check_request(const RequestHead& head, const ServerConfig& config) {
    Verdict v;
    const Fields& f = head.fields;

    // RFC 9112 §3.2: an HTTP/1.1 request has exactly one valid Host; so does any that sends one.
    const std::size_t hosts = f.count(FieldId::host);
    if (head.version == Version::http11 && hosts == 0) return refuse(400, "Missing Host header");
    if (hosts > 1) return refuse(400, "Multiple Host headers");
    if (hosts == 1) {
        v.host = f.get(FieldId::host);
        if (!parse_authority(v.host)) return refuse(400, "Invalid Host header");
    }

    const auto target = parse_request_target(head.target);
    if (!target) return refuse(400, "Invalid request target");
    switch (target->form) {
    case TargetForm::asterisk:
        if (head.method != Method::options)
            return refuse(400, "Asterisk-form target outside OPTIONS");
        v.path = "*";
        break;
    case TargetForm::authority:
        if (head.method != Method::connect)
            return refuse(400, "Authority-form target outside CONNECT");
        break;
    case TargetForm::absolute: {
        // Its authority wins over Host (RFC 9112 §3.2.2).
        const std::string_view t = head.target;
        const std::size_t start = t.find("://") + 3;
        v.host = t.substr(start, t.find_first_of("/?", start) - start);
        [[fallthrough]];
    }
    case TargetForm::origin:
        // Python's gh-87389 guard: "//host/x" must not reach a redirect as a scheme-relative
        // URL.
        v.path = collapse_leading_slashes(target->path);
        v.query = target->query;
        break;
    }

    switch (head.method) {
    case Method::connect:
        return refuse(501, "CONNECT is not supported by this server");
    case Method::trace:
        if (!config.enable_trace) return refuse(405, "TRACE is disabled");
        break;
    case Method::extension:
        if (std::find(config.extension_methods.begin(), config.extension_methods.end(),
                      head.method_name) == config.extension_methods.end())
            return refuse(501, "Unsupported method");
        break;
    default:
        break;
    }

    // RFC 9110 §10.1.1: 100-continue is the only expectation; others get 417. An HTTP/1.0
    // client cannot have meant it, so it is ignored there.
    if (f.count(FieldId::expect) != 0) {
        const std::string_view expect = f.get(FieldId::expect);
        if (!detail::iequals(expect, "100-continue")) return refuse(417, "Expectation Failed");
        v.expect_continue = head.version == Version::http11 && head.body != BodyKind::none;
    }
    return v;
}

std::string_view host_without_port(std::string_view host) noexcept {
    if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
    return host.substr(0, host.rfind(':'));
}

} // namespace pier::server
