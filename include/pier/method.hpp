// Request methods: the nine of RFC 9110 §9 and RFC 5789 that Python's http.HTTPMethod lists,
// with descriptions and the safe / idempotent properties (RFC 9110 §9.2.1, §9.2.2).
// Any other token is a valid extension method (RFC 9110 §9.1); method names are
// case-sensitive, so "get" is an extension method, not GET.
//
//     auto m = pier::parse_method("PATCH");   // Method::patch
//     pier::parse_method("BREW");             // Method::extension
//     pier::parse_method("GE T");             // std::nullopt: not a token
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace pier {

enum class Method : std::uint8_t {
    get,
    head,
    post,
    put,
    delete_, // trailing underscore: `delete` is a C++ keyword
    connect,
    options,
    trace,
    patch,
    extension, // any other token; the caller keeps the name's text
};

struct MethodInfo {
    std::string_view name;        // "GET"; empty for extension methods
    std::string_view description; // Python's HTTPMethod.description
    bool safe;                    // RFC 9110 §9.2.1: read-only by definition
    bool idempotent;              // RFC 9110 §9.2.2: repeating it has the same intended effect
};

/// The method named by `token`, Method::extension for any other valid token, or nullopt when
/// `token` is not a token (empty, or holds a space, control or separator character).
std::optional<Method> parse_method(std::string_view token) noexcept;

const MethodInfo& method_info(Method m) noexcept;
inline std::string_view method_name(Method m) noexcept {
    return method_info(m).name;
}
/// Extension methods are neither safe nor idempotent: nothing is known about them.
inline bool is_safe(Method m) noexcept {
    return method_info(m).safe;
}
inline bool is_idempotent(Method m) noexcept {
    return method_info(m).idempotent;
}

} // namespace pier
