#include "http/mime_types.hpp"

#include "http/char_class.hpp"

#include <fstream>
#include <sstream>

namespace pier {
namespace {

using pier::detail::lowercase;

// The types browsers must get right to render a site; the rest come from /etc/mime.types.
constexpr std::pair<std::string_view, std::string_view> kBuiltIn[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/vnd.microsoft.icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"tar", "application/x-tar"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
};

} // namespace

MimeTypes::MimeTypes(const std::string& system_file) {
    if (!system_file.empty()) {
        // "type/subtype ext1 ext2 ..." per line, '#' comments.
        std::ifstream in(system_file);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream words(line);
            std::string type;
            std::string ext;
            if (!(words >> type)) continue;
            if (type.rfind("text/", 0) == 0) type += "; charset=utf-8";
            while (words >> ext) by_extension_.emplace(lowercase(ext), type);
        }
    }
    // The built-in table wins: it is what browsers need, whatever the system file says.
    for (const auto& [ext, type] : kBuiltIn) by_extension_[std::string(ext)] = type;
}

std::string_view MimeTypes::lookup(std::string_view file_name) const {
    const std::size_t dot = file_name.rfind('.');
    if (dot != std::string_view::npos && dot + 1 < file_name.size()) {
        const auto it = by_extension_.find(lowercase(file_name.substr(dot + 1)));
        if (it != by_extension_.end()) return it->second;
    }
    return "application/octet-stream";
}

} // namespace pier
