// multipart/form-data bodies: parts laid out as segments (bytes in memory, or a file's first
// N bytes), a boundary checked against them, and a reader that walks the segments.
#include "client/file_descriptor.hpp"
#include "http/mime_types.hpp"

#include <pier/client_errors.hpp>
#include <pier/form_data.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <openssl/rand.h>
#include <sys/stat.h>

namespace pier::client {

namespace {

using detail::FileDescriptor;

constexpr std::size_t kReadSize = std::size_t{64} * 1024;
// A boundary found in the content is drawn again; with 96 random bits, a second draw is
// already a curiosity, so a few attempts that all fail mean the random source is broken.
constexpr int kBoundaryAttempts = 8;

struct Segment {
    std::string bytes;                         // when `path` is empty
    std::optional<std::filesystem::path> path; // else the first `size` bytes of this file
    std::uint64_t size = 0;
};

// RFC 7578 §4.2 allows percent-encoding in these quoted strings; the three bytes that would
// end the string or the line are the ones browsers (and curl since 7.81) encode.
std::string escape_disposition(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        if (c == '"')
            out += "%22";
        else if (c == '\r')
            out += "%0D";
        else if (c == '\n')
            out += "%0A";
        else
            out += c;
    }
    return out;
}

std::string part_head(const FormPart& p) {
    std::string head =
        "Content-Disposition: form-data; name=\"" + escape_disposition(p.name) + "\"";
    if (p.filename) head += "; filename=\"" + escape_disposition(*p.filename) + "\"";
    head += "\r\n";
    std::string type = p.content_type.value_or("");
    if (!p.content_type && p.filename)
        type = guess_media_type(p.path ? p.path->filename().string() : *p.filename);
    if (!type.empty()) head += "Content-Type: " + type + "\r\n";
    return head + "\r\n";
}

std::string read_whole(const std::filesystem::path& path, const FileDescriptor& fd) {
    std::string out;
    char buffer[16384];
    while (const std::size_t n = detail::read_some(fd, path, buffer, sizeof buffer))
        out.append(buffer, n);
    return out;
}

// One scanning pass over the file's first `size` bytes, keeping only what a match straddling
// two reads needs.
bool file_contains(const Segment& file, std::string_view needle) {
    const FileDescriptor fd = detail::open_for_reading(*file.path);
    std::string window;
    std::string buffer(kReadSize, '\0');
    std::uint64_t left = file.size;
    while (left != 0) {
        const std::size_t n =
            detail::read_some(fd, *file.path, buffer.data(),
                              static_cast<std::size_t>(std::min<std::uint64_t>(kReadSize, left)));
        if (n == 0) break;
        left -= n;
        window.append(buffer, 0, n);
        if (window.find(needle) != std::string::npos) return true;
        if (window.size() >= needle.size()) window.erase(0, window.size() - (needle.size() - 1));
    }
    return false;
}

bool segment_contains(const Segment& s, std::string_view boundary) {
    return s.path ? file_contains(s, boundary) : s.bytes.find(boundary) != std::string::npos;
}

std::string draw_boundary(const RandomBytes& random) {
    unsigned char bytes[12];
    if (random) {
        random(bytes, sizeof bytes);
    } else if (RAND_bytes(bytes, static_cast<int>(sizeof bytes)) != 1) {
        throw HTTPException("no random bytes for a multipart boundary");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string b(24, '-'); // curl's shape: dashes, then the random part
    for (const unsigned char c : bytes) {
        b += kHex[c >> 4];
        b += kHex[c & 15];
    }
    return b;
}

// Walks the segments: bytes from memory, then from each file exactly its size.
class FormReader {
  public:
    explicit FormReader(std::shared_ptr<const std::vector<Segment>> segments)
        : segments_(std::move(segments)) {}

    std::size_t read(char* data, std::size_t size) {
        while (index_ < segments_->size()) {
            const Segment& s = (*segments_)[index_];
            const std::uint64_t length = s.path ? s.size : s.bytes.size();
            if (offset_ == length) {
                file_.reset();
                ++index_;
                offset_ = 0;
                continue;
            }
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(size, length - offset_));
            std::size_t n = 0;
            if (!s.path) {
                std::memcpy(data, s.bytes.data() + offset_, want);
                n = want;
            } else {
                if (!file_) file_ = detail::open_for_reading(*s.path);
                n = detail::read_some(file_, *s.path, data, want);
                if (n == 0)
                    throw BodyReadError(s.path->string() + " is shorter than when the form was "
                                                           "made");
            }
            offset_ += n;
            return n;
        }
        return 0;
    }

  private:
    std::shared_ptr<const std::vector<Segment>> segments_;
    std::size_t index_ = 0;
    std::uint64_t offset_ = 0;
    FileDescriptor file_;
};

} // namespace

FormPart FormPart::text(std::string name, std::string value) {
    FormPart p;
    p.name = std::move(name);
    p.value = std::move(value);
    return p;
}

FormPart FormPart::file(std::string name, std::filesystem::path path) {
    FormPart p;
    p.name = std::move(name);
    p.filename = path.filename().string();
    p.path = std::move(path);
    return p;
}

std::string guess_media_type(std::string_view file_name) {
    // The static server's table; its charset parameter says what pier serves, not what a
    // file to upload holds, so it is left out.
    static const MimeTypes table;
    const std::string_view type = table.lookup(file_name);
    return std::string(type.substr(0, type.find(';')));
}

std::string form_urlencode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

EncodedForm encode_form(std::vector<FormPart> parts, const RandomBytes& random) {
    // The layout with the boundary left out: each delimiter goes between these segments.
    std::vector<Segment> content;
    std::vector<std::string> heads;
    for (FormPart& p : parts) {
        heads.push_back(part_head(p));
        Segment s;
        if (p.path) {
            const FileDescriptor fd = detail::open_for_reading(*p.path);
            struct stat st {};
            if (::fstat(fd.get(), &st) != 0)
                throw BodyReadError("cannot read " + p.path->string() + ": " +
                                    std::strerror(errno));
            if (S_ISREG(st.st_mode)) {
                s.path = *p.path;
                s.size = static_cast<std::uint64_t>(st.st_size);
            } else {
                s.bytes = read_whole(*p.path, fd); // a pipe: its length is known only once read
            }
        } else {
            s.bytes = std::move(p.value);
        }
        content.push_back(std::move(s));
    }
    std::string boundary;
    for (int attempt = 0;; ++attempt) {
        if (attempt == kBoundaryAttempts)
            throw HTTPException("no multipart boundary absent from the content could be drawn");
        boundary = draw_boundary(random);
        bool found = false;
        for (std::size_t i = 0; i < content.size() && !found; ++i)
            found = heads[i].find(boundary) != std::string::npos ||
                    segment_contains(content[i], boundary);
        if (!found) break;
    }
    // The body: "--b CRLF head content CRLF" per part, then "--b--CRLF", with adjacent bytes
    // in memory merged into one segment.
    auto segments = std::make_shared<std::vector<Segment>>();
    std::string pending;
    std::uint64_t length = 0;
    for (std::size_t i = 0; i < content.size(); ++i) {
        pending += "--" + boundary + "\r\n" + heads[i];
        Segment& c = content[i];
        if (c.path) {
            length += pending.size() + c.size;
            segments->push_back(Segment{std::move(pending), std::nullopt, 0});
            pending.clear();
            segments->push_back(std::move(c));
        } else {
            pending += c.bytes;
        }
        pending += "\r\n";
    }
    pending += "--" + boundary + "--\r\n";
    length += pending.size();
    segments->push_back(Segment{std::move(pending), std::nullopt, 0});

    EncodedForm form;
    form.content_type = "multipart/form-data; boundary=" + boundary;
    form.boundary = std::move(boundary);
    form.body.length = length;
    std::shared_ptr<const std::vector<Segment>> shared = std::move(segments);
    form.body.open = [shared]() -> BodyReader {
        auto reader = std::make_shared<FormReader>(shared);
        return [reader](char* data, std::size_t size) { return reader->read(data, size); };
    };
    return form;
}

} // namespace pier::client
