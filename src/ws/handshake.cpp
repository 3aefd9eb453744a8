// The opening handshake (RFC 6455 §4): the server's checks of a request, the client's checks of
// the 101 that answers it.
#include "http/char_class.hpp"
#include "ws/negotiation.hpp"

#include <pier/field_lists.hpp>
#include <pier/websocket.hpp>

#include <algorithm>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdexcept>

namespace pier::ws {
namespace {

// §1.3: the GUID a server appends to the client's key, so only a WebSocket server can answer.
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool is_base64_char(char c) noexcept {
    return pier::detail::is_alpha(c) || pier::detail::is_digit(c) || c == '+' || c == '/';
}

// §4.1: "a nonce consisting of a randomly selected 16-byte value that has been base64-encoded":
// 22 characters and "==". (The last character's four spare bits are not checked: decoders
// ignore them, and so the key still decodes to 16 bytes.)
bool is_valid_key(std::string_view key) noexcept {
    return key.size() == 24 && key.ends_with("==") &&
           std::all_of(key.begin(), key.end() - 2, is_base64_char);
}

// A token among every field of that name, compared case-insensitively.
bool fields_have_token(const Fields& fields, std::string_view name, std::string_view token) {
    for (std::string_view v : fields.values(name))
        if (has_token(v, token)) return true;
    return false;
}

} // namespace

int status_for(HandshakeError e) noexcept {
    switch (e) {
    case HandshakeError::no_upgrade:
    case HandshakeError::bad_version:
        return 426;
    case HandshakeError::not_get:
    case HandshakeError::not_http11:
    case HandshakeError::no_connection:
    case HandshakeError::bad_key:
    case HandshakeError::bad_protocol_list:
        return 400;
    default:
        return 0;
    }
}

std::string_view to_string(HandshakeError e) noexcept {
    switch (e) {
    case HandshakeError::not_get:
        return "a WebSocket handshake must be a GET";
    case HandshakeError::not_http11:
        return "a WebSocket handshake needs HTTP/1.1";
    case HandshakeError::no_upgrade:
        return "Upgrade does not name websocket";
    case HandshakeError::no_connection:
        return "Connection does not list upgrade";
    case HandshakeError::bad_key:
        return "Sec-WebSocket-Key is not 16 bytes in base64";
    case HandshakeError::bad_version:
        return "Sec-WebSocket-Version is not 13";
    case HandshakeError::bad_protocol_list:
        return "Sec-WebSocket-Protocol is not a list of tokens";
    case HandshakeError::not_101:
        return "the server did not switch protocols";
    case HandshakeError::response_no_upgrade:
        return "the 101 has no Upgrade: websocket";
    case HandshakeError::response_no_connection:
        return "the 101 has no Connection: upgrade";
    case HandshakeError::bad_accept:
        return "Sec-WebSocket-Accept does not match the key";
    case HandshakeError::unrequested_protocol:
        return "the server chose a subprotocol not offered";
    case HandshakeError::unrequested_extension:
        return "the server chose an extension not offered";
    case HandshakeError::bad_extension:
        return "the server's permessage-deflate cannot be accepted";
    }
    return "handshake error";
}

std::string accept_key(std::string_view key) {
    std::string text;
    text.reserve(key.size() + kGuid.size());
    text.append(key).append(kGuid);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    return base64(digest, sizeof digest);
}

std::string make_key() {
    unsigned char nonce[16];
    if (RAND_bytes(nonce, sizeof nonce) != 1)
        throw std::runtime_error("websocket: no random bytes for Sec-WebSocket-Key");
    return base64(nonce, sizeof nonce);
}

Result<UpgradeRequest, HandshakeError> check_upgrade_request(Method method, Version version,
                                                             const Fields& fields) {
    if (method != Method::get) return HandshakeError::not_get;
    if (version != Version::http11) return HandshakeError::not_http11;
    if (!fields_have_token(fields, "Upgrade", "websocket")) return HandshakeError::no_upgrade;
    if (!fields_have_token(fields, "Connection", "upgrade")) return HandshakeError::no_connection;
    // §4.4: a version we do not speak is answered with 426 and the one we do.
    if (fields.count("Sec-WebSocket-Version") != 1 || fields.get("Sec-WebSocket-Version") != "13")
        return HandshakeError::bad_version;
    const std::string_view key = fields.get("Sec-WebSocket-Key");
    if (fields.count("Sec-WebSocket-Key") != 1 || !is_valid_key(key))
        return HandshakeError::bad_key;
    for (std::string_view v : fields.values("Sec-WebSocket-Protocol"))
        for (std::string_view p : list_elements(v))
            if (!pier::detail::is_token(p)) return HandshakeError::bad_protocol_list;
    return UpgradeRequest{key};
}

std::string_view select_subprotocol(const Fields& request,
                                    std::span<const std::string_view> supported) {
    for (std::string_view wanted : supported)
        for (std::string_view v : request.values("Sec-WebSocket-Protocol"))
            for (std::string_view p : list_elements(v))
                if (p == wanted) return wanted;
    return {};
}

Result<UpgradeResponse, HandshakeError>
check_upgrade_response(int status, const Fields& fields, std::string_view key,
                       std::span<const std::string_view> protocols, const DeflateConfig* deflate) {
    if (status != 101) return HandshakeError::not_101;
    if (!fields_have_token(fields, "Upgrade", "websocket"))
        return HandshakeError::response_no_upgrade;
    if (!fields_have_token(fields, "Connection", "upgrade"))
        return HandshakeError::response_no_connection;
    if (fields.count("Sec-WebSocket-Accept") != 1 ||
        fields.get("Sec-WebSocket-Accept") != accept_key(key))
        return HandshakeError::bad_accept;
    UpgradeResponse r;
    // §4.1: a subprotocol that was not offered fails the connection; so does more than one.
    const std::size_t protocol_fields = fields.count("Sec-WebSocket-Protocol");
    if (protocol_fields > 1) return HandshakeError::unrequested_protocol;
    if (protocol_fields == 1) {
        const std::string_view chosen = fields.get("Sec-WebSocket-Protocol");
        const auto at = std::find(protocols.begin(), protocols.end(), chosen);
        if (at == protocols.end()) return HandshakeError::unrequested_protocol;
        r.protocol = *at;
    }
    // §4.1 and RFC 7692 §5: only what was offered, each once.
    for (std::string_view v : fields.values("Sec-WebSocket-Extensions")) {
        for (std::string_view element : list_elements(v)) {
            if (deflate == nullptr || r.deflate || !detail::names_deflate(element))
                return HandshakeError::unrequested_extension;
            r.deflate = detail::accept_deflate_answer(element, *deflate);
            if (!r.deflate) return HandshakeError::bad_extension;
        }
    }
    return r;
}

} // namespace pier::ws
