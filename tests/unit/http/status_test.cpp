#include <pier/status.hpp>

#include <gtest/gtest.h>

namespace pier {
namespace {

struct Registered {
    int code;
    std::string_view phrase;
    std::string_view name;
    std::string_view description;
};

// The codes the foundation issue names explicitly, plus the RFC 9110 renames.
constexpr Registered kCases[] = {
    {100, "Continue", "CONTINUE", "Request received, please continue"},
    {103, "Early Hints", "EARLY_HINTS", ""},
    {200, "OK", "OK", "Request fulfilled, document follows"},
    {208, "Already Reported", "ALREADY_REPORTED", ""},
    {226, "IM Used", "IM_USED", ""},
    {304, "Not Modified", "NOT_MODIFIED", "Document has not changed since given time"},
    {308, "Permanent Redirect", "PERMANENT_REDIRECT", "Object moved permanently -- see URI list"},
    {404, "Not Found", "NOT_FOUND", "Nothing matches the given URI"},
    {413, "Content Too Large", "REQUEST_ENTITY_TOO_LARGE", "Content is too large"},
    {414, "URI Too Long", "REQUEST_URI_TOO_LONG", "URI is too long"},
    {416, "Range Not Satisfiable", "REQUESTED_RANGE_NOT_SATISFIABLE",
     "Cannot satisfy request range"},
    {418, "I'm a Teapot", "IM_A_TEAPOT", "Server refuses to brew coffee because it is a teapot."},
    {421, "Misdirected Request", "MISDIRECTED_REQUEST", "Server is not able to produce a response"},
    {422, "Unprocessable Content", "UNPROCESSABLE_ENTITY", ""},
    {425, "Too Early", "TOO_EARLY", ""},
    {428, "Precondition Required", "PRECONDITION_REQUIRED",
     "The origin server requires the request to be conditional"},
    {429, "Too Many Requests", "TOO_MANY_REQUESTS",
     "The user has sent too many requests in a given amount of time (\"rate limiting\")"},
    {431, "Request Header Fields Too Large", "REQUEST_HEADER_FIELDS_TOO_LARGE",
     "The server is unwilling to process the request because its header fields are too large"},
    {451, "Unavailable For Legal Reasons", "UNAVAILABLE_FOR_LEGAL_REASONS",
     "The server is denying access to the resource as a consequence of a legal demand"},
    {500, "Internal Server Error", "INTERNAL_SERVER_ERROR", "Server got itself in trouble"},
    {505, "HTTP Version Not Supported", "HTTP_VERSION_NOT_SUPPORTED", "Cannot fulfill request"},
    {506, "Variant Also Negotiates", "VARIANT_ALSO_NEGOTIATES", ""},
    {508, "Loop Detected", "LOOP_DETECTED", ""},
    {510, "Not Extended", "NOT_EXTENDED", ""},
    {511, "Network Authentication Required", "NETWORK_AUTHENTICATION_REQUIRED",
     "The client needs to authenticate to gain network access"},
};

TEST(Status, RegisteredCodesCarryPhraseNameAndPythonDescription) {
    for (const auto& c : kCases) {
        const StatusInfo& info = status_info(c.code);
        EXPECT_EQ(info.code, c.code);
        EXPECT_EQ(info.phrase, c.phrase) << c.code;
        EXPECT_EQ(info.name, c.name) << c.code;
        EXPECT_EQ(info.description, c.description) << c.code;
        EXPECT_TRUE(info.is_registered()) << c.code;
    }
}

TEST(Status, RegistryHasExactlyPythonsSixtyTwoCodes) {
    int registered = 0;
    for (int code = 100; code <= 599; ++code) registered += status_info(code).is_registered();
    EXPECT_EQ(registered, 62);
}

TEST(Status, EnumNamesMapToTheirCodes) {
    EXPECT_EQ(to_int(Status::continue_), 100);
    EXPECT_EQ(to_int(Status::ok), 200);
    EXPECT_EQ(to_int(Status::content_too_large), to_int(Status::request_entity_too_large));
    EXPECT_EQ(to_int(Status::uri_too_long), 414);
    EXPECT_EQ(reason_phrase(Status::not_found), "Not Found");
    EXPECT_EQ(status_info(Status::im_a_teapot).code, 418);
}

TEST(Status, UnregisteredCodesGetTheirClassPhrase) {
    struct Case {
        int code;
        std::string_view phrase;
        StatusClass cls;
    };
    constexpr Case cases[] = {
        {104, "Informational", StatusClass::informational},
        {199, "Informational", StatusClass::informational},
        {299, "Success", StatusClass::successful},
        {306, "Redirection", StatusClass::redirection},
        {419, "Client Error", StatusClass::client_error},
        {499, "Client Error", StatusClass::client_error},
        {509, "Server Error", StatusClass::server_error},
        {599, "Server Error", StatusClass::server_error},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(reason_phrase(c.code), c.phrase) << c.code;
        EXPECT_EQ(status_class(c.code), c.cls) << c.code;
        EXPECT_FALSE(status_info(c.code).is_registered()) << c.code;
        EXPECT_EQ(status_info(c.code).code, c.code / 100 * 100) << c.code;
    }
}

TEST(Status, CodesOutsideTheRangeAreInvalid) {
    for (int code : {-1, 0, 99, 600, 999, 1000, 65535}) {
        EXPECT_EQ(status_class(code), StatusClass::invalid) << code;
        EXPECT_EQ(reason_phrase(code), "Unknown") << code;
        EXPECT_FALSE(status_info(code).is_registered()) << code;
    }
    EXPECT_EQ(status_class(100), StatusClass::informational);
    EXPECT_EQ(status_class(599), StatusClass::server_error);
}

TEST(Status, ContentIsForbiddenOnInformationalNoContentAndNotModified) {
    EXPECT_FALSE(status_allows_content(100));
    EXPECT_FALSE(status_allows_content(103));
    EXPECT_FALSE(status_allows_content(199));
    EXPECT_FALSE(status_allows_content(204));
    EXPECT_FALSE(status_allows_content(304));
    EXPECT_TRUE(status_allows_content(200));
    EXPECT_TRUE(status_allows_content(205));
    EXPECT_TRUE(status_allows_content(404));
}

} // namespace
} // namespace pier
