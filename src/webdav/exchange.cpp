#include "webdav/exchange.hpp"

#include <pier/uri.hpp>

namespace pier::webdav {
namespace {

void add_common_fields(const Exchange& x, Response& res) {
    if (x.rules->add_common_fields) x.rules->add_common_fields(res);
}

} // namespace

void refuse(const Exchange& x, Response& res, int status, std::string_view message) {
    handlers::refuse(*x.rules, res, status, message);
}

void answer(const Exchange& x, Response& res, int status) {
    res.set_status(status);
    add_common_fields(x, res);
}

void answer_xml(const Exchange& x, Response& res, int status, std::string body) {
    res.set_status(status);
    res.set_body(std::move(body), "application/xml; charset=utf-8");
    add_common_fields(x, res);
}

std::string error_body(std::string_view precondition) {
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:";
    out += precondition;
    out += "/></D:error>\n";
    return out;
}

int check_preconditions(const Exchange& x, const handlers::WriteTarget& t) {
    return handlers::write_preconditions(x.if_match, x.if_none_match, {}, t);
}

std::string href_of(std::string_view decoded, bool collection) {
    std::string href = percent_encode_path(decoded);
    if (collection && (href.empty() || href.back() != '/')) href += '/';
    return href;
}

} // namespace pier::webdav
