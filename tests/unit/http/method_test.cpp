#include <pier/method.hpp>

#include <gtest/gtest.h>

namespace pier {
namespace {

struct Known {
    std::string_view name;
    Method method;
    bool safe;
    bool idempotent;
    std::string_view description;
};

// RFC 9110 §9.2.1 / §9.2.2 Table 4, and Python's HTTPMethod descriptions.
constexpr Known kKnown[] = {
    {"GET", Method::get, true, true, "Retrieve the target."},
    {"HEAD", Method::head, true, true,
     "Same as GET, but only retrieve the status line and header section."},
    {"POST", Method::post, false, false,
     "Perform target-specific processing with the request payload."},
    {"PUT", Method::put, false, true, "Replace the target with the request payload."},
    {"DELETE", Method::delete_, false, true, "Remove the target."},
    {"CONNECT", Method::connect, false, false, "Establish a connection to the server."},
    {"OPTIONS", Method::options, true, true, "Describe the communication options for the target."},
    {"TRACE", Method::trace, true, true,
     "Perform a message loop-back test along the path to the target."},
    {"PATCH", Method::patch, false, false, "Apply partial modifications to a target."},
};

TEST(Method, KnownMethodsParseWithTheirProperties) {
    for (const auto& k : kKnown) {
        const auto m = parse_method(k.name);
        ASSERT_TRUE(m.has_value()) << k.name;
        EXPECT_EQ(*m, k.method) << k.name;
        EXPECT_EQ(method_name(*m), k.name);
        EXPECT_EQ(is_safe(*m), k.safe) << k.name;
        EXPECT_EQ(is_idempotent(*m), k.idempotent) << k.name;
        EXPECT_EQ(method_info(*m).description, k.description) << k.name;
    }
}

TEST(Method, OtherTokensAreExtensionMethods) {
    // Method names are case-sensitive (RFC 9110 §9.1): "get" is not GET.
    for (std::string_view name : {"get", "Get", "BREW", "PROPFIND", "M-SEARCH", "GETS", "GE",
                                  "OPTIONSX", "A", "!#$%&'*+-.^_`|~"}) {
        const auto m = parse_method(name);
        ASSERT_TRUE(m.has_value()) << name;
        EXPECT_EQ(*m, Method::extension) << name;
    }
    EXPECT_FALSE(is_safe(Method::extension));
    EXPECT_FALSE(is_idempotent(Method::extension));
    EXPECT_EQ(method_name(Method::extension), "");
}

TEST(Method, NonTokensAreRejected) {
    using namespace std::string_view_literals;
    for (std::string_view name : {""sv, "GE T"sv, "GET\t"sv, "G\0T"sv, "GET/"sv, "(GET)"sv,
                                  "G\"T"sv, "G:T"sv, "\x7f"sv, "G\xc3\xa9T"sv, "GET\r"sv, "{}"sv}) {
        EXPECT_FALSE(parse_method(name).has_value()) << name;
    }
}

} // namespace
} // namespace pier
