// `pier get`'s request bodies: curl's data, form and upload flags turned into FetchOptions.
#include "cli/get_body.hpp"

#include <pier/form_data.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace pier::cli {

void add_body_options(CLI::App& get, BodyArgs& args) {
    using Kind = BodyArgs::DataKind;
    // Each occurrence is recorded as it is parsed, so pieces of different flags keep the
    // command line's order, as curl joins them.
    auto data = [&](const char* names, Kind kind, const char* help) {
        get.add_option_function<std::string>(
               names,
               [&args, kind](const std::string& v) {
                   args.data.push_back({kind, v});
               },
               help)
            ->trigger_on_parse()
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
            ->allow_extra_args(false);
    };
    data("-d,--data,--data-ascii", Kind::data,
         "POST data (form-encoded); @file reads a file without its newlines");
    data("--data-binary", Kind::binary, "POST data as is; @file reads a file");
    data("--data-raw", Kind::raw, "POST data as is; a leading @ is data too");
    data("--data-urlencode", Kind::urlencode,
         "POST data URL-encoded: 'content', '=content', 'name=content', '@file', 'name@file'");
    data("--json", Kind::json, "POST JSON data (sets Content-Type and Accept)");
    auto form = [&](const char* names, bool literal, const char* help) {
        get.add_option_function<std::string>(
               names,
               [&args, literal](const std::string& v) {
                   args.forms.push_back({literal, v});
               },
               help)
            ->trigger_on_parse()
            ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
            ->allow_extra_args(false);
    };
    form("-F,--form", false,
         "multipart/form-data POST part: name=value, name=@file (an upload), name=<file (its "
         "content as the value); ;type=TYPE and ;filename=NAME may follow");
    form("--form-string", true, "A form part name=value, the value taken literally");
    get.add_option("-T,--upload-file", args.uploads,
                   "PUT FILE (- for stdin, sent chunked); one per URL, in order; a URL ending "
                   "in / gets the file's name")
        ->allow_extra_args(false);
    get.add_flag("-G,--get", args.get, "Send the -d data in the URL's query, with GET");
    get.add_option("--expect100-timeout", args.expect100_timeout,
                   "Seconds to wait for 100 Continue after Expect: 100-continue (sent with "
                   "bodies of 1 MiB or more, or of unknown size; -H 'Expect:' sends none)")
        ->capture_default_str();
}

std::optional<Failure> body_conflict(const BodyArgs& args, bool head) {
    const bool data = !args.data.empty();
    const bool form = !args.forms.empty();
    const bool upload = !args.uploads.empty();
    auto both = [](const char* a, const char* b) {
        return Failure{2, fmt::format("{} and {} exclude each other: one request, one method "
                                      "and one body",
                                      a, b)};
    };
    if (form && data) return both("-F (a multipart POST)", "-d (a POST of data)");
    if (upload && data) return both("-T (a PUT)", "-d (a POST of data)");
    if (upload && form) return both("-T (a PUT)", "-F (a multipart POST)");
    if (args.get && form) return both("-G (a GET)", "-F (a multipart POST)");
    if (args.get && upload) return both("-G (a GET)", "-T (a PUT)");
    if (head && ((data && !args.get) || form || upload))
        return Failure{2, "-I (HEAD) and a request body (-d, --data-*, --json, -F, -T) exclude "
                          "each other"};
    return std::nullopt;
}

namespace {

std::string read_stdin() {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
}

// A data or form file's whole content ("-": stdin); 26 when it cannot be read.
std::string read_file(const std::string& path, const char* flag) {
    if (path == "-") return read_stdin();
    std::ifstream in(path, std::ios::binary);
    std::string content;
    if (in) content.assign(std::istreambuf_iterator<char>(in), {});
    if (!in || in.bad())
        throw Failure{26, fmt::format("{}: cannot read {}: {}", flag, path, std::strerror(errno))};
    return content;
}

std::string data_piece(const BodyArgs::Data& d) {
    using Kind = BodyArgs::DataKind;
    const std::string& v = d.value;
    switch (d.kind) {
    case Kind::raw:
        return v;
    case Kind::data:
    case Kind::binary:
    case Kind::json: {
        if (v.empty() || v.front() != '@') return v;
        std::string content = read_file(v.substr(1), "-d");
        if (d.kind == Kind::data)
            std::erase_if(content, [](char c) { return c == '\r' || c == '\n'; });
        return content;
    }
    case Kind::urlencode:
        break;
    }
    // curl's five forms: the first '=' splits name and content ("=content" has no name); with
    // no '=', the first '@' splits name and file; with neither, it is all content.
    std::size_t split = v.find('=');
    if (split == std::string::npos) split = v.find('@');
    if (split == std::string::npos) return client::form_urlencode(v);
    const std::string name = v.substr(0, split);
    const std::string content =
        v[split] == '@' ? read_file(v.substr(split + 1), "--data-urlencode") : v.substr(split + 1);
    return name.empty() ? client::form_urlencode(content)
                        : name + "=" + client::form_urlencode(content);
}

std::string joined_data(const BodyArgs& args) {
    std::string body;
    bool first = true;
    for (const BodyArgs::Data& d : args.data) {
        // --json pieces join as they are (one JSON text split over flags); others with '&'.
        if (!first && d.kind != BodyArgs::DataKind::json) body += '&';
        body += data_piece(d);
        first = false;
    }
    return body;
}

// ---- -F: curl's syntax, parsed as curl's tool_formparse.c does ------------------------------

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

class FormSpec {
  public:
    explicit FormSpec(std::string_view text, bool quiet) : s_(text), quiet_(quiet) {}

    // The content and its parameters: "data;type=T;filename=F". A word in double quotes may
    // hold ';' (with \" and \\ escaped); an unquoted one loses its trailing spaces.
    void parse() {
        skip_spaces();
        data_ = word();
        while (at(';')) {
            ++i_;
            skip_spaces();
            if (!in_type_ && starts("type=")) {
                i_ += 5;
                skip_spaces();
                type_begin_ = i_;
                while (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) != 0 ||
                                          s_[i_] == '/' || s_[i_] == '-'))
                    ++i_;
                type_end_ = i_;
                in_type_ = true;
            } else if (starts("filename=")) {
                in_type_ = false;
                i_ += 9;
                skip_spaces();
                filename_ = word();
            } else if (in_type_) {
                // "type=text/plain;charset=utf-8": what follows belongs to the type.
                for (; i_ < s_.size() && s_[i_] != ';'; ++i_)
                    if (!is_space(s_[i_])) type_end_ = i_ + 1;
            } else {
                const std::string unknown = word();
                if (!unknown.empty()) warn("skip unknown form field: " + unknown);
            }
        }
    }
    const std::string& data() const { return data_; }
    std::optional<std::string> type() const {
        if (!type_begin_) return std::nullopt;
        return std::string(s_.substr(*type_begin_, type_end_ - *type_begin_));
    }
    const std::optional<std::string>& filename() const { return filename_; }
    void warn(const std::string& text) const {
        if (!quiet_) fmt::print(stderr, "pier: Warning: {}\n", text);
    }

  private:
    bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
    bool starts(std::string_view p) const {
        if (s_.size() - i_ < p.size()) return false;
        for (std::size_t k = 0; k < p.size(); ++k)
            if (std::tolower(static_cast<unsigned char>(s_[i_ + k])) != p[k]) return false;
        return true;
    }
    void skip_spaces() {
        while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    }
    std::string word() {
        if (at('"')) {
            std::string out;
            for (std::size_t k = i_ + 1; k < s_.size(); ++k) {
                if (s_[k] == '\\' && k + 1 < s_.size() && (s_[k + 1] == '\\' || s_[k + 1] == '"')) {
                    out += s_[++k];
                } else if (s_[k] == '"') {
                    i_ = k + 1;
                    bool trailing = false;
                    for (; i_ < s_.size() && s_[i_] != ';'; ++i_) trailing |= !is_space(s_[i_]);
                    if (trailing) warn("trailing data after a quoted form parameter");
                    return out;
                } else {
                    out += s_[k];
                }
            }
            // No closing quote: the word is taken as unquoted, quote and all.
        }
        const std::size_t begin = i_;
        while (i_ < s_.size() && s_[i_] != ';') ++i_;
        std::size_t end = i_;
        while (end > begin && is_space(s_[end - 1])) --end;
        return std::string(s_.substr(begin, end - begin));
    }

    std::string_view s_;
    bool quiet_;
    std::size_t i_ = 0;
    std::string data_;
    std::optional<std::size_t> type_begin_;
    std::size_t type_end_ = 0;
    bool in_type_ = false;
    std::optional<std::string> filename_;
};

client::FormPart form_part(const BodyArgs::Form& f, bool quiet) {
    const std::size_t eq = f.value.find('=');
    if (eq == std::string::npos)
        throw Failure{2,
                      "-F wants 'name=content' (or name=@file, name=<file), not '" + f.value + "'"};
    std::string name = f.value.substr(0, eq);
    std::string_view content = std::string_view(f.value).substr(eq + 1);
    if (f.literal) return client::FormPart::text(std::move(name), std::string(content));
    const char kind = content.empty() ? '\0' : content.front();
    if (kind == '@' || kind == '<') content.remove_prefix(1);
    FormSpec spec(content, quiet);
    spec.parse();
    client::FormPart part;
    if (kind == '@' && spec.data() == "-") {
        // stdin is read whole first, as curl does: the form's length must be known.
        part = client::FormPart::text(std::move(name), read_stdin());
        part.filename = "-";
        part.content_type = "";
    } else if (kind == '@') {
        part = client::FormPart::file(std::move(name), spec.data());
    } else if (kind == '<') {
        part.name = std::move(name);
        if (spec.data() == "-")
            part.value = read_stdin();
        else
            part.path = spec.data();
        if (spec.filename()) spec.warn("a file name is not allowed with <: " + *spec.filename());
    } else {
        part = client::FormPart::text(std::move(name), spec.data());
    }
    if (spec.filename() && kind != '<') part.filename = spec.filename();
    if (spec.type()) part.content_type = spec.type();
    return part;
}

// ---- -T ------------------------------------------------------------------------------------

// curl_easy_escape's set: letters, digits and "-._~" stay.
std::string escape_file_name(std::string_view name) {
    std::string out;
    for (const char c : client::form_urlencode(name)) {
        if (c == '+')
            out += "%20"; // form_urlencode's space; a real '+' came out as %2B
        else
            out += c;
    }
    return out;
}

// curl's rule: a URL whose path is empty or ends in '/' names a directory, and the uploaded
// file's base name goes after it.
std::string with_file_name(const std::string& url, const std::string& file) {
    const std::size_t scheme = url.find("://");
    const std::size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
    const std::size_t path = std::min(url.find_first_of("/?#", authority), url.size());
    const std::size_t path_end = std::min(url.find_first_of("?#", path), url.size());
    if (path != path_end && url[path_end - 1] != '/') return url;
    const std::size_t slash = file.rfind('/');
    const std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
    if (base.empty()) return url;
    std::string out = url.substr(0, path_end);
    if (path == path_end) out += '/';
    return out + escape_file_name(base) + url.substr(path_end);
}

client::BodySource stdin_source() {
    return client::BodySource::once([](char* data, std::size_t size) -> std::size_t {
        for (;;) {
            const ssize_t n = ::read(0, data, size);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR)
                throw client::BodyReadError(std::string("cannot read stdin: ") +
                                            std::strerror(errno));
        }
    });
}

// -G: the data after the query (or as it), before any fragment.
std::string with_query(const std::string& url, const std::string& data) {
    const std::size_t hash = std::min(url.find('#'), url.size());
    const bool has_query = url.find('?') < hash;
    return url.substr(0, hash) + (has_query ? "&" : "?") + data + url.substr(hash);
}

} // namespace

void apply_body(const BodyArgs& args, const BodyTarget& target, std::string& url,
                client::FetchOptions& o) {
    o.expect_wait = client::Duration(static_cast<long long>(args.expect100_timeout * 1000));
    auto set_type = [&](std::string_view type) {
        if (!target.type_given) o.fields.add("Content-Type", type);
    };
    try {
        if (target.url_index < args.uploads.size()) {
            const std::string& file = args.uploads[target.url_index];
            if (file == "-" || file == ".") {
                o.body_source = stdin_source();
            } else {
                o.body_source = client::BodySource::file(file);
                url = with_file_name(url, file);
            }
            o.method = "PUT";
            return;
        }
        if (!args.forms.empty()) {
            std::vector<client::FormPart> parts;
            for (const BodyArgs::Form& f : args.forms) parts.push_back(form_part(f, target.quiet));
            client::EncodedForm form = client::encode_form(std::move(parts));
            // As curl: the user's own type gets the boundary, or no parser could split it.
            if (const Field* given = o.fields.find(FieldId::content_type))
                o.fields.set("Content-Type",
                             std::string(given->value) + "; boundary=" + form.boundary);
            set_type(form.content_type);
            o.body_source = std::move(form.body);
            o.method = "POST";
            return;
        }
    } catch (const client::BodyReadError& e) {
        throw Failure{26, e.what()};
    }
    if (args.data.empty()) return;
    std::string data = joined_data(args);
    if (args.get) {
        url = with_query(url, data);
        return;
    }
    o.body = std::move(data);
    o.method = "POST";
    const bool json = std::any_of(args.data.begin(), args.data.end(),
                                  [](const auto& d) { return d.kind == BodyArgs::DataKind::json; });
    if (json) {
        set_type("application/json");
        if (!o.fields.contains(FieldId::accept)) o.fields.add("Accept", "application/json");
    } else {
        set_type("application/x-www-form-urlencoded");
    }
}

} // namespace pier::cli
