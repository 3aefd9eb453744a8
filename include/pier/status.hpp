// HTTP status codes: the registry Python's http.HTTPStatus carries (RFC 9110 §15 and
// extensions), with reason phrases, Python's English long descriptions and the status class.
//
//     pier::reason_phrase(404)           // "Not Found"
//     pier::status_info(pier::Status::ok).description  // "Request fulfilled, document follows"
//     pier::status_class(418)            // StatusClass::client_error
//
// Lookup is one array index for any 100–599 code; codes nobody registered get their class's
// generic phrase ("Client Error"), as RFC 9110 §15 tells a recipient to treat them.
#pragma once

#include <cstdint>
#include <string_view>

namespace pier {

/// Registered status codes. Names are Python's HTTPStatus names in lower case; where RFC 9110
/// renamed a code, both names exist (`request_entity_too_large` and `content_too_large`).
enum class Status : std::uint16_t {
    continue_ = 100, // trailing underscore: `continue` is a C++ keyword
    switching_protocols = 101,
    processing = 102,
    early_hints = 103,
    ok = 200,
    created = 201,
    accepted = 202,
    non_authoritative_information = 203,
    no_content = 204,
    reset_content = 205,
    partial_content = 206,
    multi_status = 207,
    already_reported = 208,
    im_used = 226,
    multiple_choices = 300,
    moved_permanently = 301,
    found = 302,
    see_other = 303,
    not_modified = 304,
    use_proxy = 305,
    temporary_redirect = 307,
    permanent_redirect = 308,
    bad_request = 400,
    unauthorized = 401,
    payment_required = 402,
    forbidden = 403,
    not_found = 404,
    method_not_allowed = 405,
    not_acceptable = 406,
    proxy_authentication_required = 407,
    request_timeout = 408,
    conflict = 409,
    gone = 410,
    length_required = 411,
    precondition_failed = 412,
    request_entity_too_large = 413,
    content_too_large = 413,
    request_uri_too_long = 414,
    uri_too_long = 414,
    unsupported_media_type = 415,
    requested_range_not_satisfiable = 416,
    range_not_satisfiable = 416,
    expectation_failed = 417,
    im_a_teapot = 418,
    misdirected_request = 421,
    unprocessable_entity = 422,
    unprocessable_content = 422,
    locked = 423,
    failed_dependency = 424,
    too_early = 425,
    upgrade_required = 426,
    precondition_required = 428,
    too_many_requests = 429,
    request_header_fields_too_large = 431,
    unavailable_for_legal_reasons = 451,
    internal_server_error = 500,
    not_implemented = 501,
    bad_gateway = 502,
    service_unavailable = 503,
    gateway_timeout = 504,
    http_version_not_supported = 505,
    variant_also_negotiates = 506,
    insufficient_storage = 507,
    loop_detected = 508,
    not_extended = 510,
    network_authentication_required = 511,
};

/// RFC 9110 §15: the first digit of the code.
enum class StatusClass : std::uint8_t {
    informational = 1, // 1xx
    successful = 2,    // 2xx
    redirection = 3,   // 3xx
    client_error = 4,  // 4xx
    server_error = 5,  // 5xx
    invalid = 0,       // outside 100–599: not an HTTP status code
};

struct StatusInfo {
    std::uint16_t code;
    /// Reason phrase, RFC 9110's spelling ("Content Too Large", not RFC 7231's "Request Entity
    /// Too Large"); the class's generic phrase for unregistered codes.
    std::string_view phrase;
    /// Python's HTTPStatus.description; empty where Python has none.
    std::string_view description;
    /// Python's enum name ("NOT_FOUND"); empty for unregistered codes.
    std::string_view name;

    bool is_registered() const noexcept { return !name.empty(); }
};

/// Everything known about `code`, for any int. Constant time.
const StatusInfo& status_info(int code) noexcept;
inline const StatusInfo& status_info(Status s) noexcept {
    return status_info(static_cast<int>(s));
}

inline std::string_view reason_phrase(int code) noexcept {
    return status_info(code).phrase;
}
inline std::string_view reason_phrase(Status s) noexcept {
    return status_info(s).phrase;
}

constexpr StatusClass status_class(int code) noexcept {
    return (code >= 100 && code <= 599) ? static_cast<StatusClass>(code / 100)
                                        : StatusClass::invalid;
}
constexpr StatusClass status_class(Status s) noexcept {
    return status_class(static_cast<int>(s));
}

/// RFC 9110 §6.4.1 / RFC 9112 §6.3: 1xx, 204 and 304 responses never carry content.
constexpr bool status_allows_content(int code) noexcept {
    return code >= 200 && code != 204 && code != 304;
}

constexpr int to_int(Status s) noexcept {
    return static_cast<int>(s);
}

} // namespace pier
