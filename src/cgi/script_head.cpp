#include "cgi/script_head.hpp"

#include "http/char_class.hpp"

#include <algorithm>

namespace pier::cgi {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && detail::is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && detail::is_ows(s.back())) s.remove_suffix(1);
    return s;
}

// A URI with a scheme ("https://x/y", "mailto:…"): RFC 3986 §3.1.
bool absolute_uri(std::string_view s) {
    const std::size_t colon = s.find(':');
    if (colon == 0 || colon == std::string_view::npos || !detail::is_alpha(s[0])) return false;
    return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return detail::is_alpha(c) || detail::is_digit(c) || c == '+' || c == '-' || c == '.';
    });
}

} // namespace

ScriptHeadParser::Result ScriptHeadParser::fail(std::string_view why) {
    error_.assign(why);
    return Result::error;
}

ScriptHeadParser::Result ScriptHeadParser::feed(std::string_view bytes, std::size_t& body_from) {
    if (!error_.empty()) return Result::error;
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t lf = bytes.find('\n', at);
        const std::size_t end = lf == std::string_view::npos ? bytes.size() : lf + 1;
        seen_ += end - at;
        if (seen_ > limit_) return fail("the script's header block is longer than the limit");
        if (lf == std::string_view::npos) {
            partial_.append(bytes.substr(at));
            return Result::need_more;
        }
        std::string_view text = bytes.substr(at, lf - at);
        if (!partial_.empty()) {
            partial_.append(text);
            text = partial_;
        }
        if (text.ends_with('\r')) text.remove_suffix(1);
        at = end;
        const Result r = line(text);
        partial_.clear();
        if (r == Result::done) {
            body_from = at;
            return Result::done;
        }
        if (r == Result::error) return r;
    }
    return Result::need_more;
}

ScriptHeadParser::Result ScriptHeadParser::line(std::string_view text) {
    if (text.empty()) return Result::done;
    if (detail::is_ows(text.front()))
        return fail("the script's output folds a field over lines (obs-fold)");
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos)
        return fail("the script's output has a line that is not a header field");
    const std::string_view name = text.substr(0, colon);
    const std::string_view value = trim(text.substr(colon + 1));
    if (!detail::is_token(name)) return fail("the script's output has an invalid field name");
    for (const char c : value)
        if (!detail::is_field_vchar(c) && c != ' ' && c != '\t')
            return fail("the script's output has a control character in a field value");
    if (detail::iequals(name, "Status")) {
        if (head_.status != 0) return fail("the script's output has two Status fields");
        // "NNN reason": a three-digit code a response can have, then an optional phrase.
        if (value.size() < 3 || !detail::is_digit(value[0]) || !detail::is_digit(value[1]) ||
            !detail::is_digit(value[2]) || (value.size() > 3 && value[3] != ' '))
            return fail("the script's Status field is not a status code");
        head_.status = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
        if (head_.status < 100 || head_.status > 599)
            return fail("the script's Status field is not a status code");
        head_.reason.assign(trim(value.substr(3)));
        return Result::need_more;
    }
    if (detail::iequals(name, "Location")) {
        if (!head_.location.empty()) return fail("the script's output has two Location fields");
        if (!value.starts_with('/') && !absolute_uri(value))
            return fail("the script's Location is neither a local path nor an absolute URL");
        if (value.starts_with("//"))
            return fail("the script's Location is a network-path reference");
        head_.location.assign(value);
        return Result::need_more;
    }
    if (detail::iequals(name, "Content-Type")) {
        if (!head_.content_type.empty())
            return fail("the script's output has two Content-Type fields");
        if (value.empty()) return fail("the script's Content-Type is empty");
        head_.content_type.assign(value);
        return Result::need_more;
    }
    head_.fields.emplace_back(name, value);
    return Result::need_more;
}

} // namespace pier::cgi
