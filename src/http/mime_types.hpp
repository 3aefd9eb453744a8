// Content-Type from a file name: a built-in table of the common web types, extended by
// /etc/mime.types when the system has one. Text types carry charset=utf-8.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace pier {

class MimeTypes {
  public:
    /// The built-in table, plus `system_file` if it exists ("" to skip it).
    explicit MimeTypes(const std::string& system_file = "/etc/mime.types");
    /// The Content-Type for `file_name`; application/octet-stream when unknown.
    std::string_view lookup(std::string_view file_name) const;

  private:
    std::unordered_map<std::string, std::string> by_extension_; // lower-case, no dot
};

} // namespace pier
