// What the WebDAV methods share, private to src/webdav/: the parts of the request they need,
// copied — a method with a body answers from read_body's end callback or the blocking pool,
// when the Request is gone — and the ways they answer.
#pragma once

#include "handlers/file_writes.hpp"

#include <pier/response.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace pier::webdav {

/// The largest XML body read (PROPFIND, PROPPATCH); beyond it 413. Real clients send a few
/// hundred bytes; the parser's own limits (xml_request.hpp) bound what a body can build.
inline constexpr std::size_t kMaxXmlBody = std::size_t{1} << 20;

struct Exchange {
    const handlers::WriteRules* rules = nullptr;
    std::string path;   // as received, percent-encoded
    std::string host;   // Request::host(): what a Destination must name
    std::string scheme; // "http" or "https"
    std::string depth;  // the Depth field; empty when absent
    std::string destination;
    std::string overwrite;
    std::string if_match;
    std::string if_none_match;
    std::string body;
};
using SharedExchange = std::shared_ptr<const Exchange>;

/// An error page with the fields every response carries.
void refuse(const Exchange& x, Response& res, int status, std::string_view message = {});
/// A bodiless answer (201, 204) with those fields.
void answer(const Exchange& x, Response& res, int status);
/// A 207 Multi-Status, or a <D:error> body with a precondition code (RFC 4918 §16).
void answer_xml(const Exchange& x, Response& res, int status, std::string body);
std::string error_body(std::string_view precondition);

/// If-Match and If-None-Match against what `target` is now (handlers::write_preconditions):
/// 0 to go on, or 412.
int check_preconditions(const Exchange& x, const handlers::WriteTarget& target);

/// The href of a resource in a Multi-Status: its decoded URL path percent-encoded, a
/// collection's with a trailing slash (RFC 4918 §8.3).
std::string href_of(std::string_view decoded, bool collection);

void serve_propfind(const SharedExchange& x, Response& res);
void serve_proppatch(const SharedExchange& x, Response& res);
void serve_copy_move(const SharedExchange& x, Response& res, bool move);

} // namespace pier::webdav
