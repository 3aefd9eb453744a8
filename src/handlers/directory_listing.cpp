#include "handlers/directory_listing.hpp"

#include "handlers/upload_file.hpp"
#include "handlers/upload_form.hpp"
#include "http/utf8.hpp"
#include "server/error_page.hpp"

#include <pier/uri.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

namespace pier::handlers {

using detail::utf8_sequence;

bool read_directory(const std::string& directory, bool show_hidden,
                    const std::function<bool(const std::string&)>& serves_link,
                    std::vector<DirectoryEntry>& out) {
    DIR* dir = opendir(directory.c_str());
    if (dir == nullptr) return false;
    const int dfd = dirfd(dir);
    while (const dirent* e = readdir(dir)) {
        const std::string_view name = e->d_name;
        if (name == "." || name == "..") continue;
        if (!show_hidden && name.front() == '.') continue;
        if (is_upload_temporary(name)) continue; // never listed, even with --hidden
        struct stat st {};
        bool is_link = e->d_type == DT_LNK;
        if (e->d_type == DT_UNKNOWN) // some file systems do not say: ask
            is_link = fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        if (is_link && !serves_link(directory + "/" + e->d_name)) continue;
        // stat, not lstat: a link is listed as what it points to (a dangling one is skipped).
        if (fstatat(dfd, e->d_name, &st, 0) != 0) continue;
        DirectoryEntry d;
        d.name = name;
        d.is_directory = S_ISDIR(st.st_mode);
        d.size = d.is_directory ? 0 : static_cast<std::uint64_t>(st.st_size);
        d.modified = std::chrono::sys_seconds(std::chrono::seconds(st.st_mtim.tv_sec));
        out.push_back(std::move(d));
    }
    closedir(dir);
    return true;
}

std::string human_size(std::uint64_t bytes) {
    if (bytes < 1024) return std::to_string(bytes) + " B";
    static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes);
    int unit = -1;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, value < 10 ? "%.1f %s" : "%.0f %s", value, kUnits[unit]);
    return buf;
}

namespace {

std::string iso_time(std::chrono::sys_seconds t) {
    const std::time_t tt = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

constexpr std::string_view kStyle = R"(<style>
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#656d76;--line:#d0d7de;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#8d96a0;--line:#30363d;--link:#4493f8}}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:1rem;max-width:60rem}
h1{font-size:1.25rem;word-break:break-all}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line)}
th a{color:var(--muted)}
td.n{word-break:break-all}
td.s,td.d{white-space:nowrap;color:var(--muted)}
td.s,th.s{text-align:right}
a{color:var(--link);text-decoration:none}
a:hover{text-decoration:underline}
@media (max-width:40rem){td.d,th.d{display:none}}
</style>)";

} // namespace

namespace {

struct Order {
    std::string_view sort = "name";
    bool descending = false;
};

// ?sort=name|size|date&order=asc|desc; directories always come first.
Order sort_entries(std::vector<DirectoryEntry>& entries, std::string_view query) {
    Order o;
    for (auto [key, value] : query_params(query)) {
        if (key == "sort" && (value == "name" || value == "size" || value == "date"))
            o.sort = value;
        if (key == "order") o.descending = value == "desc";
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [&](const DirectoryEntry& a, const DirectoryEntry& b) {
                         if (a.is_directory != b.is_directory) return a.is_directory;
                         int c = 0;
                         if (o.sort == "size")
                             c = a.size < b.size ? -1 : a.size > b.size;
                         else if (o.sort == "date")
                             c = a.modified < b.modified ? -1 : a.modified > b.modified;
                         if (c == 0) c = a.name.compare(b.name);
                         return o.descending ? c > 0 : c < 0;
                     });
    return o;
}

// The link to an entry, for the page and the JSON alike: relative and percent-encoded; "./"
// keeps a name with ':' from being read as a scheme.
std::string entry_href(const DirectoryEntry& e) {
    std::string href = "./" + percent_encode_component(e.name);
    if (e.is_directory) href += '/';
    return href;
}

// `s` with each byte that is not part of well-formed UTF-8 replaced by U+FFFD: a page served
// as charset=utf-8 must be UTF-8 whatever bytes a file name holds (Linux allows any).
std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    while (!s.empty()) {
        const std::size_t n = utf8_sequence(s);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            s.remove_prefix(1);
        } else {
            out.append(s.substr(0, n));
            s.remove_prefix(n);
        }
    }
    return out;
}

} // namespace

// A JSON string (RFC 8259), which must be UTF-8: a file name that is not (Linux allows any
// bytes) has each invalid byte replaced by U+FFFD; the entry's "href" still reaches the file.
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    while (!s.empty()) {
        const auto c = static_cast<unsigned char>(s.front());
        if (c == '"' || c == '\\') {
            out += '\\';
            out += s.front();
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else if (const std::size_t n = utf8_sequence(s); n > 1) {
            out.append(s.substr(0, n));
            s.remove_prefix(n - 1);
        } else if (n == 1) {
            out += s.front();
        } else {
            out += "\\ufffd";
        }
        s.remove_prefix(1);
    }
    out += '"';
}

std::string render_listing_json(std::string_view display_path, std::vector<DirectoryEntry> entries,
                                std::string_view query) {
    sort_entries(entries, query);
    std::string out = "{\"path\":";
    append_json_string(out, display_path);
    out += ",\"entries\":[";
    bool first = true;
    for (const DirectoryEntry& e : entries) {
        if (!first) out += ',';
        first = false;
        out += "{\"name\":";
        append_json_string(out, e.name);
        out += ",\"href\":";
        append_json_string(out, entry_href(e));
        out += e.is_directory ? ",\"type\":\"directory\"" : ",\"type\":\"file\"";
        out += ",\"size\":" + std::to_string(e.size);
        std::string when = iso_time(e.modified);
        when[10] = 'T';
        out += ",\"modified\":\"" + when + "Z\"}";
    }
    out += "]}\n";
    return out;
}

std::string render_listing(std::string_view display_path, std::vector<DirectoryEntry> entries,
                           std::string_view query, bool upload_form) {
    const Order order = sort_entries(entries, query);
    const std::string_view sort = order.sort;
    const bool descending = order.descending;
    const std::string title = server::html_escape(valid_utf8(display_path));
    auto header_link = [&](std::string_view key, std::string_view label) {
        const bool active = sort == key;
        const std::string order = active && !descending ? "desc" : "asc";
        std::string a = "<a href=\"?sort=" + std::string(key) + "&amp;order=" + order + "\">";
        a += label;
        if (active) a += descending ? " &#x25BE;" : " &#x25B4;";
        return a + "</a>";
    };
    std::string html;
    html.reserve(1024 + entries.size() * 160);
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
            "Directory listing for ";
    html += title;
    html += "</title>\n";
    html += kStyle;
    html += "\n</head>\n<body>\n<h1>Directory listing for ";
    html += title;
    html += "</h1>\n<table>\n<thead><tr><th>" + header_link("name", "Name") +
            "</th><th class=\"s\">" + header_link("size", "Size") + "</th><th class=\"d\">" +
            header_link("date", "Modified") + "</th></tr></thead>\n<tbody>\n";
    if (display_path != "/")
        html += "<tr><td class=\"n\"><a href=\"../\">../</a></td><td class=\"s\"></td><td "
                "class=\"d\"></td></tr>\n";
    for (const DirectoryEntry& e : entries) {
        const std::string shown =
            server::html_escape(valid_utf8(e.name)) + (e.is_directory ? "/" : "");
        html += "<tr><td class=\"n\"><a href=\"" + server::html_escape(entry_href(e)) + "\">" +
                shown + "</a></td><td class=\"s\">" +
                (e.is_directory ? std::string("&mdash;") : human_size(e.size)) +
                "</td><td class=\"d\">" + iso_time(e.modified) + "</td></tr>\n";
    }
    html += "</tbody>\n</table>\n";
    if (upload_form) html += upload_form_html();
    html += "</body>\n</html>\n";
    return html;
}

} // namespace pier::handlers
