// Dead properties (RFC 4918 §4.1: stored and returned as given, never interpreted) kept in
// the extended attributes of the file or directory itself, so they go wherever it goes: a
// rename (MOVE) carries them, deleting the file deletes them, and no side database can fall
// out of step with the tree.
//
//     auto old = get_dead_property(path, name);              // for a PROPPATCH rollback
//     if (auto e = set_dead_property(path, {name, value_xml, lang}))
//         answer(status_for(*e), name);                      // 403 or 507 for that property
//
// One attribute per property, in the user namespace: "user.pier.dav.{ns}name" — the Clark
// notation of its name, readable with getfattr and decoded back by splitting at the last '}'
// (a local name cannot contain one). With the prefix that leaves 239 bytes for namespace and
// name together; a longer name cannot be stored (name_too_long). The attribute's value is
// value_xml as it is, or, when the property carries an xml:lang, 0x01 lang 0x01 value_xml:
// no XML text can hold the byte 0x01, so the two forms cannot be confused.
//
// What a read hands out is safe to embed: an attribute under the prefix whose name does not
// decode, or whose property element would not be well-formed XML (set by some other tool),
// is skipped by list and reported as `corrupt` by get. Values are stored as given: pass what
// parse_proppatch produced.
//
// Paths are used with the l*xattr calls, which act on a symbolic link itself, never on what it
// points to (and Linux refuses user attributes on links: `permission`). The caller passes
// paths it has confined to the served tree.
//
// A filesystem without user extended attributes (ENOTSUP) holds no dead properties: reads
// find none, writes fail with not_supported.
#pragma once

#include "webdav/property.hpp"

#include <pier/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::webdav {

enum class StoreError : std::uint8_t {
    not_found,       // no such property (get only; removing an absent one succeeds)
    no_such_file,    // ENOENT, ENOTDIR
    name_too_long,   // the attribute name would pass XATTR_NAME_MAX (255 bytes)
    value_too_large, // E2BIG, ERANGE: above the 64 KiB any Linux filesystem allows
    no_space,        // ENOSPC, EDQUOT; ext4 says ENOSPC too for a value its block cannot hold
    not_supported,   // ENOTSUP: the filesystem keeps no user extended attributes
    permission,      // EACCES, EPERM, EROFS
    corrupt,         // an attribute under our prefix that is not a well-formed property
    io,              // any other failure
};
std::string_view to_string(StoreError e) noexcept;

/// The status of one property in a PROPPATCH answer (RFC 4918 §9.2.1) when storing it failed:
///   507 Insufficient Storage — no_space, value_too_large: there was no room to record it;
///   403 Forbidden — not_supported, name_too_long, permission: this server will not keep this
///       property here, and trying again will not help;
///   404 — not_found, no_such_file; 500 — corrupt, io.
int status_for(StoreError e) noexcept;

Result<Property, StoreError> get_dead_property(const std::string& path, const PropertyName& name);
/// Creates or replaces.
std::optional<StoreError> set_dead_property(const std::string& path, const Property& property);
/// Removing a property that does not exist is not an error (RFC 4918 §14.23).
std::optional<StoreError> remove_dead_property(const std::string& path, const PropertyName& name);

/// Every dead property of `path` with its value (allprop), in no particular order.
Result<std::vector<Property>, StoreError> list_dead_properties(const std::string& path);
/// Only the names (propname).
Result<std::vector<PropertyName>, StoreError> list_dead_property_names(const std::string& path);

/// COPY copies dead properties (RFC 4918 §9.8.2): every one of `from` is set on `to`, those
/// `to` already has and `from` has not are kept — remove_dead_properties(to) first to replace
/// them all. Stops at the first failure, leaving the ones copied so far.
std::optional<StoreError> copy_dead_properties(const std::string& from, const std::string& to);
/// Removes every dead property of `path` (an overwritten COPY or MOVE destination).
std::optional<StoreError> remove_dead_properties(const std::string& path);

/// The attribute name for `name`, or nullopt when longer than XATTR_NAME_MAX.
std::optional<std::string> dead_property_attribute(const PropertyName& name);
/// The property an attribute name stands for; nullopt when it is not one of ours.
std::optional<PropertyName> parse_dead_property_attribute(std::string_view attribute);

} // namespace pier::webdav
