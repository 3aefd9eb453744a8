#include "server/error_page.hpp"

#include <pier/status.hpp>

namespace pier::server {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#x27;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

void fill_error(Response& response, int status, std::string_view message,
                std::string_view explain) {
    const StatusInfo& info = status_info(status);
    if (message.empty()) message = info.phrase;
    if (explain.empty()) explain = info.description;
    const std::string code = std::to_string(status);
    response.clear();
    response.set_status(status);
    // Python's DEFAULT_ERROR_MESSAGE, same structure and wording.
    std::string& b = response.body();
    b = "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
        "        <title>Error response</title>\n    </head>\n    <body>\n"
        "        <h1>Error response</h1>\n        <p>Error code: ";
    b += code;
    b += "</p>\n        <p>Message: ";
    b += html_escape(message);
    b += ".</p>\n        <p>Error code explanation: ";
    b += code;
    b += " - ";
    b += html_escape(explain);
    b += ".</p>\n    </body>\n</html>\n";
    response.set_header("Content-Type", "text/html;charset=utf-8");
}

} // namespace pier::server
