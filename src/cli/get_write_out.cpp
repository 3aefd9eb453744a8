#include "cli/get_write_out.hpp"

#include "http/char_class.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <functional>

namespace pier::cli {

namespace {

using pier::detail::lowercase;

std::uint64_t speed_download(const TransferInfo& info) {
    return info.time_total > 0 ? static_cast<std::uint64_t>(
                                     static_cast<double>(info.size_download) / info.time_total)
                               : 0;
}

std::string http_version(const TransferInfo& info) {
    return info.http_version == 0
               ? "0"
               : fmt::format("{}.{}", info.http_version / 10, info.http_version % 10);
}

std::string header_json(const TransferInfo& info) {
    // Names in the order of their first appearance, each with every value it had.
    std::vector<std::pair<std::string, std::vector<std::string_view>>> names;
    for (const auto& [name, value] : info.headers) {
        std::string key = lowercase(name);
        auto it =
            std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == key; });
        if (it == names.end()) it = names.insert(names.end(), {std::move(key), {}});
        it->second.push_back(value);
    }
    std::string out = "{";
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += ",\n";
        out += json_string(names[i].first) + ":[";
        for (std::size_t v = 0; v < names[i].second.size(); ++v) {
            if (v > 0) out += ',';
            out += json_string(names[i].second[v]);
        }
        out += ']';
    }
    return out + "\n}";
}

// One -w variable as %{name} prints it, and as %{json} does.
struct Value {
    std::string text;
    std::string json;
};

Value text(std::string s) {
    std::string quoted = json_string(s);
    return {std::move(s), std::move(quoted)};
}
// A text variable that may have no value: empty for %{name}, null in JSON.
Value text_or_null(std::string s, bool null) {
    return null ? Value{std::move(s), "null"} : text(std::move(s));
}
Value number(std::uint64_t n) {
    return {std::to_string(n), std::to_string(n)};
}
Value seconds(double s) {
    std::string t = fmt::format("{:.6f}", s);
    return {t, t};
}
Value status_code(int code) { // "000" when none, as curl prints it (but 0 in JSON)
    return {fmt::format("{:03}", code), std::to_string(code)};
}

// The variables %{json} lists, in curl's (alphabetical) order. header_json and json
// themselves are not among them, as in curl.
using Variable = std::pair<std::string_view, std::function<Value(const TransferInfo&)>>;
const std::vector<Variable>& variables() {
    static const std::vector<Variable> all = {
        {"content_type",
         [](const TransferInfo& i) {
             return text_or_null(i.content_type.value_or(""), !i.content_type);
         }},
        {"errormsg",
         [](const TransferInfo& i) { return text_or_null(i.errormsg, i.exit_code == 0); }},
        {"exitcode", [](const TransferInfo& i) { return number(i.exit_code); }},
        {"filename_effective",
         [](const TransferInfo& i) {
             return text_or_null(i.filename_effective, i.filename_effective.empty());
         }},
        {"http_code", [](const TransferInfo& i) { return status_code(i.http_code); }},
        {"http_version", [](const TransferInfo& i) { return text(http_version(i)); }},
        {"local_ip", [](const TransferInfo& i) { return text(i.local_ip); }},
        {"local_port", [](const TransferInfo& i) { return number(i.local_port); }},
        {"method", [](const TransferInfo& i) { return text(i.method); }},
        {"num_headers", [](const TransferInfo& i) { return number(i.headers.size()); }},
        {"num_redirects", [](const TransferInfo& i) { return number(i.num_redirects); }},
        {"referer",
         [](const TransferInfo& i) { return text_or_null(i.referer.value_or(""), !i.referer); }},
        {"remote_ip", [](const TransferInfo& i) { return text(i.remote_ip); }},
        {"remote_port", [](const TransferInfo& i) { return number(i.remote_port); }},
        {"response_code", [](const TransferInfo& i) { return status_code(i.http_code); }},
        {"scheme", [](const TransferInfo& i) { return text_or_null(i.scheme, i.scheme.empty()); }},
        {"size_download", [](const TransferInfo& i) { return number(i.size_download); }},
        {"size_header", [](const TransferInfo& i) { return number(i.size_header); }},
        {"speed_download", [](const TransferInfo& i) { return number(speed_download(i)); }},
        {"time_appconnect", [](const TransferInfo& i) { return seconds(i.time_appconnect); }},
        {"time_connect", [](const TransferInfo& i) { return seconds(i.time_connect); }},
        {"time_pretransfer", [](const TransferInfo& i) { return seconds(i.time_pretransfer); }},
        {"time_starttransfer", [](const TransferInfo& i) { return seconds(i.time_starttransfer); }},
        {"time_total", [](const TransferInfo& i) { return seconds(i.time_total); }},
        {"url", [](const TransferInfo& i) { return text(i.url); }},
        {"url_effective", [](const TransferInfo& i) { return text(i.url_effective); }},
        {"urlnum", [](const TransferInfo& i) { return number(i.urlnum); }},
    };
    return all;
}

std::string json(const TransferInfo& info) {
    std::string out = "{";
    for (const auto& [name, get] : variables()) {
        if (out.size() > 1) out += ',';
        out += json_string(name) + ':' + get(info).json;
    }
    return out + '}';
}

// The value of a field of a head's text, or nullopt; the request line is not a field.
std::optional<std::string> head_field(std::string_view head, std::string_view name) {
    std::size_t eol = head.find('\n');
    while (eol != std::string_view::npos) {
        head.remove_prefix(eol + 1);
        eol = head.find('\n');
        std::string_view line = head.substr(0, eol);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || lowercase(line.substr(0, colon)) != name) continue;
        line.remove_prefix(colon + 1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        return std::string(line);
    }
    return std::nullopt;
}

} // namespace

void describe_exchange(const client::Response& r, std::string_view request_head,
                       TransferInfo& info) {
    info.http_code = r.status();
    info.http_version = r.version();
    info.url_effective = r.url();
    info.num_redirects = r.redirects();
    info.scheme = info.url_effective.starts_with("https:") ? "HTTPS" : "HTTP";
    if (r.headers().contains(FieldId::content_type)) info.content_type = r.header("Content-Type");
    info.headers.clear();
    for (const Field& f : r.headers()) info.headers.emplace_back(f.name, f.value);
    info.method = std::string(request_head.substr(0, request_head.find(' ')));
    info.referer = head_field(request_head, "referer");
}

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
            else
                out += c;
        }
    }
    return out + '"';
}

std::string format_write_out(std::string_view format, const TransferInfo& info) {
    std::string out;
    for (std::size_t i = 0; i < format.size(); ++i) {
        const char c = format[i];
        if (c == '\\' && i + 1 < format.size()) {
            const char n = format[++i];
            out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
            continue;
        }
        if (c != '%' || i + 1 >= format.size()) {
            out += c;
            continue;
        }
        if (format[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        if (format[i + 1] != '{') {
            out += c;
            continue;
        }
        const std::size_t close = format.find('}', i);
        if (close == std::string_view::npos) {
            out += format.substr(i);
            break;
        }
        const std::string_view name = format.substr(i + 2, close - i - 2);
        i = close;
        if (name == "json") {
            out += json(info);
        } else if (name == "header_json") {
            out += header_json(info);
        } else {
            const auto& all = variables();
            const auto it = std::find_if(all.begin(), all.end(),
                                         [&](const Variable& v) { return v.first == name; });
            if (it != all.end())
                out += it->second(info).text;
            else
                out += "%{" + std::string(name) + "}"; // unknown: left as written
        }
    }
    return out;
}

} // namespace pier::cli
