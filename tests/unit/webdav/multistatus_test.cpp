// The 207 body: its exact shape for the simple cases, and for everything else the property a
// client reads back from it — re-parsed with expat — against the one it sent in PROPPATCH.
#include "webdav/multistatus.hpp"
#include "webdav/xml_request.hpp"
#include "xml_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier::webdav {
namespace {

constexpr std::string_view kHead =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n";
constexpr std::string_view kTail = "</D:multistatus>\n";

TEST(Multistatus, ExactShape) {
    MultistatusWriter ms;
    ms.begin_response("/dav/a%20b.txt");
    const std::vector<Property> found = {
        {{"DAV:", "getcontentlength"}, "42", ""},
        {{"http://example.com/neon/litmus/", "prop0"}, "value0", ""},
        {{"", "nonamespace"}, "randomvalue", ""},
        {{"urn:x", "empty"}, "", ""},
        {{"urn:x", "worded"}, "hallo", "de"},
    };
    ms.propstat(200, found);
    const std::vector<PropertyName> missing = {{"DAV:", "getcontenttype"}, {"", "nope"}};
    ms.propstat(404, missing);
    ms.end_response();
    ms.response_status("/dav/locked/", 423);
    EXPECT_EQ(ms.str(),
              std::string(kHead) +
                  "<D:response><D:href>/dav/a%20b.txt</D:href>"
                  "<D:propstat><D:prop>"
                  "<D:getcontentlength>42</D:getcontentlength>"
                  "<ns1:prop0 xmlns:ns1=\"http://example.com/neon/litmus/\">value0</ns1:prop0>"
                  "<nonamespace xmlns=\"\">randomvalue</nonamespace>"
                  "<ns1:empty xmlns:ns1=\"urn:x\"/>"
                  "<ns1:worded xmlns:ns1=\"urn:x\" xml:lang=\"de\">hallo</ns1:worded>"
                  "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
                  "<D:propstat><D:prop><D:getcontenttype/><nope xmlns=\"\"/></D:prop>"
                  "<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>"
                  "</D:response>\n"
                  "<D:response><D:href>/dav/locked/</D:href>"
                  "<D:status>HTTP/1.1 423 Locked</D:status></D:response>\n" +
                  std::string(kTail));
    EXPECT_TRUE(is_wellformed_xml(ms.str()));
    EXPECT_EQ(ms.str(), ms.str()) << "str() ends the document once";
}

TEST(Multistatus, StatusLinesAndPreconditions) {
    EXPECT_EQ(status_line(200), "HTTP/1.1 200 OK");
    EXPECT_EQ(status_line(403), "HTTP/1.1 403 Forbidden");
    EXPECT_EQ(status_line(404), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status_line(409), "HTTP/1.1 409 Conflict");
    EXPECT_EQ(status_line(424), "HTTP/1.1 424 Failed Dependency");
    EXPECT_EQ(status_line(507), "HTTP/1.1 507 Insufficient Storage");

    MultistatusWriter ms;
    ms.begin_response("/r");
    const std::vector<PropertyName> protected_ = {{"DAV:", "getetag"}};
    ms.propstat(403, protected_, "cannot-modify-protected-property");
    const std::vector<PropertyName> others = {{"urn:x", "a"}};
    ms.propstat(424, others);
    ms.end_response();
    ms.response_status("/r/child", 507, "quota-not-exceeded");
    const std::string& body = ms.str();
    EXPECT_NE(body.find("<D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 403 "
                        "Forbidden</D:status><D:error><D:cannot-modify-protected-property/>"
                        "</D:error></D:propstat>"),
              std::string::npos)
        << body;
    EXPECT_NE(body.find("<D:status>HTTP/1.1 424 Failed Dependency</D:status>"), std::string::npos);
    EXPECT_NE(body.find("<D:response><D:href>/r/child</D:href><D:status>HTTP/1.1 507 "
                        "Insufficient Storage</D:status><D:error><D:quota-not-exceeded/>"
                        "</D:error></D:response>"),
              std::string::npos)
        << body;
    EXPECT_TRUE(is_wellformed_xml(body));
}

TEST(Multistatus, EmptyDocumentIsWellFormed) {
    MultistatusWriter ms;
    EXPECT_EQ(ms.str(), std::string(kHead) + std::string(kTail));
    EXPECT_TRUE(is_wellformed_xml(ms.str()));
}

TEST(Multistatus, TakeStreamsTheSameBytes) {
    auto fill = [](MultistatusWriter& ms, int i) {
        ms.begin_response("/f" + std::to_string(i));
        const std::vector<Property> p = {{{"urn:x", "n"}, std::to_string(i), ""}};
        ms.propstat(200, p);
        ms.end_response();
    };
    MultistatusWriter whole, streamed;
    std::string sent;
    for (int i = 0; i < 5; ++i) {
        fill(whole, i);
        fill(streamed, i);
        sent += streamed.take();
    }
    sent += streamed.str();
    EXPECT_EQ(sent, whole.str());
    EXPECT_TRUE(is_wellformed_xml(sent));
}

TEST(Multistatus, EscapesWhateverItIsGiven) {
    // Hrefs come percent-encoded, but nothing the writer escapes can break the document:
    // markup characters, controls and invalid UTF-8 in an href, a namespace or a language.
    MultistatusWriter ms;
    ms.begin_response("/a&b<c>\"d'e\x01\x7f\xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbe");
    const std::vector<Property> p = {
        {{"urn:x?a=1&b=\"2\"<>\t\n\r\x02\xfe", "n"}, "v", "en\"<&\x03"},
    };
    ms.propstat(200, p);
    ms.end_response();
    ms.response_status("/\x1b[31m&amp;", 404);
    const std::string& body = ms.str();
    std::string error;
    ASSERT_TRUE(is_wellformed_xml(body, &error)) << error << "\n" << body;
    EXPECT_NE(body.find("<D:href>/a&amp;b&lt;c&gt;\"d'e\xEF\xBF\xBD\x7f\xEF\xBF\xBD"
                        "\xEF\xBF\xBD\xEF\xBF\xBD"),
              std::string::npos)
        << body;
    // The namespace reads back as sent, but for the bytes XML cannot hold.
    EXPECT_TRUE(testing::canonical_content(
        body, {"urn:x?a=1&b=\"2\"<>\t\n\r\xEF\xBF\xBD\xEF\xBF\xBD", "n"}));
}

// PROPPATCH body → parse_proppatch → writer → expat: the values a client reads back are the
// values it sent, whatever prefixes either side used.
TEST(Multistatus, ValuesRoundTripFromProppatch) {
    const std::string body =
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>"
        "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\" xml:lang=\"en\"><D:set><D:prop>"
        // litmus propvalnspace, prophighunicode, propnullns
        "<t:valnspace xmlns:t='http://example.com/neon/litmus/'><foo xmlns='http://bar'/>"
        "</t:valnspace>"
        "<high-unicode xmlns='http://example.com/neon/litmus/'>&#65536;</high-unicode>"
        "<nonamespace xmlns=\"\">randomvalue</nonamespace>"
        // nested elements, attributes, prefixes from outside and inside, an xml:lang
        "<Z:authors><Z:author Z:role=\"lead\" id=\"1\">Ann &amp; Bob</Z:author>"
        "<D:href>/x</D:href><q:x xmlns:q=\"urn:q\" q:a=\"&lt;\"><q:y xml:lang=\"fr\">oui</q:y>"
        "</q:x>tail &#13;</Z:authors>"
        // the prefix the writer uses for properties, taken by the client for something else
        "<ns1:p xmlns:ns1=\"urn:other\"><ns1:inner/><D:x xmlns:D=\"urn:not-dav\"/></ns1:p>"
        // a DAV: dead property
        "<D:displayname>My &lt;File&gt;</D:displayname>"
        "</D:prop></D:set></D:propertyupdate>";
    std::string error;
    const auto updates = parse_proppatch(body, error);
    ASSERT_TRUE(updates) << error;

    std::vector<Property> properties;
    for (const auto& u : *updates) properties.push_back({u.name, u.value_xml, u.lang});
    MultistatusWriter ms;
    ms.begin_response("/litmus/prop2");
    ms.propstat(200, properties);
    ms.end_response();
    const std::string& out = ms.str();
    ASSERT_TRUE(is_wellformed_xml(out, &error)) << error << "\n" << out;

    for (const auto& p : properties) {
        const auto sent = testing::canonical_content(body, p.name);
        const auto got = testing::canonical_content(out, p.name);
        ASSERT_TRUE(sent && got) << clark_name(p.name) << "\n" << out;
        EXPECT_EQ(*got, *sent) << clark_name(p.name) << "\n" << out;
        EXPECT_EQ(p.lang, "en") << "in scope from the root";
    }
    EXPECT_NE(out.find(">\xF0\x90\x80\x80</ns1:high-unicode>"), std::string::npos) << out;
}

} // namespace
} // namespace pier::webdav
