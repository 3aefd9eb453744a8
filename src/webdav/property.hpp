// The vocabulary of WebDAV properties (RFC 4918 §4), shared by the request parser, the
// Multi-Status writer and the dead-property store.
//
// A property is named by an XML namespace and a local name, written {ns}name in comments and
// errors ("Clark notation"); the namespace may be empty (<foo xmlns=""/>). Its value is kept as
// `value_xml`, an XML fragment that is context-free:
//
//   - character data escaped (&amp; &lt; &gt;, and CR as &#13; so it survives a re-parse);
//   - elements with their attributes, every prefix they use declared inside the fragment, and
//     each top-level element declaring the default namespace it is in (xmlns="" included);
//   - nothing else: comments, processing instructions and the prolog are not part of a value.
//
// So a value can be embedded verbatim inside any element, whatever prefixes are in scope
// there, and still mean what the client sent. `lang` is the xml:lang in scope on the property
// element, which RFC 4918 §4.3 asks servers to keep; empty when there was none.
#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace pier::webdav {

/// The DAV: namespace of RFC 4918's own elements and live properties.
inline constexpr std::string_view kDavNamespace = "DAV:";

struct PropertyName {
    std::string ns; // namespace name; empty for a property in no namespace
    std::string name;

    friend bool operator==(const PropertyName&, const PropertyName&) = default;
    friend auto operator<=>(const PropertyName&, const PropertyName&) = default;
};

struct Property {
    PropertyName name;
    std::string value_xml; // see above; empty for an empty value (or a name-only answer)
    std::string lang;      // xml:lang of the property element; empty when none
};

/// {ns}name, for messages and logs.
inline std::string clark_name(const PropertyName& p) {
    return "{" + p.ns + "}" + p.name;
}

} // namespace pier::webdav
