// Text into XML: character data and attribute values escaped so that any bytes — a file name
// with controls or invalid UTF-8 included — become well-formed XML 1.0 that reads back as the
// same characters wherever the bytes were valid.
//
// XML 1.0 cannot carry C0 controls other than TAB, LF and CR, lone surrogates, U+FFFE or
// U+FFFF, not even as character references; those, and every byte that is not part of
// well-formed UTF-8, become U+FFFD. A server that wrote them raw would make the whole
// Multi-Status unreadable because of one odd file name.
#pragma once

#include <string>
#include <string_view>

namespace pier::webdav {

/// Character data: & < > escaped, CR as &#13; (a parser would turn a raw CR into LF).
void append_escaped_text(std::string& out, std::string_view text);

/// An attribute value inside double quotes: & < > " escaped, and TAB, LF, CR as character
/// references (attribute-value normalisation would turn them into spaces).
void append_escaped_attribute(std::string& out, std::string_view text);

} // namespace pier::webdav
