#include "http/char_class.hpp"
#include "http/scan.hpp"

#include <pier/serializer.hpp>
#include <pier/status.hpp>

#include <cstring>

namespace pier {
namespace {

bool is_clean_text(std::string_view s) noexcept {
    // Controls other than HTAB, and DEL, never leave pier inside a line.
    const char* p = s.data();
    const char* end = p + s.size();
    for (;;) {
        p = detail::find_field_value_end(p, end);
        if (p == end) return true;
        if (*p != '\t') return false;
        ++p;
    }
}

std::optional<SerializeError> check_fields(const Fields& fields) noexcept {
    for (const Field& f : fields) {
        if (!detail::is_token(f.name)) return SerializeError::bad_field_name;
        if (!is_clean_text(f.value) || (!f.value.empty() && (detail::is_ows(f.value.front()) ||
                                                             detail::is_ows(f.value.back()))))
            return SerializeError::bad_field_value;
    }
    return std::nullopt;
}

std::size_t fields_size(const Fields& fields) noexcept {
    std::size_t n = 2; // the empty line
    for (const Field& f : fields) n += f.name.size() + 2 + f.value.size() + 2;
    return n;
}

char* put(char* p, std::string_view s) noexcept {
    if (!s.empty()) std::memcpy(p, s.data(), s.size()); // an empty view may be null

    return p + s.size();
}

char* put_fields(char* p, const Fields& fields) noexcept {
    for (const Field& f : fields) {
        p = put(p, f.name);
        p = put(p, ": ");
        p = put(p, f.value);
        p = put(p, "\r\n");
    }
    return put(p, "\r\n");
}

std::string_view version_text(Version v) noexcept {
    return v == Version::http10 ? "HTTP/1.0" : "HTTP/1.1";
}

// Grows `out` by `n` bytes and returns where they start.
char* extend(std::string& out, std::size_t n) {
    const std::size_t old = out.size();
    out.resize(old + n);
    return out.data() + old;
}

} // namespace

std::optional<SerializeError> append_response_head(std::string& out, Version version, int status,
                                                   std::string_view reason, const Fields& fields) {
    if (version == Version::http09) return std::nullopt;
    if (status < 100 || status > 999) return SerializeError::bad_status;
    if (reason.empty()) reason = reason_phrase(status);
    if (!is_clean_text(reason)) return SerializeError::bad_reason;
    if (auto e = check_fields(fields)) return e;

    const std::size_t n = 8 + 1 + 3 + 1 + reason.size() + 2 + fields_size(fields);
    char* p = extend(out, n);
    p = put(p, version_text(version));
    *p++ = ' ';
    *p++ = static_cast<char>('0' + status / 100);
    *p++ = static_cast<char>('0' + status / 10 % 10);
    *p++ = static_cast<char>('0' + status % 10);
    *p++ = ' ';
    p = put(p, reason);
    p = put(p, "\r\n");
    put_fields(p, fields);
    return std::nullopt;
}

std::optional<SerializeError> append_request_head(std::string& out, std::string_view method,
                                                  std::string_view target, Version version,
                                                  const Fields& fields) {
    if (!detail::is_token(method)) return SerializeError::bad_method;
    if (target.empty() || detail::find_target_end(target.data(), target.data() + target.size()) !=
                              target.data() + target.size())
        return SerializeError::bad_target;
    if (auto e = check_fields(fields)) return e;

    const std::size_t n = method.size() + 1 + target.size() + 1 + 8 + 2 + fields_size(fields);
    char* p = extend(out, n);
    p = put(p, method);
    *p++ = ' ';
    p = put(p, target);
    *p++ = ' ';
    p = put(p, version == Version::http10 ? "HTTP/1.0" : "HTTP/1.1");
    p = put(p, "\r\n");
    put_fields(p, fields);
    return std::nullopt;
}

std::string_view to_string(SerializeError e) noexcept {
    switch (e) {
    case SerializeError::bad_status:
        return "status code outside 100-999";
    case SerializeError::bad_reason:
        return "control character in reason phrase";
    case SerializeError::bad_method:
        return "method is not a token";
    case SerializeError::bad_target:
        return "empty request target or control/space in it";
    case SerializeError::bad_field_name:
        return "field name is not a token";
    case SerializeError::bad_field_value:
        return "control character or edge whitespace in field value";
    }
    return "unknown serialize error";
}

} // namespace pier
