// The HTML page for a directory without an index file: valid HTML5, names escaped, links
// percent-encoded, directories first, sortable by name, size or date through the query
// (?sort=size&order=desc, no JavaScript), readable on a phone and in dark mode.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pier::handlers {

struct DirectoryEntry {
    std::string name;
    bool is_directory = false;
    std::uint64_t size = 0;
    std::chrono::sys_seconds modified{};
};

/// Reads `directory`; false when it cannot be read. A symbolic link is listed as what it
/// points to, and only if `serves_link(path of the link)` says a request for it would be
/// served: a link out of the root, or to a hidden name, is left out rather than listed with
/// its target's size and date and then refused.
bool read_directory(const std::string& directory, bool show_hidden,
                    const std::function<bool(const std::string&)>& serves_link,
                    std::vector<DirectoryEntry>& out);

/// Sorts per the query (sort=name|size|date, order=asc|desc) and renders the page for the
/// URL path `display_path` (percent-decoded, ends with '/'); with `upload_form`, the page
/// ends with a form that uploads files to the directory (upload_form.hpp).
std::string render_listing(std::string_view display_path, std::vector<DirectoryEntry> entries,
                           std::string_view query, bool upload_form = false);

/// The same listing as JSON, for scripts:
/// {"path":"/sub/","entries":[{"name":"a.txt","type":"file","size":6,"modified":"…Z"}]}
std::string render_listing_json(std::string_view display_path, std::vector<DirectoryEntry> entries,
                                std::string_view query);

/// Appends `s` as a JSON string (RFC 8259); bytes that are not UTF-8 become U+FFFD.
void append_json_string(std::string& out, std::string_view s);

/// "1.5 KiB": sizes as people read them.
std::string human_size(std::uint64_t bytes);

} // namespace pier::handlers
