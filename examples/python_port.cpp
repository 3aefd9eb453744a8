// A Python http.server handler, ported line by line. The Python original:
//
//     class Notes(BaseHTTPRequestHandler):
//         notes = []
//         def do_GET(self):
//             body = "\n".join(self.notes).encode() + b"\n"
//             self.send_response(200)
//             self.send_header("Content-Type", "text/plain; charset=utf-8")
//             self.send_header("Content-Length", str(len(body)))
//             self.end_headers()
//             self.wfile.write(body)
//         def do_POST(self):
//             length = int(self.headers.get("Content-Length", 0))
//             self.notes.append(self.rfile.read(length).decode())
//             self.send_response(201)
//             self.end_headers()
//
//     HTTPServer(("", 8000), Notes).serve_forever()
#include <pier/base_handler.hpp>
#include <pier/server.hpp>

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

namespace {

std::mutex g_lock; // Python's GIL made the shared list safe; here a mutex does
std::vector<std::string> g_notes;

class Notes : public pier::BaseHTTPRequestHandler {
    void do_GET() override {
        std::string body;
        {
            std::lock_guard lock(g_lock);
            for (const auto& n : g_notes) body += (body.empty() ? "" : "\n") + n;
        }
        body += "\n";
        send_response(200);
        send_header("Content-Type", "text/plain; charset=utf-8");
        send_header("Content-Length", std::to_string(body.size())); // pier sets it anyway
        end_headers();
        write(body);
    }
    void do_POST() override {
        std::lock_guard lock(g_lock);
        g_notes.emplace_back(rfile());
        send_response(201);
        end_headers();
    }
};

} // namespace

int main() {
    pier::ServerConfig config; // "" and 8000: every interface, like ("", 8000)
    pier::Server server(config, pier::BaseHTTPRequestHandler::handler<Notes>());
    std::string error;
    if (!server.listen(error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    server.run();
}
