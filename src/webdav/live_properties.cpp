#include "webdav/live_properties.hpp"

#include "webdav/xml_escape.hpp"

#include <pier/date.hpp>
#include <pier/etag.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace pier::webdav {

bool is_live_property(const PropertyName& name) {
    return name.ns == kDavNamespace && std::find(kLiveProperties.begin(), kLiveProperties.end(),
                                                 name.name) != kLiveProperties.end();
}

bool is_protected_property(const PropertyName& name) {
    return is_live_property(name) && name.name != "displayname";
}

std::string format_rfc3339(std::chrono::sys_seconds t) {
    using namespace std::chrono;
    constexpr sys_seconds kFirst = sys_days(year(0) / January / 1);
    constexpr sys_seconds kLast =
        sys_days(year(9999) / December / 31) + hours(23) + minutes(59) + seconds(59);
    t = std::clamp(t, kFirst, kLast);
    const auto day = floor<days>(t);
    const year_month_day ymd(day);
    const hh_mm_ss hms(t - day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                  int(hms.minutes().count()), int(hms.seconds().count()));
    return buf;
}

std::optional<std::string> live_property_xml(std::string_view name, const struct stat& st,
                                             std::string_view display_name,
                                             std::string_view content_type) {
    const bool file = S_ISREG(st.st_mode);
    std::string out;
    if (name == "creationdate") {
        return format_rfc3339(std::chrono::sys_seconds(std::chrono::seconds(st.st_ctim.tv_sec)));
    }
    if (name == "displayname") {
        append_escaped_text(out, display_name);
        return out;
    }
    if (name == "getcontentlength") {
        if (!file) return std::nullopt;
        return std::to_string(st.st_size);
    }
    if (name == "getcontenttype") {
        if (!file || content_type.empty()) return std::nullopt;
        append_escaped_text(out, content_type);
        return out;
    }
    if (name == "getetag") {
        if (!file) return std::nullopt;
        // The very tag GET and HEAD send (handlers/static_files.cpp), so a client can put
        // what PROPFIND told it into If-Match.
        const std::int64_t mtime_ns =
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
        append_escaped_text(
            out, make_file_etag(static_cast<std::uint64_t>(st.st_size), mtime_ns, st.st_ino));
        return out;
    }
    if (name == "getlastmodified") {
        return format_http_date(std::chrono::sys_seconds(std::chrono::seconds(st.st_mtim.tv_sec)));
    }
    if (name == "resourcetype") {
        if (S_ISDIR(st.st_mode)) return std::string("<D:collection xmlns:D=\"DAV:\"/>");
        return std::string();
    }
    if (name == "lockdiscovery" || name == "supportedlock") return std::string();
    return std::nullopt;
}

} // namespace pier::webdav
