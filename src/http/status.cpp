#include <pier/status.hpp>

#include <array>

namespace pier {
namespace {

// The registry (RFC 9110 §15 plus the extensions Python's HTTPStatus lists), in code order.
constexpr StatusInfo kRegistered[] = {
    {100, "Continue", "Request received, please continue", "CONTINUE"},
    {101, "Switching Protocols", "Switching to new protocol; obey Upgrade header",
     "SWITCHING_PROTOCOLS"},
    {102, "Processing", "", "PROCESSING"},
    {103, "Early Hints", "", "EARLY_HINTS"},
    {200, "OK", "Request fulfilled, document follows", "OK"},
    {201, "Created", "Document created, URL follows", "CREATED"},
    {202, "Accepted", "Request accepted, processing continues off-line", "ACCEPTED"},
    {203, "Non-Authoritative Information", "Request fulfilled from cache",
     "NON_AUTHORITATIVE_INFORMATION"},
    {204, "No Content", "Request fulfilled, nothing follows", "NO_CONTENT"},
    {205, "Reset Content", "Clear input form for further input", "RESET_CONTENT"},
    {206, "Partial Content", "Partial content follows", "PARTIAL_CONTENT"},
    {207, "Multi-Status", "", "MULTI_STATUS"},
    {208, "Already Reported", "", "ALREADY_REPORTED"},
    {226, "IM Used", "", "IM_USED"},
    {300, "Multiple Choices", "Object has several resources -- see URI list", "MULTIPLE_CHOICES"},
    {301, "Moved Permanently", "Object moved permanently -- see URI list", "MOVED_PERMANENTLY"},
    {302, "Found", "Object moved temporarily -- see URI list", "FOUND"},
    {303, "See Other", "Object moved -- see Method and URL list", "SEE_OTHER"},
    {304, "Not Modified", "Document has not changed since given time", "NOT_MODIFIED"},
    {305, "Use Proxy", "You must use proxy specified in Location to access this resource",
     "USE_PROXY"},
    {307, "Temporary Redirect", "Object moved temporarily -- see URI list", "TEMPORARY_REDIRECT"},
    {308, "Permanent Redirect", "Object moved permanently -- see URI list", "PERMANENT_REDIRECT"},
    {400, "Bad Request", "Bad request syntax or unsupported method", "BAD_REQUEST"},
    {401, "Unauthorized", "No permission -- see authorization schemes", "UNAUTHORIZED"},
    {402, "Payment Required", "No payment -- see charging schemes", "PAYMENT_REQUIRED"},
    {403, "Forbidden", "Request forbidden -- authorization will not help", "FORBIDDEN"},
    {404, "Not Found", "Nothing matches the given URI", "NOT_FOUND"},
    {405, "Method Not Allowed", "Specified method is invalid for this resource",
     "METHOD_NOT_ALLOWED"},
    {406, "Not Acceptable", "URI not available in preferred format", "NOT_ACCEPTABLE"},
    {407, "Proxy Authentication Required",
     "You must authenticate with this proxy before proceeding", "PROXY_AUTHENTICATION_REQUIRED"},
    {408, "Request Timeout", "Request timed out; try again later", "REQUEST_TIMEOUT"},
    {409, "Conflict", "Request conflict", "CONFLICT"},
    {410, "Gone", "URI no longer exists and has been permanently removed", "GONE"},
    {411, "Length Required", "Client must specify Content-Length", "LENGTH_REQUIRED"},
    {412, "Precondition Failed", "Precondition in headers is false", "PRECONDITION_FAILED"},
    {413, "Content Too Large", "Content is too large", "REQUEST_ENTITY_TOO_LARGE"},
    {414, "URI Too Long", "URI is too long", "REQUEST_URI_TOO_LONG"},
    {415, "Unsupported Media Type", "Entity body in unsupported format", "UNSUPPORTED_MEDIA_TYPE"},
    {416, "Range Not Satisfiable", "Cannot satisfy request range",
     "REQUESTED_RANGE_NOT_SATISFIABLE"},
    {417, "Expectation Failed", "Expect condition could not be satisfied", "EXPECTATION_FAILED"},
    {418, "I'm a Teapot", "Server refuses to brew coffee because it is a teapot.", "IM_A_TEAPOT"},
    {421, "Misdirected Request", "Server is not able to produce a response", "MISDIRECTED_REQUEST"},
    {422, "Unprocessable Content", "", "UNPROCESSABLE_ENTITY"},
    {423, "Locked", "", "LOCKED"},
    {424, "Failed Dependency", "", "FAILED_DEPENDENCY"},
    {425, "Too Early", "", "TOO_EARLY"},
    {426, "Upgrade Required", "", "UPGRADE_REQUIRED"},
    {428, "Precondition Required", "The origin server requires the request to be conditional",
     "PRECONDITION_REQUIRED"},
    {429, "Too Many Requests",
     "The user has sent too many requests in a given amount of time (\"rate limiting\")",
     "TOO_MANY_REQUESTS"},
    {431, "Request Header Fields Too Large",
     "The server is unwilling to process the request because its header fields are too large",
     "REQUEST_HEADER_FIELDS_TOO_LARGE"},
    {451, "Unavailable For Legal Reasons",
     "The server is denying access to the resource as a consequence of a legal demand",
     "UNAVAILABLE_FOR_LEGAL_REASONS"},
    {500, "Internal Server Error", "Server got itself in trouble", "INTERNAL_SERVER_ERROR"},
    {501, "Not Implemented", "Server does not support this operation", "NOT_IMPLEMENTED"},
    {502, "Bad Gateway", "Invalid responses from another server/proxy", "BAD_GATEWAY"},
    {503, "Service Unavailable", "The server cannot process the request due to a high load",
     "SERVICE_UNAVAILABLE"},
    {504, "Gateway Timeout", "The gateway server did not receive a timely response",
     "GATEWAY_TIMEOUT"},
    {505, "HTTP Version Not Supported", "Cannot fulfill request", "HTTP_VERSION_NOT_SUPPORTED"},
    {506, "Variant Also Negotiates", "", "VARIANT_ALSO_NEGOTIATES"},
    {507, "Insufficient Storage", "", "INSUFFICIENT_STORAGE"},
    {508, "Loop Detected", "", "LOOP_DETECTED"},
    {510, "Not Extended", "", "NOT_EXTENDED"},
    {511, "Network Authentication Required",
     "The client needs to authenticate to gain network access", "NETWORK_AUTHENTICATION_REQUIRED"},
};

// Unregistered codes are understood by their class (RFC 9110 §15): "a client MUST understand
// the class of any status code, as indicated by the first digit".
constexpr StatusInfo kGeneric[] = {
    {0, "Unknown", "", ""},       {100, "Informational", "", ""}, {200, "Success", "", ""},
    {300, "Redirection", "", ""}, {400, "Client Error", "", ""},  {500, "Server Error", "", ""},
};

constexpr int kFirstCode = 100;
constexpr int kLastCode = 599;
constexpr std::uint8_t kUnregistered = 0xff;
static_assert(std::size(kRegistered) < kUnregistered);

// code - 100 → position in kRegistered, or kUnregistered.
constexpr auto kIndex = [] {
    std::array<std::uint8_t, kLastCode - kFirstCode + 1> index{};
    index.fill(kUnregistered);
    for (std::size_t i = 0; i < std::size(kRegistered); ++i)
        index[kRegistered[i].code - kFirstCode] = static_cast<std::uint8_t>(i);
    return index;
}();

} // namespace

const StatusInfo& status_info(int code) noexcept {
    if (code < kFirstCode || code > kLastCode) return kGeneric[0];
    const std::uint8_t i = kIndex[static_cast<std::size_t>(code - kFirstCode)];
    return i == kUnregistered ? kGeneric[code / 100] : kRegistered[i];
}

} // namespace pier
