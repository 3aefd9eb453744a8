#include "client/debug.hpp"

#include <cstdio>
#include <string>

namespace pier::client::detail {

namespace {

// Python's debug output: "send: b'...'" with the bytes escaped.
std::string escaped(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\'' || c == '\\')
            (out += '\\') += c;
        else
            out += c;
    }
    return out;
}

} // namespace

void print_python_style(DebugKind kind, std::string_view text) {
    switch (kind) {
    case DebugKind::request_head:
        std::fprintf(stderr, "send: b'%s'\n", escaped(text).c_str());
        break;
    case DebugKind::request_body:
        std::fprintf(stderr, "send: %zu body bytes\n", text.size());
        break;
    case DebugKind::response_head: {
        std::size_t eol = text.find('\n');
        std::fprintf(stderr, "reply: '%s'\n", escaped(text.substr(0, eol + 1)).c_str());
        text.remove_prefix(eol + 1);
        while (!text.empty()) {
            eol = text.find('\n');
            std::string_view line = text.substr(0, eol);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!line.empty())
                std::fprintf(stderr, "header: %.*s\n", static_cast<int>(line.size()), line.data());
            if (eol == std::string_view::npos) break;
            text.remove_prefix(eol + 1);
        }
        break;
    }
    case DebugKind::info:
        std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
        break;
    }
}

} // namespace pier::client::detail
