#include "webdav/dead_properties.hpp"

#include "webdav/multistatus.hpp"
#include "webdav/xml_request.hpp"

#include <cerrno>
#include <linux/limits.h>
#include <sys/xattr.h>

namespace pier::webdav {
namespace {

constexpr std::string_view kPrefix = "user.pier.dav.";
constexpr char kLangMark = '\x01';

StoreError from_errno(int e) {
    switch (e) {
    case ENODATA:
        return StoreError::not_found;
    case ENOENT:
    case ENOTDIR:
        return StoreError::no_such_file;
    case E2BIG:
    case ERANGE:
        return StoreError::value_too_large;
    case ENOSPC:
    case EDQUOT:
        return StoreError::no_space;
    case ENOTSUP:
        return StoreError::not_supported;
    case EACCES:
    case EPERM:
    case EROFS:
        return StoreError::permission;
    default:
        return StoreError::io;
    }
}

// Attribute names and values change between the call that sizes the buffer and the one that
// fills it when another request writes meanwhile: ERANGE then means "ask again", a few times.
constexpr int kAttempts = 8;

Result<std::string, StoreError> read_attribute(const std::string& path, const std::string& name) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const ssize_t size = lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
        if (size < 0) return from_errno(errno);
        std::string value(static_cast<std::size_t>(size), '\0');
        const ssize_t got = lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
        if (got >= 0) {
            value.resize(static_cast<std::size_t>(got));
            return value;
        }
        if (errno != ERANGE) return from_errno(errno);
    }
    return StoreError::io;
}

// The names of our attributes on `path`, as stored.
Result<std::vector<std::string>, StoreError> our_attributes(const std::string& path) {
    std::string names;
    for (int attempt = 0;; ++attempt) {
        if (attempt == kAttempts) return StoreError::io;
        const ssize_t size = llistxattr(path.c_str(), nullptr, 0);
        if (size < 0) return from_errno(errno);
        names.resize(static_cast<std::size_t>(size));
        const ssize_t got = llistxattr(path.c_str(), names.data(), names.size());
        if (got >= 0) {
            names.resize(static_cast<std::size_t>(got));
            break;
        }
        if (errno != ERANGE) return from_errno(errno);
    }
    std::vector<std::string> ours;
    std::size_t at = 0;
    while (at < names.size()) {
        std::size_t end = names.find('\0', at);
        if (end == std::string::npos) end = names.size();
        const std::string_view name(names.data() + at, end - at);
        if (name.starts_with(kPrefix)) ours.emplace_back(name);
        at = end + 1;
    }
    return ours;
}

// The stored value of `attribute` as a property, or corrupt when it would not embed.
Result<Property, StoreError> decode(const PropertyName& name, std::string stored) {
    Property p;
    p.name = name;
    p.value_xml = std::move(stored);
    if (p.value_xml.starts_with(kLangMark)) {
        const std::size_t end = p.value_xml.find(kLangMark, 1);
        if (end == std::string::npos) return StoreError::corrupt;
        p.lang = p.value_xml.substr(1, end - 1);
        p.value_xml.erase(0, end + 1);
    }
    // Parse the element exactly as a Multi-Status will carry it, where D is bound to DAV:.
    std::string element = "<D:prop xmlns:D=\"DAV:\">";
    append_property_element(element, p);
    element += "</D:prop>";
    if (!is_wellformed_xml(element)) return StoreError::corrupt;
    return p;
}

} // namespace

std::string_view to_string(StoreError e) noexcept {
    switch (e) {
    case StoreError::not_found:
        return "no such property";
    case StoreError::no_such_file:
        return "no such file or directory";
    case StoreError::name_too_long:
        return "property name too long to store";
    case StoreError::value_too_large:
        return "property value too large to store";
    case StoreError::no_space:
        return "no space to store the property";
    case StoreError::not_supported:
        return "the filesystem does not support extended attributes";
    case StoreError::permission:
        return "not permitted to change properties";
    case StoreError::corrupt:
        return "stored property is not well-formed";
    case StoreError::io:
        return "extended attribute I/O error";
    }
    return "unknown property store error";
}

int status_for(StoreError e) noexcept {
    switch (e) {
    case StoreError::no_space:
    case StoreError::value_too_large:
        return 507;
    case StoreError::not_supported:
    case StoreError::name_too_long:
    case StoreError::permission:
        return 403;
    case StoreError::not_found:
    case StoreError::no_such_file:
        return 404;
    case StoreError::corrupt:
    case StoreError::io:
        return 500;
    }
    return 500;
}

std::optional<std::string> dead_property_attribute(const PropertyName& name) {
    std::string attribute;
    attribute.reserve(kPrefix.size() + name.ns.size() + name.name.size() + 2);
    attribute += kPrefix;
    attribute += '{';
    attribute += name.ns;
    attribute += '}';
    attribute += name.name;
    if (attribute.size() > XATTR_NAME_MAX) return std::nullopt;
    return attribute;
}

std::optional<PropertyName> parse_dead_property_attribute(std::string_view attribute) {
    if (!attribute.starts_with(kPrefix)) return std::nullopt;
    attribute.remove_prefix(kPrefix.size());
    const std::size_t close = attribute.rfind('}');
    if (attribute.empty() || attribute.front() != '{' || close == std::string_view::npos ||
        close + 1 == attribute.size()) {
        return std::nullopt;
    }
    return PropertyName{std::string(attribute.substr(1, close - 1)),
                        std::string(attribute.substr(close + 1))};
}

Result<Property, StoreError> get_dead_property(const std::string& path, const PropertyName& name) {
    const auto attribute = dead_property_attribute(name);
    if (!attribute) return StoreError::not_found; // could never have been stored
    auto stored = read_attribute(path, *attribute);
    if (!stored) {
        if (stored.error() == StoreError::not_supported) return StoreError::not_found;
        return stored.error();
    }
    return decode(name, std::move(*stored));
}

std::optional<StoreError> set_dead_property(const std::string& path, const Property& property) {
    const auto attribute = dead_property_attribute(property.name);
    if (!attribute) return StoreError::name_too_long;
    std::string stored;
    if (!property.lang.empty()) {
        stored.reserve(property.lang.size() + property.value_xml.size() + 2);
        stored += kLangMark;
        stored += property.lang;
        stored += kLangMark;
    }
    stored += property.value_xml;
    if (lsetxattr(path.c_str(), attribute->c_str(), stored.data(), stored.size(), 0) != 0) {
        return from_errno(errno);
    }
    return std::nullopt;
}

std::optional<StoreError> remove_dead_property(const std::string& path, const PropertyName& name) {
    const auto attribute = dead_property_attribute(name);
    if (!attribute) return std::nullopt; // never stored
    if (lremovexattr(path.c_str(), attribute->c_str()) == 0) return std::nullopt;
    const StoreError e = from_errno(errno);
    if (e == StoreError::not_found) return std::nullopt;
    return e;
}

Result<std::vector<PropertyName>, StoreError> list_dead_property_names(const std::string& path) {
    auto attributes = our_attributes(path);
    if (!attributes) {
        if (attributes.error() == StoreError::not_supported) return std::vector<PropertyName>{};
        return attributes.error();
    }
    std::vector<PropertyName> names;
    for (const auto& a : *attributes) {
        auto name = parse_dead_property_attribute(a);
        if (!name) continue;
        // Checked like a value would be, so propname never lists a name PROPFIND cannot
        // write out.
        if (!decode(*name, {})) continue;
        names.push_back(std::move(*name));
    }
    return names;
}

Result<std::vector<Property>, StoreError> list_dead_properties(const std::string& path) {
    auto attributes = our_attributes(path);
    if (!attributes) {
        if (attributes.error() == StoreError::not_supported) return std::vector<Property>{};
        return attributes.error();
    }
    std::vector<Property> properties;
    for (const auto& a : *attributes) {
        const auto name = parse_dead_property_attribute(a);
        if (!name) continue;
        auto stored = read_attribute(path, a);
        if (!stored) {
            if (stored.error() == StoreError::not_found) continue; // removed meanwhile
            return stored.error();
        }
        auto property = decode(*name, std::move(*stored));
        if (property) properties.push_back(std::move(*property));
    }
    return properties;
}

std::optional<StoreError> copy_dead_properties(const std::string& from, const std::string& to) {
    auto attributes = our_attributes(from);
    if (!attributes) {
        if (attributes.error() == StoreError::not_supported) return std::nullopt; // none
        return attributes.error();
    }
    for (const auto& a : *attributes) {
        auto stored = read_attribute(from, a);
        if (!stored) {
            if (stored.error() == StoreError::not_found) continue;
            return stored.error();
        }
        if (lsetxattr(to.c_str(), a.c_str(), stored->data(), stored->size(), 0) != 0) {
            return from_errno(errno);
        }
    }
    return std::nullopt;
}

std::optional<StoreError> remove_dead_properties(const std::string& path) {
    auto attributes = our_attributes(path);
    if (!attributes) {
        if (attributes.error() == StoreError::not_supported) return std::nullopt;
        return attributes.error();
    }
    for (const auto& a : *attributes) {
        if (lremovexattr(path.c_str(), a.c_str()) != 0 && errno != ENODATA) {
            return from_errno(errno);
        }
    }
    return std::nullopt;
}

} // namespace pier::webdav
