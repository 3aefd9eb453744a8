// Live properties from a real file and directory's stat: the same ETag and Last-Modified GET
// sends, collections marked, file-only properties absent on directories.
#include "webdav/live_properties.hpp"
#include "webdav/multistatus.hpp"
#include "webdav/xml_request.hpp"
#include "xml_test_support.hpp"

#include <pier/date.hpp>
#include <pier/etag.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace pier::webdav {
namespace {

class LiveProperties : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pier-webdav-live-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        file_ = dir_ + "/notes.txt";
        FILE* f = std::fopen(file_.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("hello, world\n", f);
        std::fclose(f);
        ASSERT_EQ(stat(file_.c_str(), &file_st_), 0);
        ASSERT_EQ(stat(dir_.c_str(), &dir_st_), 0);
    }
    void TearDown() override {
        unlink(file_.c_str());
        rmdir(dir_.c_str());
    }
    std::string dir_, file_;
    struct stat file_st_ {};
    struct stat dir_st_ {};
};

TEST_F(LiveProperties, File) {
    auto get = [&](std::string_view n) {
        return live_property_xml(n, file_st_, "notes.txt", "text/plain; charset=utf-8");
    };
    EXPECT_EQ(get("getcontentlength"), "13");
    EXPECT_EQ(get("getcontenttype"), "text/plain; charset=utf-8");
    EXPECT_EQ(get("displayname"), "notes.txt");
    EXPECT_EQ(get("resourcetype"), "");
    EXPECT_EQ(get("lockdiscovery"), "");
    EXPECT_EQ(get("supportedlock"), "");
    const std::int64_t mtime_ns =
        static_cast<std::int64_t>(file_st_.st_mtim.tv_sec) * 1'000'000'000 +
        file_st_.st_mtim.tv_nsec;
    EXPECT_EQ(get("getetag"), make_file_etag(13, mtime_ns, file_st_.st_ino));
    EXPECT_EQ(get("getlastmodified"),
              format_http_date(std::chrono::sys_seconds(std::chrono::seconds(file_st_.st_mtime))));
    EXPECT_EQ(get("creationdate"),
              format_rfc3339(std::chrono::sys_seconds(std::chrono::seconds(file_st_.st_ctime))));
    EXPECT_EQ(get("getcontentlanguage"), std::nullopt);
    EXPECT_EQ(get("nonsense"), std::nullopt);
}

TEST_F(LiveProperties, Directory) {
    auto get = [&](std::string_view n) { return live_property_xml(n, dir_st_, "sub", ""); };
    EXPECT_EQ(get("resourcetype"), "<D:collection xmlns:D=\"DAV:\"/>");
    EXPECT_EQ(get("getcontentlength"), std::nullopt);
    EXPECT_EQ(get("getcontenttype"), std::nullopt);
    EXPECT_EQ(get("getetag"), std::nullopt);
    EXPECT_TRUE(get("getlastmodified"));
    EXPECT_EQ(get("displayname"), "sub");
}

TEST_F(LiveProperties, AllpropIsWellFormedAndMarksTheCollection) {
    // A hostile file name too: markup and a control character.
    MultistatusWriter ms;
    for (const auto* st : {&dir_st_, &file_st_}) {
        ms.begin_response(st == &dir_st_ ? "/" : "/x");
        std::vector<Property> found;
        for (auto name : kLiveProperties) {
            if (auto v = live_property_xml(name, *st, "<a&b>\x01", "text/plain")) {
                found.push_back({{"DAV:", std::string(name)}, *v, ""});
            }
        }
        ms.propstat(200, found);
        ms.end_response();
    }
    const std::string& body = ms.str();
    std::string error;
    ASSERT_TRUE(is_wellformed_xml(body, &error)) << error << "\n" << body;
    EXPECT_EQ(testing::canonical_content(body, {"DAV:", "resourcetype"}, 0),
              "<{DAV:}collection></{DAV:}collection>");
    EXPECT_EQ(testing::canonical_content(body, {"DAV:", "resourcetype"}, 1), "");
    EXPECT_EQ(testing::canonical_content(body, {"DAV:", "displayname"}), "<a&b>\xEF\xBF\xBD");
    // Context-free, like every value: it reads the same under a foreign default namespace.
    EXPECT_EQ(testing::canonical_value(*live_property_xml("resourcetype", dir_st_, "", "")),
              "<{DAV:}collection></{DAV:}collection>");
}

TEST(LivePropertyNames, ProtectedButDisplayname) {
    for (auto name : kLiveProperties) {
        const PropertyName p{"DAV:", std::string(name)};
        EXPECT_TRUE(is_live_property(p)) << name;
        EXPECT_EQ(is_protected_property(p), name != "displayname") << name;
    }
    EXPECT_FALSE(is_live_property({"urn:x", "getetag"}));
    EXPECT_FALSE(is_protected_property({"", "resourcetype"}));
    EXPECT_FALSE(is_protected_property({"DAV:", "getcontentlanguage"}));
}

TEST(Rfc3339, Formats) {
    using namespace std::chrono;
    EXPECT_EQ(format_rfc3339(sys_seconds(seconds(0))), "1970-01-01T00:00:00Z");
    EXPECT_EQ(
        format_rfc3339(sys_days(year(1997) / December / 1) + hours(17) + minutes(42) + seconds(21)),
        "1997-12-01T17:42:21Z");
    EXPECT_EQ(format_rfc3339(sys_seconds(seconds(-1))), "1969-12-31T23:59:59Z");
    EXPECT_EQ(format_rfc3339(sys_days(year(12000) / 1 / 1)), "9999-12-31T23:59:59Z");
    EXPECT_EQ(format_rfc3339(sys_days(year(-5) / 1 / 1)), "0000-01-01T00:00:00Z");
}

} // namespace
} // namespace pier::webdav
