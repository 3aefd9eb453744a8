// What an XML document means, independent of how it spells it: expat in namespace mode turns
// it into a canonical string of expanded names ({ns}local), attributes sorted, text joined.
// Two spellings with different prefixes or declarations give the same string exactly when a
// namespace-aware client would read the same thing.
#pragma once

#include "webdav/property.hpp"

#include <algorithm>
#include <expat.h>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pier::webdav::testing {

namespace detail {

inline std::string expanded(const XML_Char* raw) {
    std::string s(raw);
    const auto at = s.find('\x01');
    return at == std::string::npos ? "{}" + s : "{" + s.substr(0, at) + "}" + s.substr(at + 1);
}

struct Canonicaliser {
    std::string out;
    // The content of the `occurrence`-th element named `target` goes to `found` instead.
    std::optional<std::string> target;
    int occurrence = 0;
    int depth = 0;
    int capture_depth = -1; // depth of the element being captured
    std::optional<std::string> found;
    std::string capture;

    std::string& sink() { return capture_depth >= 0 ? capture : out; }

    static void XMLCALL start(void* user, const XML_Char* name, const XML_Char** atts) {
        auto& c = *static_cast<Canonicaliser*>(user);
        ++c.depth;
        const std::string n = expanded(name);
        if (c.capture_depth < 0 && c.target && n == *c.target && c.occurrence-- == 0) {
            c.capture_depth = c.depth;
            c.capture.clear();
            return;
        }
        std::vector<std::pair<std::string, std::string>> attributes;
        for (auto a = atts; *a; a += 2) attributes.emplace_back(expanded(a[0]), a[1]);
        std::sort(attributes.begin(), attributes.end());
        auto& s = c.sink();
        s += "<" + n;
        for (const auto& [k, v] : attributes) s += " " + k + "=\"" + v + "\"";
        s += ">";
    }
    static void XMLCALL end(void* user, const XML_Char* name) {
        auto& c = *static_cast<Canonicaliser*>(user);
        if (c.depth-- == c.capture_depth) {
            c.capture_depth = -1;
            c.found = std::move(c.capture);
            return;
        }
        c.sink() += "</" + expanded(name) + ">";
    }
    static void XMLCALL text(void* user, const XML_Char* s, int len) {
        auto& c = *static_cast<Canonicaliser*>(user);
        c.sink().append(s, static_cast<std::size_t>(len));
    }

    bool run(std::string_view doc) {
        XML_Parser p = XML_ParserCreateNS(nullptr, '\x01');
        XML_SetUserData(p, this);
        XML_SetElementHandler(p, start, end);
        XML_SetCharacterDataHandler(p, text);
        const bool ok =
            XML_Parse(p, doc.data(), static_cast<int>(doc.size()), XML_TRUE) == XML_STATUS_OK;
        XML_ParserFree(p);
        return ok;
    }
};

} // namespace detail

/// The whole document, canonical; nullopt when it is not well-formed.
inline std::optional<std::string> canonical(std::string_view doc) {
    detail::Canonicaliser c;
    if (!c.run(doc)) return std::nullopt;
    return c.out;
}

/// The canonical content (not the tags) of the `occurrence`-th element named `name`.
inline std::optional<std::string> canonical_content(std::string_view doc, const PropertyName& name,
                                                    int occurrence = 0) {
    detail::Canonicaliser c;
    c.target = "{" + name.ns + "}" + name.name;
    c.occurrence = occurrence;
    if (!c.run(doc)) return std::nullopt;
    return c.found;
}

/// A value as a client would see it: the fragment inside an element of a document whose
/// context binds the default namespace and a few prefixes to something else, so a fragment
/// that leaned on its surroundings would read differently.
inline std::optional<std::string> canonical_value(std::string_view value_xml) {
    const std::string doc = "<ctx:x xmlns:ctx=\"urn:context\" xmlns=\"urn:wrong-default\" "
                            "xmlns:D=\"urn:wrong-D\" xmlns:Z=\"urn:wrong-Z\">" +
                            std::string(value_xml) + "</ctx:x>";
    return canonical_content(doc, {"urn:context", "x"});
}

} // namespace pier::webdav::testing
