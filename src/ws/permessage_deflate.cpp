// permessage-deflate's negotiation (RFC 7692 §5, §7.1): parameters offered and answered in
// Sec-WebSocket-Extensions.
#include "http/char_class.hpp"
#include "ws/negotiation.hpp"

#include <pier/field_lists.hpp>
#include <pier/websocket.hpp>

#include <algorithm>

namespace pier::ws {
namespace {

constexpr std::string_view kName = "permessage-deflate";

// The next ';'-separated part of an extension element (quoted strings kept whole), trimmed.
std::string_view next_part(std::string_view& rest) noexcept {
    bool quoted = false;
    std::size_t i = 0;
    for (; i < rest.size(); ++i) {
        const char c = rest[i];
        if (quoted && c == '\\')
            ++i;
        else if (c == '"')
            quoted = !quoted;
        else if (c == ';' && !quoted)
            break;
    }
    const std::string_view part = rest.substr(0, i);
    rest = i < rest.size() ? rest.substr(i + 1) : std::string_view();
    return pier::detail::trim_ows(part);
}

// §7.1.2.1: "a decimal integer value without leading zeros between 8 to 15, inclusive",
// in a token or a quoted-string. 0: invalid.
std::uint8_t window_bits(std::string_view v) noexcept {
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return static_cast<std::uint8_t>(v[0] - '0');
    if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
        return static_cast<std::uint8_t>(10 + v[1] - '0');
    return 0;
}

std::string_view extension_name(std::string_view element) noexcept {
    return next_part(element);
}

} // namespace

std::optional<DeflateParams> parse_deflate_params(std::string_view element) {
    if (!pier::detail::iequals(next_part(element), kName)) return std::nullopt;
    DeflateParams p;
    bool seen[4] = {};
    while (!element.empty()) {
        const std::string_view part = next_part(element);
        const std::size_t eq = part.find('=');
        const std::string_view name = pier::detail::trim_ows(part.substr(0, eq));
        const bool has_value = eq != std::string_view::npos;
        const std::string_view value =
            has_value ? pier::detail::trim_ows(part.substr(eq + 1)) : std::string_view();
        int which = -1;
        if (name == "server_no_context_takeover") {
            which = 0;
            if (has_value) return std::nullopt;
            p.server_no_context_takeover = true;
        } else if (name == "client_no_context_takeover") {
            which = 1;
            if (has_value) return std::nullopt;
            p.client_no_context_takeover = true;
        } else if (name == "server_max_window_bits") {
            which = 2;
            p.server_max_window_bits = window_bits(value);
            if (p.server_max_window_bits == 0) return std::nullopt;
        } else if (name == "client_max_window_bits") {
            which = 3;
            if (has_value) {
                p.client_max_window_bits = window_bits(value);
                if (p.client_max_window_bits == 0) return std::nullopt;
            } else {
                p.client_max_window_bits_bare = true;
            }
        } else {
            return std::nullopt; // §5: a parameter not defined for this extension
        }
        if (seen[which]) return std::nullopt; // §5: the same parameter twice
        seen[which] = true;
    }
    return p;
}

std::optional<DeflateParams> negotiate_deflate(const Fields& request, const DeflateConfig& config) {
    for (std::string_view value : request.values("Sec-WebSocket-Extensions")) {
        for (std::string_view element : list_elements(value)) {
            // An offer we cannot read is declined, and the next one considered (§5).
            const std::optional<DeflateParams> offer = parse_deflate_params(element);
            if (!offer) continue;
            DeflateParams answer;
            // Our own window: what we like, lowered to what the client asks. 8 is accepted;
            // the Writer then sends uncompressed (zlib has no 8-bit raw window).
            const int own = std::clamp(config.window_bits, 9, 15);
            const int server_bits = offer->server_max_window_bits != 0
                                        ? std::min<int>(own, offer->server_max_window_bits)
                                        : own;
            // §7.1.2.1: an offered server_max_window_bits must be answered to be accepted.
            if (offer->server_max_window_bits != 0 || server_bits < 15)
                answer.server_max_window_bits = static_cast<std::uint8_t>(server_bits);
            answer.server_no_context_takeover =
                offer->server_no_context_takeover || config.no_context_takeover;
            answer.client_no_context_takeover =
                offer->client_no_context_takeover || config.peer_no_context_takeover;
            // §7.1.2.2: the client's window may be limited only if it said it can be.
            if (offer->client_max_window_bits != 0 || offer->client_max_window_bits_bare) {
                const int bits =
                    std::min(std::clamp(config.peer_window_bits, 8, 15), offer->client_window());
                if (bits < 15 || offer->client_max_window_bits != 0)
                    answer.client_max_window_bits = static_cast<std::uint8_t>(bits);
            }
            return answer;
        }
    }
    return std::nullopt;
}

std::string to_field_value(const DeflateParams& params) {
    std::string out(kName);
    if (params.server_no_context_takeover) out += "; server_no_context_takeover";
    if (params.client_no_context_takeover) out += "; client_no_context_takeover";
    if (params.server_max_window_bits != 0)
        out += "; server_max_window_bits=" + std::to_string(params.server_max_window_bits);
    if (params.client_max_window_bits != 0)
        out += "; client_max_window_bits=" + std::to_string(params.client_max_window_bits);
    else if (params.client_max_window_bits_bare)
        out += "; client_max_window_bits";
    return out;
}

namespace {

// What deflate_offer() sends for a config: the client's side of RFC 7692 §7.1.
DeflateParams offer_for(const DeflateConfig& config) {
    DeflateParams offer;
    const int own = std::clamp(config.window_bits, 9, 15);
    // Always offered: it lets the server bound the window we compress with.
    if (own < 15)
        offer.client_max_window_bits = static_cast<std::uint8_t>(own);
    else
        offer.client_max_window_bits_bare = true;
    const int peer = std::clamp(config.peer_window_bits, 8, 15);
    if (peer < 15) offer.server_max_window_bits = static_cast<std::uint8_t>(peer);
    offer.client_no_context_takeover = config.no_context_takeover;
    offer.server_no_context_takeover = config.peer_no_context_takeover;
    return offer;
}

} // namespace

std::string deflate_offer(const DeflateConfig& config) {
    return to_field_value(offer_for(config));
}

namespace detail {

// Client side: a server's answer to our offer, or nullopt if it is not one we can accept.
std::optional<DeflateParams> accept_deflate_answer(std::string_view element,
                                                   const DeflateConfig& config) {
    const std::optional<DeflateParams> answer = parse_deflate_params(element);
    if (!answer) return std::nullopt;
    const DeflateParams offer = offer_for(config);
    // §7.1.2.2: in a response client_max_window_bits has a value, and only if offered (it is).
    if (answer->client_max_window_bits_bare) return std::nullopt;
    // §7.1.2.1: the server may bound its window unasked, but not above what we asked.
    if (offer.server_max_window_bits != 0 &&
        (answer->server_max_window_bits == 0 ||
         answer->server_max_window_bits > offer.server_max_window_bits))
        return std::nullopt;
    // §7.1.1.1: asked for server_no_context_takeover, the server accepts by answering it.
    if (offer.server_no_context_takeover && !answer->server_no_context_takeover)
        return std::nullopt;
    return answer;
}

bool names_deflate(std::string_view element) noexcept {
    return pier::detail::iequals(extension_name(element), kName);
}

} // namespace detail
} // namespace pier::ws
