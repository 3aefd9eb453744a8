// What a handler fills in: status, fields and a body. The server adds Date, Server and the
// framing (Content-Length; for HEAD the same fields without the body), so a handler only
// says what the response is, not how it travels.
#pragma once

#include <pier/fields.hpp>
#include <pier/status.hpp>

#include <string>
#include <string_view>

namespace pier {

class Response {
  public:
    int status() const noexcept { return status_; }
    std::string_view reason() const noexcept { return reason_; }
    /// Sets the status; an empty reason means the registry's phrase.
    void set_status(int status, std::string_view reason = {}) {
        status_ = status;
        reason_.assign(reason);
    }
    void set_status(Status status) { set_status(static_cast<int>(status)); }

    Fields& fields() noexcept { return fields_; }
    const Fields& fields() const noexcept { return fields_; }
    /// Replaces a field (validated: throws std::invalid_argument on CR, LF, NUL…).
    void set_header(std::string_view name, std::string_view value) { fields_.set(name, value); }
    /// Adds a field, keeping earlier ones of the same name (Set-Cookie).
    void add_header(std::string_view name, std::string_view value) { fields_.add(name, value); }

    /// The body; `append` to build it up, or assign at once.
    std::string& body() noexcept { return body_; }
    const std::string& body() const noexcept { return body_; }
    void set_body(std::string body, std::string_view content_type = {}) {
        body_ = std::move(body);
        if (!content_type.empty()) set_header("Content-Type", content_type);
    }

    /// Asks the server to close the connection after this response.
    void close_connection() noexcept { close_ = true; }
    bool closes_connection() const noexcept { return close_; }

    /// Clears everything for reuse on the next request of the connection.
    void reset() {
        status_ = 200;
        reason_.clear();
        fields_.clear();
        body_.clear();
        close_ = false;
    }

  private:
    int status_ = 200;
    std::string reason_;
    Fields fields_;
    std::string body_;
    bool close_ = false;
};

} // namespace pier
