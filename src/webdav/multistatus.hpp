// 207 Multi-Status bodies (RFC 4918 §13, §14.16), written into one string as the handler
// walks the resources.
//
//     MultistatusWriter ms;
//     ms.begin_response("/dav/notes.txt");                // already percent-encoded
//     ms.propstat(200, found);                            // properties with their values
//     ms.propstat(404, missing);                          // names only
//     ms.end_response();
//     ms.response_status("/dav/locked/", 423);            // COPY/MOVE/DELETE on a member
//     send(207, "application/xml; charset=utf-8", ms.str());
//
// The document declares DAV: as prefix D on its root. A property in DAV: is written <D:name>,
// one in another namespace declares its own prefix, <ns1:name xmlns:ns1="…">, and one in no
// namespace is <name xmlns="">; a value (a context-free fragment, see property.hpp) goes
// inside verbatim. Everything else — hrefs, namespace names, xml:lang — is escaped, and
// bytes XML cannot carry become U+FFFD (xml_escape.hpp), so whatever a caller passes the
// document stays well-formed; only a property's local name, its value_xml and the `error`
// names (constants of the handler's) are trusted, and parse_proppatch and the dead-property
// store only ever hand out valid names and values.
//
// For a long listing the handler can send the body as it grows: take() returns what has been
// written so far and keeps writing into a fresh buffer.
#pragma once

#include "webdav/property.hpp"

#include <span>
#include <string>
#include <string_view>

namespace pier::webdav {

class MultistatusWriter {
  public:
    MultistatusWriter(); // writes the prolog and <D:multistatus xmlns:D="DAV:">

    void begin_response(std::string_view href);
    /// One <D:propstat>: the properties with `status` ("HTTP/1.1 404 Not Found"). `error`,
    /// when given, is the local name of a DAV: precondition put in <D:error>, such as
    /// "cannot-modify-protected-property" for a 403 on a live property (RFC 4918 §16).
    void propstat(int status, std::span<const Property> properties, std::string_view error = {});
    /// The same with names only: a propname answer, or the 404 / 403 / 424 lists.
    void propstat(int status, std::span<const PropertyName> names, std::string_view error = {});
    void end_response();

    /// A whole <D:response> with a status and no properties: a member a COPY, MOVE or DELETE
    /// failed on (RFC 4918 §9.6.1, §9.8.5), or a resource PROPFIND cannot describe.
    void response_status(std::string_view href, int status, std::string_view error = {});

    /// What has been written since the last take(), leaving the writer ready to go on.
    std::string take();
    /// Ends the document (once) and returns all of it that take() has not returned.
    const std::string& str();

  private:
    std::string out_;
    bool in_response_ = false;
    bool finished_ = false;
};

/// The property element as the writer writes it: <D:getetag>…</D:getetag>,
/// <ns1:foo xmlns:ns1="…" xml:lang="en">…</ns1:foo>, <foo xmlns=""/>.
void append_property_element(std::string& out, const Property& property);

/// "HTTP/1.1 424 Failed Dependency", the text of a <D:status>.
std::string status_line(int status);

} // namespace pier::webdav
