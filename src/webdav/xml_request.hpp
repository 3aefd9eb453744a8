// The XML bodies of PROPFIND and PROPPATCH (RFC 4918 §9.1, §9.2, §14), read with expat.
//
//     std::string why;
//     auto find = pier::webdav::parse_propfind(body, why);     // empty body: allprop
//     if (!find) return respond(400, why);
//     auto updates = pier::webdav::parse_proppatch(body, why);  // in document order
//     if (!updates) return respond(400, why);
//
// Either returns nullopt, with a short reason in `error`, for anything the server answers 400
// to: a body that is not well-formed namespace-aware XML (an undeclared prefix, or
// xmlns:p="" which XML Namespaces 1.0 forbids), the wrong root element, a propfind that says
// neither allprop, propname nor prop, a propertyupdate with no property in it.
//
// Unknown elements are ignored where RFC 4918 §17 says so (<propfind><foobar/><allprop/>
// is allprop). Safety: a DOCTYPE is refused outright, so no entity is ever declared, let alone
// expanded (billion laughs, external entities); elements may nest 64 deep and a body may name
// 1,000 properties. The caller bounds the body's size; the values built from it are bounded
// by a small multiple of that size (see parse_proppatch).
#pragma once

#include "webdav/property.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::webdav {

inline constexpr std::size_t kMaxXmlDepth = 64;
inline constexpr std::size_t kMaxRequestProperties = 1000;

struct Propfind {
    enum class Kind {
        allprop,  // every dead property and the live ones RFC 4918 defines, plus `include`
        propname, // names only
        prop,     // the properties in `props`
    } kind = Kind::allprop;
    std::vector<PropertyName> props;   // Kind::prop; duplicates removed, first order kept
    std::vector<PropertyName> include; // Kind::allprop: further properties asked for
};

std::optional<Propfind> parse_propfind(std::string_view body, std::string& error);

struct PropertyUpdate {
    enum class Op {
        set,
        remove,
    } op = Op::set;
    PropertyName name;
    std::string value_xml; // Op::set: the element's content, context-free (property.hpp)
    std::string lang;      // Op::set: xml:lang in scope on the property element
};

/// The instructions of a propertyupdate in document order: RFC 4918 §9.2 has them applied in
/// that order (remove x, set x → x is set). The same property may appear more than once.
///
/// A value keeps the namespace prefixes the client used. A prefix declared inside the value is
/// declared again where the client declared it; one declared outside it (on the property
/// element or an ancestor) is declared on each top-level element that uses it, and those extra
/// declarations may total 64 KiB plus four times the body's size — beyond that the body is
/// refused, so a value cannot be inflated without bound by many siblings repeating a long URI.
std::optional<std::vector<PropertyUpdate>> parse_proppatch(std::string_view body,
                                                           std::string& error);

/// Whether `document` is one well-formed, namespace-well-formed XML document without a
/// DOCTYPE — the test a client's parser will apply to what pier writes.
bool is_wellformed_xml(std::string_view document, std::string* error = nullptr);

} // namespace pier::webdav
