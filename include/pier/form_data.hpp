// Request bodies for HTML forms: multipart/form-data (RFC 7578) as browsers and curl -F send
// it, and application/x-www-form-urlencoded values as curl --data-urlencode writes them.
//
//     std::vector<pier::client::FormPart> parts;
//     parts.push_back(pier::client::FormPart::text("title", "holiday"));
//     parts.push_back(pier::client::FormPart::file("photo", "/tmp/beach.png"));
//     pier::client::EncodedForm form = pier::client::encode_form(std::move(parts));
//     pier::client::FetchOptions o;
//     o.method = "POST";
//     o.fields.add("Content-Type", form.content_type);
//     o.body_source = form.body; // Content-Length known; files streamed, never read whole
//
// The boundary is drawn from a CSPRNG and checked against every part's content before use
// (files by one reading pass, with memory bounded by the boundary's size), and drawn again if
// a part contains it. Names and file names are escaped in Content-Disposition as browsers and
// curl (7.81 on) escape them: '"' as %22, CR as %0D, LF as %0A.
#pragma once

#include <pier/body_source.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::client {

struct FormPart {
    std::string name;
    std::string value;                         // the content, unless `path` is set
    std::optional<std::filesystem::path> path; // the content read from this file, streamed
    std::optional<std::string> filename;       // Content-Disposition's filename parameter
    /// Content-Type; empty: none. When unset, a part with a filename gets one guessed from the
    /// extension (of the path for a file, else of the filename) with pier's media-type table,
    /// else application/octet-stream, and a part without a filename gets none (curl's rules).
    std::optional<std::string> content_type;

    /// A plain field: name=value, no filename, no type.
    static FormPart text(std::string name, std::string value);
    /// A file upload: its content streamed, its base name as the filename.
    static FormPart file(std::string name, std::filesystem::path path);
};

/// Fills `size` bytes with random ones; the default is OpenSSL's CSPRNG.
using RandomBytes = std::function<void(unsigned char* data, std::size_t size)>;

struct EncodedForm {
    std::string boundary;
    std::string content_type; // "multipart/form-data; boundary=..."
    BodySource body;          // its length is always known
};

/// The form's body. Sizes files now (the body sends exactly those many bytes; a file that
/// shrinks meanwhile fails the request with BodyReadError). Throws BodyReadError when a file
/// cannot be read, HTTPException if no boundary absent from the content could be drawn.
EncodedForm encode_form(std::vector<FormPart> parts, const RandomBytes& random = {});

/// `text` escaped as curl's --data-urlencode escapes it: letters, digits and "-._~" kept, a
/// space as '+', every other byte as %XX (upper-case hex).
std::string form_urlencode(std::string_view text);

/// The media type pier guesses for a file name, without parameters ("a.txt" → "text/plain");
/// application/octet-stream when unknown.
std::string guess_media_type(std::string_view file_name);

} // namespace pier::client
