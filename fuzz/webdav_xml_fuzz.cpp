// WebDAV request bodies under libFuzzer. The first byte chooses the parser — odd: PROPPATCH,
// even: PROPFIND — and the rest is the body. Whatever is parsed must come out of the
// Multi-Status writer as well-formed XML; a value must stay well-formed wherever it is embedded
// (it is context-free) and be a fixed point: sent back in a PROPPATCH it parses to itself.
// Whatever the bytes, the escapers must turn them into well-formed text and attribute values.
#include "webdav/multistatus.hpp"
#include "webdav/xml_escape.hpp"
#include "webdav/xml_request.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace pier::webdav;

void require(bool ok) {
    if (!ok) std::abort();
}

void check_escapers(std::string_view raw) {
    std::string doc = "<a x=\"";
    append_escaped_attribute(doc, raw);
    doc += "\">";
    append_escaped_text(doc, raw);
    doc += "</a>";
    require(is_wellformed_xml(doc));
}

void check_propfind(std::string_view body) {
    std::string error;
    const auto find = parse_propfind(body, error);
    if (!find) {
        require(!error.empty());
        return;
    }
    require(find->props.size() <= kMaxRequestProperties);
    require(find->include.size() <= kMaxRequestProperties);
    require(find->kind == Propfind::Kind::prop || find->props.empty());
    require(find->kind == Propfind::Kind::allprop || find->include.empty());
    require(std::set<PropertyName>(find->props.begin(), find->props.end()).size() ==
            find->props.size());
    MultistatusWriter ms;
    ms.begin_response("/");
    ms.propstat(404, find->props);
    ms.propstat(200, find->include);
    ms.end_response();
    require(is_wellformed_xml(ms.str()));
}

void check_proppatch(std::string_view body) {
    std::string error;
    const auto updates = parse_proppatch(body, error);
    if (!updates) {
        require(!error.empty());
        return;
    }
    require(!updates->empty() && updates->size() <= kMaxRequestProperties);
    std::vector<Property> properties;
    for (const auto& u : *updates) {
        require(u.op == PropertyUpdate::Op::set || (u.value_xml.empty() && u.lang.empty()));
        properties.push_back({u.name, u.value_xml, u.lang});

        // Context-free: well-formed under a foreign default namespace and foreign prefixes.
        require(is_wellformed_xml("<ctx xmlns=\"urn:wrong\" xmlns:D=\"urn:wrong\" "
                                  "xmlns:ns1=\"urn:wrong\">" +
                                  u.value_xml + "</ctx>"));

        // A fixed point: the value sent back parses to the same value.
        if (u.op == PropertyUpdate::Op::set) {
            std::string again = "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>";
            append_property_element(again, {{"urn:again", "p"}, u.value_xml, u.lang});
            again += "</D:prop></D:set></D:propertyupdate>";
            std::string why;
            const auto reparsed = parse_proppatch(again, why);
            require(reparsed && reparsed->size() == 1);
            require((*reparsed)[0].value_xml == u.value_xml);
            require((*reparsed)[0].lang == u.lang);
        }
    }
    MultistatusWriter ms;
    ms.begin_response("/litmus/prop");
    ms.propstat(200, properties);
    ms.end_response();
    require(is_wellformed_xml(ms.str()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1)
        check_proppatch(body);
    else
        check_propfind(body);
    check_escapers(body);
    return 0;
}
