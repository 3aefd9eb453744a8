#include "handlers/upload_name.hpp"

#include "http/char_class.hpp"
#include "http/utf8.hpp"

#include <algorithm>
#include <array>

namespace pier::handlers {

namespace {

using detail::is_valid_utf8;
using detail::utf8_sequence;

// An extension longer than this is not one ("a.0123456789abcdefghij" is a name with a dot):
// shortening or numbering a name then works on the whole of it.
constexpr std::size_t kMaxExtension = 16;

bool is_control(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

// The longest prefix of `s` (valid UTF-8) of at most `max` bytes that ends between characters.
std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept {
    if (s.size() <= max) return s;
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n; // a continuation
    return s.substr(0, n);
}

// Where the extension kept by shortening and numbering starts (at its '.'): the last '.' but
// a leading one, when what follows is short enough; name.size() when there is none.
std::size_t extension_start(std::string_view name) noexcept {
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || name.size() - dot - 1 > kMaxExtension)
        return name.size();
    return dot;
}

bool ends_in_dot_or_space(std::string_view s) noexcept {
    return !s.empty() && (s.back() == '.' || s.back() == ' ');
}

// The base-name checks of safe_upload_name.
bool acceptable(std::string_view name, bool allow_hidden) noexcept {
    if (name.empty() || name == "." || name == "..") return false;
    if (name.front() == '.' && !allow_hidden) return false;
    // "...", " ": Windows strips trailing dots and spaces, leaving nothing.
    if (name.find_first_not_of(". ") == std::string_view::npos) return false;
    return !ends_in_dot_or_space(name);
}

} // namespace

std::optional<std::string> safe_upload_name(std::string_view raw, bool allow_hidden) {
    // Controls and broken UTF-8 are refused wherever they are, not only in the base name: no
    // browser sends them, so a name that holds one was made to probe something.
    if (std::any_of(raw.begin(), raw.end(), is_control) || !is_valid_utf8(raw)) return std::nullopt;
    const std::size_t slash = raw.find_last_of("/\\");
    const std::string_view name = slash == std::string_view::npos ? raw : raw.substr(slash + 1);
    if (!acceptable(name, allow_hidden)) return std::nullopt;
    if (name.size() <= kMaxUploadName) return std::string(name);

    const std::size_t ext_at = extension_start(name);
    const std::string_view ext = name.substr(ext_at);
    std::string_view stem = utf8_prefix(name.substr(0, ext_at), kMaxUploadName - ext.size());
    // The cut may leave dots or spaces at the end, which only an extension may then follow.
    if (ext.empty())
        while (ends_in_dot_or_space(stem)) stem.remove_suffix(1);
    std::string out;
    out.reserve(stem.size() + ext.size());
    out.append(stem).append(ext);
    if (!acceptable(out, allow_hidden)) return std::nullopt;
    return out;
}

std::string numbered_name(std::string_view name, unsigned n) {
    // Compressed tarballs keep both extensions, as browsers do: "a (1).tar.gz", not
    // "a.tar (1).gz".
    static constexpr std::array<std::string_view, 4> kTarballs = {".tar.gz", ".tar.bz2", ".tar.xz",
                                                                  ".tar.zst"};
    std::size_t ext_at = extension_start(name);
    for (const std::string_view t : kTarballs) {
        if (name.size() > t.size() && detail::iequals(name.substr(name.size() - t.size()), t)) {
            ext_at = name.size() - t.size();
            break;
        }
    }
    const std::string suffix = " (" + std::to_string(n) + ")";
    const std::string_view ext = name.substr(ext_at);
    const std::size_t room = kMaxUploadName - std::min(kMaxUploadName, suffix.size() + ext.size());
    const std::string_view stem = utf8_prefix(name.substr(0, ext_at), room);
    std::string out;
    out.reserve(stem.size() + suffix.size() + ext.size());
    out.append(stem).append(suffix).append(ext);
    return out;
}

} // namespace pier::handlers
