// WebSocket vocabulary (RFC 6455) and the opening handshake, with permessage-deflate
// (RFC 7692): what a server or client built on pier needs to name frames, close codes and
// extension parameters, and to check either side of the upgrade.
//
//     // server, in a handler for GET /chat
//     auto up = pier::ws::check_upgrade_request(req.method(), req.version(), req.fields());
//     if (!up) { answer status_for(up.error()) — 426 also carries Sec-WebSocket-Version: 13 }
//     res.set_header("Sec-WebSocket-Accept", pier::ws::accept_key(up->key));
//     if (auto d = pier::ws::negotiate_deflate(req.fields(), config))
//         res.set_header("Sec-WebSocket-Extensions", pier::ws::to_field_value(*d));
//
// The frame codec itself (parsing, assembling, writing, compressing) is private to the
// library: src/ws/. Nothing here does I/O; field values are read through pier::Fields so a
// server's request head and a client's response head both fit.
#pragma once

#include <pier/fields.hpp>
#include <pier/method.hpp>
#include <pier/parser.hpp>
#include <pier/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pier::ws {

/// Frame opcodes (RFC 6455 §5.2); every other value is refused with 1002.
enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xa,
};

/// Close, ping and pong: at most 125 bytes of payload, never fragmented (RFC 6455 §5.5).
constexpr bool is_control(Opcode op) noexcept {
    return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

/// Which end of the connection this is. A server requires masked frames and never masks; a
/// client masks every frame and requires unmasked ones (RFC 6455 §5.1).
enum class Role : std::uint8_t {
    server,
    client,
};

/// Status codes of a Close frame (RFC 6455 §7.4.1). Plain integers: applications use their
/// own in 4000–4999.
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
/// Never sent: stands for "the Close frame had no code" and "no Close frame at all".
inline constexpr std::uint16_t no_status = 1005;
inline constexpr std::uint16_t abnormal = 1006;
inline constexpr std::uint16_t invalid_payload = 1007; // text that is not UTF-8, bad deflate
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t message_too_big = 1009;
inline constexpr std::uint16_t mandatory_extension = 1010;
inline constexpr std::uint16_t internal_error = 1011;
} // namespace close_code

/// Whether a Close frame may carry `code` (RFC 6455 §7.4): 1000–1003, 1007–1011 and
/// 3000–4999. 1004, 1005, 1006 and 1015 are reserved for reports that never reach the wire.
constexpr bool is_valid_close_code(std::uint16_t code) noexcept {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
           (code >= 3000 && code <= 4999);
}

/// Why the peer's bytes were refused: the code to send in our Close frame and a short reason
/// (static text, under the 123 bytes a Close frame leaves for it) to send with it.
struct Failure {
    std::uint16_t code = close_code::protocol_error;
    std::string_view reason;
};

// ---- permessage-deflate (RFC 7692) ----------------------------------------------------------

/// What one side is willing to agree to. Window bits are base-2 logarithms of the LZ77
/// window: a smaller window costs less memory per connection (2^bits bytes for inflating,
/// about twice that for deflating) and compresses less.
struct DeflateConfig {
    /// Bound on the window we compress with, 9..15. zlib cannot compress raw deflate with an
    /// 8-bit window; when the peer requires 8, the agreement stands and we send uncompressed
    /// messages (RFC 7692 §6 lets any message go uncompressed).
    int window_bits = 15;
    /// Bound asked of the peer's window (8..15), which is our inflater's memory; only asked
    /// of a client that offered client_max_window_bits, or by a client of any server.
    int peer_window_bits = 15;
    /// Reset our compressor after each message: no memory kept between messages, and less
    /// compression.
    bool no_context_takeover = false;
    /// Ask the peer to reset after each message.
    bool peer_no_context_takeover = false;
    /// zlib's compression level, 1..9.
    int level = 6;
};

/// permessage-deflate's parameters (RFC 7692 §7.1), as offered or as agreed.
struct DeflateParams {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    /// 8..15, or 0 when the parameter is absent (then 15 applies).
    std::uint8_t server_max_window_bits = 0;
    std::uint8_t client_max_window_bits = 0;
    /// client_max_window_bits without a value: in an offer only ("I can limit my window").
    bool client_max_window_bits_bare = false;

    int server_window() const noexcept {
        return server_max_window_bits != 0 ? server_max_window_bits : 15;
    }
    int client_window() const noexcept {
        return client_max_window_bits != 0 ? client_max_window_bits : 15;
    }
    bool operator==(const DeflateParams&) const = default;
};

/// The parameters of one extension element that names permessage-deflate
/// ("permessage-deflate; client_max_window_bits=10"), or nullopt if they are invalid: a
/// parameter RFC 7692 does not define, one given twice, a value out of 8..15 or where none
/// belongs. Quoted values ("10") are accepted as §7.1 asks.
std::optional<DeflateParams> parse_deflate_params(std::string_view element);

/// Server side: the first offer in the request's Sec-WebSocket-Extensions fields that is valid
/// and that `config` can accept, with the response's parameters chosen, or nullopt (answer
/// without the extension). Invalid offers are declined, not failed (RFC 7692 §5).
std::optional<DeflateParams> negotiate_deflate(const Fields& request, const DeflateConfig& config);

/// The Sec-WebSocket-Extensions value for agreed parameters, only the ones that differ from the
/// defaults: "permessage-deflate; server_no_context_takeover; client_max_window_bits=10".
std::string to_field_value(const DeflateParams& params);

/// Client side: the offer to send for `config` ("permessage-deflate; client_max_window_bits").
std::string deflate_offer(const DeflateConfig& config);

// ---- the opening handshake (RFC 6455 §4) ----------------------------------------------------

enum class HandshakeError : std::uint8_t {
    // a client's request, checked by a server
    not_get,           // 400: the method is not GET
    not_http11,        // 400: HTTP/1.0 or older cannot upgrade
    no_upgrade,        // 426: no "websocket" in Upgrade: not a WebSocket request at all
    no_connection,     // 400: Connection does not list "upgrade"
    bad_key,           // 400: Sec-WebSocket-Key missing, repeated, or not 16 bytes in base64
    bad_version,       // 426 with Sec-WebSocket-Version: 13: missing, repeated or not 13
    bad_protocol_list, // 400: Sec-WebSocket-Protocol has an element that is not a token
    // a server's response, checked by a client
    not_101,                // the server did not switch protocols
    response_no_upgrade,    // 101 without Upgrade: websocket
    response_no_connection, // 101 without Connection: upgrade
    bad_accept,             // Sec-WebSocket-Accept missing or not the one for our key
    unrequested_protocol,   // a subprotocol we did not offer, or more than one
    unrequested_extension,  // an extension we did not offer, or given twice
    bad_extension,          // permessage-deflate parameters we cannot accept
};

/// The status a server answers with when a request failed `e` (400 or 426); 0 for the
/// client-side errors.
int status_for(HandshakeError e) noexcept;
std::string_view to_string(HandshakeError e) noexcept;

/// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC's GUID)).
std::string accept_key(std::string_view key);

/// A fresh Sec-WebSocket-Key: 16 bytes from OpenSSL's CSPRNG, in base64.
std::string make_key();

struct UpgradeRequest {
    std::string_view key; // Sec-WebSocket-Key, a view into the request's fields
};

/// Checks a request against RFC 6455 §4.2.1. On bad_version the 426 answer must carry
/// "Sec-WebSocket-Version: 13" (§4.4); on no_upgrade, "Upgrade: websocket" (RFC 9110 §15.5.22).
Result<UpgradeRequest, HandshakeError> check_upgrade_request(Method method, Version version,
                                                             const Fields& fields);

/// The subprotocol to answer with: the first of `supported` (the server's order of preference)
/// that the request's Sec-WebSocket-Protocol fields offer, compared exactly (subprotocol names
/// are case-sensitive tokens); empty when none matches — then answer without the field.
std::string_view select_subprotocol(const Fields& request,
                                    std::span<const std::string_view> supported);

struct UpgradeResponse {
    std::string_view protocol;            // empty: none; else one of `protocols` (a view into it)
    std::optional<DeflateParams> deflate; // permessage-deflate, when the server accepted it
};

/// Client side: checks a server's answer to a request that sent `key`, offered `protocols` and,
/// when `deflate` is not null, offered permessage-deflate under that config (§4.2.2, RFC 7692 §5).
Result<UpgradeResponse, HandshakeError>
check_upgrade_response(int status, const Fields& fields, std::string_view key,
                       std::span<const std::string_view> protocols, const DeflateConfig* deflate);

} // namespace pier::ws
