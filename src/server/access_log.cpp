#include "server/access_log.hpp"

#include <ctime>
#include <string>

namespace pier::server {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Python's log_date_time_string: local time, "25/Nov/2026 06:14:45".
std::string python_time(std::chrono::sys_seconds now) {
    const std::time_t t = now.time_since_epoch().count();
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d/%s/%04d %02d:%02d:%02d", tm.tm_mday, kMonths[tm.tm_mon],
                  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// Common Log Format: "[25/Nov/2026:06:14:45 +0000]".
std::string clf_time(std::chrono::sys_seconds now) {
    const std::time_t t = now.time_since_epoch().count();
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[48];
    const long off = tm.tm_gmtoff / 60;
    std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d %c%02ld%02ld", tm.tm_mday,
                  kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60, (off < 0 ? -off : off) % 60);
    return buf;
}

// Request lines and agents come from the client: no control byte reaches the terminal or the
// log file unescaped (log injection).
std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// The user field is one space-delimited token of the line: a user name with a space in it
// must not shift the fields after it.
std::string user_field(std::string_view user) {
    if (user.empty()) return "-";
    std::string out;
    for (const char c : printable(user)) {
        if (c == ' ')
            out += "\\x20";
        else
            out += c;
    }
    return out;
}

} // namespace

void log_access(std::FILE* out, AccessLogFormat format, std::chrono::sys_seconds now,
                const AccessRecord& r) {
    if (format == AccessLogFormat::off || out == nullptr) return;
    const std::string line = printable(r.request_line);
    const std::string bytes = r.body_bytes ? std::to_string(*r.body_bytes) : "-";
    const std::string host(r.host);
    const std::string user = user_field(r.user);
    if (format == AccessLogFormat::python) {
        std::fprintf(out, "%s - %s [%s] \"%s\" %d %s\n", host.c_str(), user.c_str(),
                     python_time(now).c_str(), line.c_str(), r.status, bytes.c_str());
    } else if (format == AccessLogFormat::common) {
        std::fprintf(out, "%s - %s [%s] \"%s\" %d %s\n", host.c_str(), user.c_str(),
                     clf_time(now).c_str(), line.c_str(), r.status, bytes.c_str());
    } else {
        std::fprintf(out, "%s - %s [%s] \"%s\" %d %s \"%s\" \"%s\"\n", host.c_str(), user.c_str(),
                     clf_time(now).c_str(), line.c_str(), r.status, bytes.c_str(),
                     printable(r.referer.empty() ? "-" : r.referer).c_str(),
                     printable(r.user_agent.empty() ? "-" : r.user_agent).c_str());
    }
}

void log_error(std::FILE* out, AccessLogFormat format, std::chrono::sys_seconds now,
               std::string_view host, int status, std::string_view message) {
    if (format == AccessLogFormat::off || out == nullptr) return;
    std::fprintf(out, "%s - - [%s] code %d, message %s\n", std::string(host).c_str(),
                 python_time(now).c_str(), status, printable(message).c_str());
}

} // namespace pier::server
