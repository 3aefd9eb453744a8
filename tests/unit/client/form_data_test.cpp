// multipart/form-data bodies (layout, escaping, the boundary check, files streamed and sized),
// --data-urlencode's escaping, and the body sources under them.
#include <pier/client_errors.hpp>
#include <pier/form_data.hpp>

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace pier::client {
namespace {

namespace fs = std::filesystem;

// Every call fills the bytes with the next value: 0x00.., then 0x11.., then 0x22..
RandomBytes counting_random() {
    auto next = std::make_shared<unsigned char>(0);
    return [next](unsigned char* data, std::size_t size) {
        std::memset(data, *next, size);
        *next = static_cast<unsigned char>(*next + 0x11);
    };
}

std::string boundary_of(unsigned char byte) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string b(24, '-');
    for (int i = 0; i < 12; ++i) {
        b += kHex[byte >> 4];
        b += kHex[byte & 15];
    }
    return b;
}

// The whole body, read through the reader in small pieces (as a socket would take it).
std::string read_all(const BodySource& source, std::size_t piece = 7) {
    BodyReader reader = source.open();
    std::string out;
    std::string buffer(piece, '\0');
    while (const std::size_t n = reader(buffer.data(), buffer.size())) out.append(buffer, 0, n);
    return out;
}

class TempDir {
  public:
    TempDir() {
        char name[] = "/tmp/pier-form-XXXXXX";
        path_ = ::mkdtemp(name);
    }
    ~TempDir() { fs::remove_all(path_); }
    fs::path file(const std::string& name, const std::string& content) const {
        const fs::path p = path_ / name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }

  private:
    fs::path path_;
};

TEST(FormData, TextAndFilePartsAsCurlLaysThemOut) {
    TempDir dir;
    std::vector<FormPart> parts;
    parts.push_back(FormPart::text("title", "a b"));
    parts.push_back(FormPart::file("up", dir.file("notes.txt", "hello\nworld")));
    const EncodedForm form = encode_form(std::move(parts), counting_random());
    const std::string b = boundary_of(0);
    EXPECT_EQ(form.boundary, b);
    EXPECT_EQ(form.content_type, "multipart/form-data; boundary=" + b);
    const std::string expected = "--" + b +
                                 "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\na b\r\n"
                                 "--" +
                                 b +
                                 "\r\nContent-Disposition: form-data; name=\"up\"; "
                                 "filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\n"
                                 "hello\nworld\r\n--" +
                                 b + "--\r\n";
    EXPECT_EQ(read_all(form.body), expected);
    ASSERT_TRUE(form.body.length);
    EXPECT_EQ(*form.body.length, expected.size());
    // Every sending starts over at the first byte (a 307 sends it again).
    EXPECT_EQ(read_all(form.body, 65536), expected);
}

TEST(FormData, NamesAndFileNamesEscapedAsBrowsersDo) {
    FormPart p = FormPart::text("a\"b\r\nc\\d", "v");
    p.filename = "x\"y\nz.png";
    std::vector<FormPart> parts{p};
    const EncodedForm form = encode_form(std::move(parts), counting_random());
    const std::string body = read_all(form.body);
    EXPECT_NE(body.find("Content-Disposition: form-data; name=\"a%22b%0D%0Ac\\d\"; "
                        "filename=\"x%22y%0Az.png\"\r\nContent-Type: image/png\r\n"),
              std::string::npos)
        << body;
}

TEST(FormData, ContentTypeGivenGuessedOrNone) {
    TempDir dir;
    std::vector<FormPart> parts;
    parts.push_back(FormPart::file("a", dir.file("page.html", "<p>")));
    parts.push_back(FormPart::file("b", dir.file("data.zzq-unknown", "?")));
    FormPart c = FormPart::file("c", dir.file("c.txt", "c"));
    c.content_type = "text/x-mine; charset=latin1";
    parts.push_back(c);
    FormPart d = FormPart::file("d", dir.file("d.txt", "d"));
    d.content_type = ""; // none at all
    parts.push_back(d);
    FormPart e; // a file's content as a plain value: no filename, so no type
    e.name = "e";
    e.path = dir.file("e.txt", "e");
    parts.push_back(e);
    const std::string body = read_all(encode_form(std::move(parts), counting_random()).body);
    EXPECT_NE(body.find("filename=\"page.html\"\r\nContent-Type: text/html\r\n\r\n<p>"),
              std::string::npos);
    EXPECT_NE(body.find("\r\nContent-Type: application/octet-stream\r\n\r\n?"), std::string::npos);
    EXPECT_NE(body.find("\r\nContent-Type: text/x-mine; charset=latin1\r\n\r\nc"),
              std::string::npos);
    EXPECT_NE(body.find("filename=\"d.txt\"\r\n\r\nd\r\n"), std::string::npos);
    EXPECT_NE(body.find("name=\"e\"\r\n\r\ne\r\n"), std::string::npos);
    EXPECT_EQ(guess_media_type("A.TXT"), "text/plain");
    EXPECT_EQ(guess_media_type("noext"), "application/octet-stream");
}

TEST(FormData, ABoundaryFoundInAValueIsDrawnAgain) {
    std::vector<FormPart> parts;
    parts.push_back(FormPart::text("v", "before" + boundary_of(0) + "after"));
    parts.push_back(FormPart::text(boundary_of(0x11), "in a name too"));
    const EncodedForm form = encode_form(std::move(parts), counting_random());
    EXPECT_EQ(form.boundary, boundary_of(0x22));
}

TEST(FormData, ABoundaryFoundInAFileIsDrawnAgainEvenAcrossReads) {
    TempDir dir;
    // The first boundary straddles the scanner's 64 KiB reads; the second sits at the end.
    std::string content(65536 - 10, 'x');
    content += boundary_of(0);
    content += std::string(70000, 'y');
    content += boundary_of(0x11);
    std::vector<FormPart> parts;
    parts.push_back(FormPart::file("f", dir.file("big.bin", content)));
    const EncodedForm form = encode_form(std::move(parts), counting_random());
    EXPECT_EQ(form.boundary, boundary_of(0x22));
    const std::string body = read_all(form.body, 4096);
    EXPECT_EQ(body.size(), *form.body.length);
    EXPECT_NE(body.find("\r\n\r\n" + content + "\r\n--" + form.boundary + "--\r\n"),
              std::string::npos);
}

TEST(FormData, ARandomSourceThatKeepsCollidingIsAnError) {
    std::vector<FormPart> parts;
    parts.push_back(FormPart::text("v", boundary_of(0)));
    const RandomBytes stuck = [](unsigned char* data, std::size_t size) {
        std::memset(data, 0, size);
    };
    EXPECT_THROW(encode_form(std::move(parts), stuck), HTTPException);
}

TEST(FormData, TheDefaultBoundaryIsRandom) {
    const EncodedForm a = encode_form({FormPart::text("a", "1")});
    const EncodedForm b = encode_form({FormPart::text("a", "1")});
    EXPECT_NE(a.boundary, b.boundary);
    EXPECT_EQ(a.boundary.size(), 48U);
}

TEST(FormData, FileErrorsAreBodyReadErrors) {
    TempDir dir;
    EXPECT_THROW(encode_form({FormPart::file("f", "/nonexistent/pier/file")}), BodyReadError);
    const fs::path p = dir.file("shrinks.txt", std::string(1000, 'z'));
    const EncodedForm form = encode_form({FormPart::file("f", p)});
    fs::resize_file(p, 10);
    EXPECT_THROW(read_all(form.body), BodyReadError);
}

TEST(FormUrlencode, AsCurlDataUrlencode) {
    EXPECT_EQ(form_urlencode(""), "");
    EXPECT_EQ(form_urlencode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(form_urlencode("a b"), "a+b");
    EXPECT_EQ(form_urlencode("+&=%*/?#"), "%2B%26%3D%25%2A%2F%3F%23");
    EXPECT_EQ(form_urlencode("\n\r\t"), "%0A%0D%09");
    EXPECT_EQ(form_urlencode(std::string_view("\0\xff", 2)), "%00%FF");
    EXPECT_EQ(form_urlencode("é"), "%C3%A9");
}

TEST(BodySource, AFileStartsOverAtEachOpening) {
    TempDir dir;
    const BodySource s = BodySource::file(dir.file("f.bin", "0123456789"));
    ASSERT_TRUE(s.length);
    EXPECT_EQ(*s.length, 10U);
    EXPECT_EQ(read_all(s, 3), "0123456789");
    EXPECT_EQ(read_all(s, 4), "0123456789");
    EXPECT_THROW(BodySource::file("/nonexistent/pier/file"), BodyReadError);
}

TEST(BodySource, AStreamMayStartOverOnlyWhileUnread) {
    auto data = std::make_shared<std::string>("abc");
    const BodySource s = BodySource::once([data](char* out, std::size_t size) {
        const std::size_t n = std::min(size, data->size());
        std::memcpy(out, data->data(), n);
        data->erase(0, n);
        return n;
    });
    EXPECT_FALSE(s.length);
    (void)s.open(); // opened, nothing read: a 417 before the body may open it again
    EXPECT_EQ(read_all(s), "abc");
    EXPECT_THROW((void)s.open(), RewindError);
}

} // namespace
} // namespace pier::client
