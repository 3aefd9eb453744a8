#include "cgi/environment.hpp"

#include "http/char_class.hpp"
#include "server/semantics.hpp"

#include <pier/fields.hpp>

#include <cstdlib>
#include <map>

namespace pier::cgi {
namespace {

// Without a PATH of its own the server still gives scripts the usual one.
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

bool is_passed(std::string_view name, bool pass_authorization) {
    if (name.find('_') != std::string_view::npos) return false;
    if (detail::iequals(name, "Content-Type") || detail::iequals(name, "Content-Length") ||
        detail::iequals(name, "Proxy"))
        return false;
    if (detail::iequals(name, "Authorization") || detail::iequals(name, "Proxy-Authorization"))
        return pass_authorization;
    return true;
}

std::string meta_name(std::string_view field) {
    std::string name = "HTTP_";
    for (const char c : field)
        name += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    return name;
}

} // namespace

std::vector<std::string> environment(const Request& request, const ScriptTarget& target,
                                     std::optional<std::uint64_t> content_length,
                                     const EnvironmentOptions& options) {
    std::vector<std::string> env;
    const auto set = [&env](std::string_view name, std::string_view value) {
        std::string entry(name);
        entry += '=';
        entry += value;
        env.push_back(std::move(entry));
    };
    set("GATEWAY_INTERFACE", "CGI/1.1");
    set("SERVER_SOFTWARE", options.server_software);
    const std::string_view host = server::host_without_port(request.host());
    set("SERVER_NAME", host.empty() ? std::string_view("localhost") : host);
    set("SERVER_PORT", std::to_string(request.server_port()));
    set("SERVER_PROTOCOL", request.version() == Version::http10 ? "HTTP/1.0" : "HTTP/1.1");
    set("REQUEST_METHOD", request.method_name());
    set("REQUEST_URI", request.target());
    set("REQUEST_SCHEME", request.scheme());
    if (request.is_secure()) set("HTTPS", "on");
    set("SCRIPT_NAME", target.script_name);
    set("SCRIPT_FILENAME", target.script_filename);
    set("DOCUMENT_ROOT", target.document_root);
    set("PATH_INFO", target.path_info);
    if (!target.path_info.empty()) set("PATH_TRANSLATED", target.document_root + target.path_info);
    set("QUERY_STRING", request.query());
    set("REMOTE_ADDR", request.remote_address());
    set("REMOTE_PORT", std::to_string(request.remote_port()));
    // Only when the server itself checked who it is (RFC 3875 §4.1.1, §4.1.11): a script must
    // not take a client's word for it.
    if (const std::string_view user = request.remote_user(); !user.empty()) {
        const std::string_view authorization = request.header("Authorization");
        set("AUTH_TYPE", authorization.substr(0, authorization.find(' ')));
        set("REMOTE_USER", user);
    }
    if (const std::string_view type = request.header("Content-Type"); !type.empty())
        set("CONTENT_TYPE", type);
    if (content_length) set("CONTENT_LENGTH", std::to_string(*content_length));

    // One variable per field name, repeats joined in order.
    std::map<std::string, std::string> fields;
    for (const Field& f : request.fields()) {
        if (!is_passed(f.name, options.pass_authorization)) continue;
        std::string name = meta_name(f.name);
        auto [it, fresh] = fields.try_emplace(std::move(name));
        if (!fresh) it->second += detail::iequals(f.name, "Cookie") ? "; " : ", ";
        it->second += f.value;
    }
    for (const auto& [name, value] : fields) set(name, value);

    const char* path = std::getenv("PATH");
    set("PATH", path != nullptr ? path : kDefaultPath);
    for (const std::string& name : options.inherit)
        if (const char* value = std::getenv(name.c_str()); value != nullptr && name != "PATH")
            set(name, value);
    return env;
}

} // namespace pier::cgi
