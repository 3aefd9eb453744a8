#include "http/char_class.hpp"

#include <pier/method.hpp>

#include <array>

namespace pier {
namespace {

constexpr std::array<MethodInfo, 10> kMethods = {{
    {"GET", "Retrieve the target.", true, true},
    {"HEAD", "Same as GET, but only retrieve the status line and header section.", true, true},
    {"POST", "Perform target-specific processing with the request payload.", false, false},
    {"PUT", "Replace the target with the request payload.", false, true},
    {"DELETE", "Remove the target.", false, true},
    {"CONNECT", "Establish a connection to the server.", false, false},
    {"OPTIONS", "Describe the communication options for the target.", true, true},
    {"TRACE", "Perform a message loop-back test along the path to the target.", true, true},
    {"PATCH", "Apply partial modifications to a target.", false, false},
    {"", "", false, false},
}};

} // namespace

std::optional<Method> parse_method(std::string_view token) noexcept {
    // Dispatch on length so at most two names are compared (every request pays this).
    auto is = [token](Method m) { return token == kMethods[static_cast<std::size_t>(m)].name; };
    switch (token.size()) {
    case 3:
        if (is(Method::get)) return Method::get;
        if (is(Method::put)) return Method::put;
        break;
    case 4:
        if (is(Method::post)) return Method::post;
        if (is(Method::head)) return Method::head;
        break;
    case 5:
        if (is(Method::patch)) return Method::patch;
        if (is(Method::trace)) return Method::trace;
        break;
    case 6:
        if (is(Method::delete_)) return Method::delete_;
        break;
    case 7:
        if (is(Method::options)) return Method::options;
        if (is(Method::connect)) return Method::connect;
        break;
    default:
        break;
    }
    if (!detail::is_token(token)) return std::nullopt;
    return Method::extension;
}

const MethodInfo& method_info(Method m) noexcept {
    const auto i = static_cast<std::size_t>(m);
    return kMethods[i < kMethods.size() ? i : static_cast<std::size_t>(Method::extension)];
}

} // namespace pier
