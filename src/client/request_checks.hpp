// Small checks the Connection's two halves (connection.cpp: its life; request.cpp: request
// heads out) both make. Private to the client.
#pragma once

#include <pier/method.hpp>

#include <string_view>

namespace pier::client::detail {

inline bool has_control_or_space(std::string_view s) noexcept {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return true;
    }
    return false;
}

inline Method method_of(std::string_view name) {
    return parse_method(name).value_or(Method::extension);
}

} // namespace pier::client::detail
