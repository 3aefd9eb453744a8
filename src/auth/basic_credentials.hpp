// The credentials of an Authorization field in the Basic scheme (RFC 7617), read by `pier serve
// --auth`.
//
//     const auto c = pier::auth::parse_basic_authorization(req.fields().get("Authorization"));
//     if (!c || !known(c->user, c->password)) challenge(); // 401, WWW-Authenticate: Basic
//
// Accepted: "Basic" in any case, one or more spaces, a token68 that is strict base64 (RFC
// 4648 §4: its alphabet only, '=' only as the padding that makes the length a multiple of 4,
// unused bits zero — one spelling per value), then optional spaces or tabs. The decoded
// "user:password" splits at the first ':', so the password may contain ':' and the user-id
// may not. Refused (nullopt): any other scheme, a missing token, any other base64, no ':', a
// control character (0x00–0x1F, 0x7F) on either side, and more than 4 KiB decoded. Bytes
// above 0x7F pass through untouched: RFC 7617's charset="UTF-8" is what browsers send, and
// pier compares bytes without normalising them. The user-id may be empty.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace pier::auth {

struct BasicCredentials {
    std::string user;
    std::string password;
};

/// The longest "user:password" accepted, in decoded bytes.
inline constexpr std::size_t kMaxBasicCredentials = 4096;

std::optional<BasicCredentials> parse_basic_authorization(std::string_view field_value);

} // namespace pier::auth
