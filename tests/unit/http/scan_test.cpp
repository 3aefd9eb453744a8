#include "codec_test_support.hpp"
#include "http/scan.hpp"

#include <pier/parser.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier::detail {
namespace {

std::vector<ScanImpl> supported() {
    std::vector<ScanImpl> out;
    for (ScanImpl i : {ScanImpl::scalar, ScanImpl::sse2, ScanImpl::avx2})
        if (scan_impl_supported(i)) out.push_back(i);
    return out;
}

// Restores the start-up choice whatever a test selected.
struct ImplGuard {
    ScanImpl saved = scan_impl();
    ~ImplGuard() { set_scan_impl(saved); }
};

const char* reference(const char* p, const char* end, unsigned char last_ctl) {
    for (; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c <= last_ctl || c == 0x7f) return p;
    }
    return end;
}

TEST(Scan, ScalarIsAlwaysAvailable) {
    EXPECT_TRUE(scan_impl_supported(ScanImpl::scalar));
    ImplGuard guard;
    EXPECT_TRUE(set_scan_impl(ScanImpl::scalar));
    EXPECT_EQ(scan_impl(), ScanImpl::scalar);
    EXPECT_STREQ(scan_impl_name(ScanImpl::avx2), "avx2");
}

// Every implementation finds exactly the first stop byte, for every length up to several
// vector widths, every position, and every byte value — against a guard page, so a load past
// the end would crash.
TEST(Scan, EveryImplementationAgreesWithTheDefinition) {
    ImplGuard guard;
    for (ScanImpl impl : supported()) {
        ASSERT_TRUE(set_scan_impl(impl));
        for (std::size_t len = 0; len <= 72; ++len) {
            for (std::size_t pos = 0; pos <= len; ++pos) {
                for (int byte :
                     {0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff}) {
                    std::string s(len, 'a');
                    if (pos < len) s[pos] = static_cast<char>(byte);
                    const test::GuardedBuffer buf(s);
                    const char* b = buf.view().data();
                    const char* e = b + len;
                    for (unsigned char last : {0x1f, 0x20}) {
                        ASSERT_EQ(g_find_ctl.load()(b, e, last), reference(b, e, last))
                            << scan_impl_name(impl) << " len " << len << " pos " << pos << " byte "
                            << byte << " last " << int(last);
                    }
                    ASSERT_EQ(find_field_value_end(b, e), reference(b, e, 0x1f))
                        << scan_impl_name(impl) << " len " << len << " pos " << pos;
                    ASSERT_EQ(find_target_end(b, e), reference(b, e, 0x20))
                        << scan_impl_name(impl) << " len " << len << " pos " << pos;
                }
            }
        }
    }
}

// The parser gives the same verdicts whichever implementation scans.
TEST(Scan, ParserAgreesAcrossImplementations) {
    const std::string long_value(300, 'v');
    const std::vector<std::string> inputs = {
        "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /" + long_value + " HTTP/1.1\r\nX: " + long_value + "\r\n\r\n",
        "GET / HTTP/1.1\r\nX: " + long_value + "\x01\r\n\r\n",
        "GET / HTTP/1.1\r\nX: " + long_value + "\rY\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\tb" + long_value + "\t\r\n\r\n",
        "GET /a\x7f HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nX: " + std::string(40, 'x') + "\x7f" + "\r\n\r\n",
    };
    ImplGuard guard;
    for (const std::string& in : inputs) {
        std::vector<std::string> verdicts;
        for (ScanImpl impl : supported()) {
            ASSERT_TRUE(set_scan_impl(impl));
            RequestParser parser;
            RequestHead head;
            const ParseStatus st = parser.parse(in, head);
            std::string v =
                std::to_string(static_cast<int>(st)) + " " + std::string(to_string(parser.error()));
            for (const Field& f : head.fields) v += "|" + std::string(f.value);
            verdicts.push_back(v);
        }
        for (const std::string& v : verdicts) EXPECT_EQ(v, verdicts.front()) << in.substr(0, 40);
    }
}

} // namespace
} // namespace pier::detail
