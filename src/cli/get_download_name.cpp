#include "cli/get_download_name.hpp"

#include "handlers/upload_name.hpp"

#include <pier/multipart.hpp>

namespace pier::cli {

std::string url_file_name(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const std::size_t scheme = url.find("://");
    if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    const std::size_t slash = url.find('/');
    if (slash == std::string_view::npos) return {};
    url.remove_prefix(slash);
    return std::string(url.substr(url.rfind('/') + 1));
}

std::optional<std::string> header_file_name(std::string_view content_disposition) {
    const auto disposition = parse_content_disposition(content_disposition);
    if (!disposition || !disposition->filename) return std::nullopt;
    // The same rules as an uploaded file's name (directories dropped, controls and broken
    // UTF-8 refused), a download being an upload the other way round; but a hidden name loses
    // its dots rather than being refused, as the server plainly meant that file.
    const auto base = handlers::safe_upload_name(*disposition->filename, true);
    if (!base) return std::nullopt;
    const std::size_t visible = base->find_first_not_of('.');
    if (visible == std::string::npos) return std::nullopt;
    return handlers::safe_upload_name(std::string_view(*base).substr(visible), false);
}

} // namespace pier::cli
