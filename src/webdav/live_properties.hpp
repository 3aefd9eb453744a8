// The live properties of a file or directory (RFC 4918 §15), computed from its stat, and
// which property names PROPPATCH must refuse.
//
//     for (auto name : pier::webdav::kLiveProperties)          // allprop, propname
//         if (auto v = live_property_xml(name, st, display, type)) found.push_back(...);
//
// Class 1 without locking: lockdiscovery and supportedlock exist and are empty.
// getcontentlength and getcontenttype exist for files only. getetag too: GET on a directory
// sends no ETag, and a getetag that no request could be conditional on would mislead.
// creationdate is approximated by st_ctime, the inode's last status change, which is the
// creation time only until the file's metadata first changes: struct stat has no birth time.
#pragma once

#include "webdav/property.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace pier::webdav {

/// Every live property pier computes, all in DAV:, in the order a listing gives them.
inline constexpr std::array<std::string_view, 9> kLiveProperties = {
    "creationdate",    "displayname",   "getcontentlength", "getcontenttype", "getetag",
    "getlastmodified", "lockdiscovery", "resourcetype",     "supportedlock",
};

/// A live property pier computes: {DAV:}one of kLiveProperties.
bool is_live_property(const PropertyName& name);

/// A property PROPPATCH may not set or remove: 403 with cannot-modify-protected-property
/// (RFC 4918 §9.2.1, §16). Every live property but displayname, which RFC 4918 §15.2 says
/// SHOULD NOT be protected: a client may store one as a dead property, and a PROPFIND then
/// answers with it instead of the computed file name.
bool is_protected_property(const PropertyName& name);

/// The value of live property `name` (a local name in DAV:) as a context-free fragment
/// (property.hpp), or nullopt when the resource has no such property — a directory's
/// getcontentlength, a name that is not live. `display_name` is the resource's last path
/// segment, decoded; `content_type` what GET would send (files only).
std::optional<std::string> live_property_xml(std::string_view name, const struct stat& st,
                                             std::string_view display_name,
                                             std::string_view content_type);

/// RFC 3339 date-time in UTC ("1997-12-01T17:42:21Z"), the format of creationdate (RFC 4918
/// §15.1). Years are clamped to 0000..9999.
std::string format_rfc3339(std::chrono::sys_seconds t);

} // namespace pier::webdav
