#include "webdav/multistatus.hpp"

#include "webdav/xml_escape.hpp"

#include <pier/status.hpp>

#include <cassert>

namespace pier::webdav {
namespace {

void append_status(std::string& out, int status) {
    out += "<D:status>";
    out += status_line(status);
    out += "</D:status>";
}

void append_error(std::string& out, std::string_view error) {
    if (error.empty()) return;
    out += "<D:error><D:";
    out += error;
    out += "/></D:error>";
}

void append_href(std::string& out, std::string_view href) {
    out += "<D:href>";
    append_escaped_text(out, href);
    out += "</D:href>";
}

// <D:x>, <ns1:x xmlns:ns1="…"> or <x xmlns="">: every element declares the prefix it uses,
// so no two properties' prefixes can clash; self-closed when `empty`.
void append_start_tag(std::string& out, const PropertyName& name, std::string_view lang,
                      bool empty) {
    out += '<';
    if (name.ns == kDavNamespace) {
        out += "D:";
        out += name.name;
    } else if (name.ns.empty()) {
        out += name.name;
        out += " xmlns=\"\"";
    } else {
        out += "ns1:";
        out += name.name;
        out += " xmlns:ns1=\"";
        append_escaped_attribute(out, name.ns);
        out += '"';
    }
    if (!lang.empty()) {
        out += " xml:lang=\"";
        append_escaped_attribute(out, lang);
        out += '"';
    }
    out += empty ? "/>" : ">";
}

void append_end_tag(std::string& out, const PropertyName& name) {
    out += "</";
    if (name.ns == kDavNamespace)
        out += "D:";
    else if (!name.ns.empty())
        out += "ns1:";
    out += name.name;
    out += '>';
}

} // namespace

std::string status_line(int status) {
    std::string s = "HTTP/1.1 " + std::to_string(status) + " ";
    s += reason_phrase(status);
    return s;
}

void append_property_element(std::string& out, const Property& p) {
    append_start_tag(out, p.name, p.lang, p.value_xml.empty());
    if (p.value_xml.empty()) return;
    out += p.value_xml;
    append_end_tag(out, p.name);
}

MultistatusWriter::MultistatusWriter() {
    out_ = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n";
}

void MultistatusWriter::begin_response(std::string_view href) {
    assert(!in_response_ && !finished_);
    in_response_ = true;
    out_ += "<D:response>";
    append_href(out_, href);
}

void MultistatusWriter::propstat(int status, std::span<const Property> properties,
                                 std::string_view error) {
    assert(in_response_);
    out_ += "<D:propstat><D:prop>";
    for (const auto& p : properties) append_property_element(out_, p);
    out_ += "</D:prop>";
    append_status(out_, status);
    append_error(out_, error);
    out_ += "</D:propstat>";
}

void MultistatusWriter::propstat(int status, std::span<const PropertyName> names,
                                 std::string_view error) {
    assert(in_response_);
    out_ += "<D:propstat><D:prop>";
    for (const auto& n : names) append_start_tag(out_, n, {}, true);
    out_ += "</D:prop>";
    append_status(out_, status);
    append_error(out_, error);
    out_ += "</D:propstat>";
}

void MultistatusWriter::end_response() {
    assert(in_response_);
    in_response_ = false;
    out_ += "</D:response>\n";
}

void MultistatusWriter::response_status(std::string_view href, int status, std::string_view error) {
    assert(!in_response_ && !finished_);
    out_ += "<D:response>";
    append_href(out_, href);
    append_status(out_, status);
    append_error(out_, error);
    out_ += "</D:response>\n";
}

std::string MultistatusWriter::take() {
    std::string s = std::move(out_);
    out_.clear();
    return s;
}

const std::string& MultistatusWriter::str() {
    assert(!in_response_);
    if (!finished_) {
        finished_ = true;
        out_ += "</D:multistatus>\n";
    }
    return out_;
}

} // namespace pier::webdav
