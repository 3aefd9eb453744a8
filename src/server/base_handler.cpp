#include "server/error_page.hpp"

#include <pier/base_handler.hpp>

#include <cstdio>

namespace pier {

std::string_view BaseHTTPRequestHandler::request_version() const noexcept {
    switch (request_->version()) {
    case Version::http09:
        return "HTTP/0.9";
    case Version::http10:
        return "HTTP/1.0";
    case Version::http11:
        return "HTTP/1.1";
    }
    return "HTTP/1.1";
}

void BaseHTTPRequestHandler::send_response(int code, std::string_view message) {
    response_->set_status(code, message);
}

void BaseHTTPRequestHandler::send_header(std::string_view keyword, std::string_view value) {
    // Python: "Connection: close" from the handler closes the connection after the response.
    if (keyword.size() == 10 && field_id(keyword) == FieldId::connection) {
        if (value == "close" || value == "Close") response_->close_connection();
        return;
    }
    response_->add_header(keyword, value);
}

void BaseHTTPRequestHandler::send_error(int code, std::string_view message,
                                        std::string_view explain) {
    log_message("code " + std::to_string(code) + ", message " +
                std::string(message.empty() ? reason_phrase(code) : message));
    server::fill_error(*response_, code, message, explain);
}

void BaseHTTPRequestHandler::log_message(std::string_view text) {
    std::fprintf(stderr, "%s - - %.*s\n", client_address().c_str(), static_cast<int>(text.size()),
                 text.data());
}

void BaseHTTPRequestHandler::do_HEAD() {
    // Python has no default do_HEAD; a missing one is 501 there too.
    unsupported();
}

void BaseHTTPRequestHandler::unsupported() {
    send_error(501, "Unsupported method ('" + std::string(command()) + "')");
}

void BaseHTTPRequestHandler::dispatch(const Request& request, Response& response) {
    request_ = &request;
    response_ = &response;
    switch (request.method()) {
    case Method::get:
        do_GET();
        break;
    case Method::head:
        do_HEAD();
        break;
    case Method::post:
        do_POST();
        break;
    case Method::put:
        do_PUT();
        break;
    case Method::delete_:
        do_DELETE();
        break;
    case Method::options:
        do_OPTIONS();
        break;
    case Method::patch:
        do_PATCH();
        break;
    default:
        unsupported();
        break;
    }
}

} // namespace pier
