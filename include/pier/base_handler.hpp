// A BaseHTTPRequestHandler-shaped adapter, so a Python http.server handler ports line by line:
//
//     class Hello : public pier::BaseHTTPRequestHandler {        // class
//     Hello(BaseHTTPRequestHandler):
//         void do_GET() override {                                //     def do_GET(self):
//             send_response(200);                                 // self.send_response(200)
//             send_header("Content-Type", "text/plain");          //
//             self.send_header("Content-Type", "text/plain") end_headers(); // self.end_headers()
//             write("hello\n");                                   // self.wfile.write(b"hello\n")
//         }
//     };
//     pier::Server server(config, pier::BaseHTTPRequestHandler::handler<Hello>());
//
// One handler object per request, as in Python. A method without a do_<METHOD> answers 501
// "Unsupported method", as Python does. The body is buffered and sent with Content-Length.
#pragma once

#include <pier/request.hpp>
#include <pier/response.hpp>
#include <pier/router.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace pier {

class BaseHTTPRequestHandler {
  public:
    virtual ~BaseHTTPRequestHandler() = default;

    /// A Handler that makes a fresh T for each request and calls its do_<METHOD>.
    template <class T>
    static Handler handler() {
        return [](const Request& request, Response& response) {
            T h;
            h.dispatch(request, response);
        };
    }

  protected:
    // What Python keeps as attributes.
    std::string_view command() const noexcept { return request_->method_name(); }
    std::string_view path() const noexcept { return request_->target(); }
    std::string_view request_version() const noexcept;
    const Fields& headers() const noexcept { return request_->fields(); }
    const std::string& client_address() const noexcept { return request_->remote_address(); }
    /// The request body (Python: self.rfile.read(int(self.headers['Content-Length']))).
    std::string_view rfile() const noexcept { return request_->body(); }
    const Request& request() const noexcept { return *request_; }

    // Building the answer, as Python's methods.
    void send_response(int code, std::string_view message = {});
    void send_header(std::string_view keyword, std::string_view value);
    void end_headers() noexcept { headers_ended_ = true; }
    /// self.wfile.write(data)
    void write(std::string_view data) { response_->body().append(data); }
    void send_error(int code, std::string_view message = {}, std::string_view explain = {});
    /// Python's log_message: one line on the server's log (stderr by default).
    virtual void log_message(std::string_view text);

    virtual void do_GET() { unsupported(); }
    virtual void do_HEAD();
    virtual void do_POST() { unsupported(); }
    virtual void do_PUT() { unsupported(); }
    virtual void do_DELETE() { unsupported(); }
    virtual void do_OPTIONS() { unsupported(); }
    virtual void do_PATCH() { unsupported(); }

  private:
    void dispatch(const Request& request, Response& response);
    void unsupported();

    const Request* request_ = nullptr;
    Response* response_ = nullptr;
    bool headers_ended_ = false;
};

} // namespace pier
