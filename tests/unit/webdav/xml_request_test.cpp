// PROPFIND and PROPPATCH bodies: what litmus (through neon) sends, byte for byte as captured
// from a run of its props suite, what RFC 4918 allows, and the bodies a server must refuse.
#include "webdav/xml_request.hpp"
#include "xml_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pier::webdav {
namespace {

using testing::canonical_value;

constexpr std::string_view kLitmusNs = "http://example.com/neon/litmus/";

std::optional<Propfind> propfind(std::string_view body) {
    std::string error;
    auto r = parse_propfind(body, error);
    if (r)
        EXPECT_TRUE(error.empty()) << error;
    else
        EXPECT_FALSE(error.empty()) << "a refusal says why";
    return r;
}

std::optional<std::vector<PropertyUpdate>> proppatch(std::string_view body) {
    std::string error;
    auto r = parse_proppatch(body, error);
    if (r)
        EXPECT_TRUE(error.empty()) << error;
    else
        EXPECT_FALSE(error.empty()) << "a refusal says why";
    return r;
}

// The value of the only `set` in a propertyupdate whose property element is `element`.
std::string value_of(std::string_view property_element) {
    const std::string body = "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>" +
                             std::string(property_element) + "</D:prop></D:set></D:propertyupdate>";
    std::string error;
    auto r = parse_proppatch(body, error);
    EXPECT_TRUE(r) << error << "\n" << body;
    if (!r || r->size() != 1) return "<failed>";
    return (*r)[0].value_xml;
}

// --- PROPFIND ------------------------------------------------------------------------------

TEST(Propfind, EmptyBodyIsAllprop) {
    for (std::string_view body : {"", " \r\n\t"}) {
        const auto r = propfind(body);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->kind, Propfind::Kind::allprop);
        EXPECT_TRUE(r->props.empty());
        EXPECT_TRUE(r->include.empty());
    }
}

TEST(Propfind, LitmusD0NamesLiveAndDeadProperties) {
    const auto r = propfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                            "<propfind xmlns=\"DAV:\"><prop>\n"
                            "<getcontentlength xmlns=\"DAV:\"/>\n"
                            "<getlastmodified xmlns=\"DAV:\"/>\n"
                            "<displayname xmlns=\"DAV:\"/>\n"
                            "<resourcetype xmlns=\"DAV:\"/>\n"
                            "<foo xmlns=\"http://example.com/neon/litmus/\"/>\n"
                            "<bar xmlns=\"http://example.com/neon/litmus/\"/>\n"
                            "</prop></propfind>\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Propfind::Kind::prop);
    const std::vector<PropertyName> want = {
        {"DAV:", "getcontentlength"},    {"DAV:", "getlastmodified"},
        {"DAV:", "displayname"},         {"DAV:", "resourcetype"},
        {std::string(kLitmusNs), "foo"}, {std::string(kLitmusNs), "bar"},
    };
    EXPECT_EQ(r->props, want);
}

TEST(Propfind, LitmusPropextendedIgnoresUnknownElements) {
    // RFC 4918 §17: an unknown element, even in DAV:, is ignored with its content.
    const auto r = propfind("<?xml version=\"1.0\" encoding=\"utf-8\" ?>"
                            "<propfind xmlns=\"DAV:\"><foobar/><allprop/></propfind>");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Propfind::Kind::allprop);
    const auto r2 = propfind("<D:propfind xmlns:D=\"DAV:\" xmlns:x=\"urn:x\"><x:hint><D:prop/>"
                             "</x:hint><D:propname/></D:propfind>");
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->kind, Propfind::Kind::propname);
}

TEST(Propfind, LitmusNullNamespaceAndWformed) {
    const auto nullns = propfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                 "<propfind xmlns=\"DAV:\"><prop>\n"
                                 "<nonamespace xmlns=\"\"/>\n</prop></propfind>\n");
    ASSERT_TRUE(nullns);
    ASSERT_EQ(nullns->props.size(), 1u);
    EXPECT_EQ(nullns->props[0], (PropertyName{"", "nonamespace"}));

    const auto wformed = propfind("<?xml version=\"1.0\" encoding=\"utf-8\" ?><propfind "
                                  "xmlns='DAV:'><prop><valnspace "
                                  "xmlns='http://example.com/neon/litmus/'/></prop></propfind>");
    ASSERT_TRUE(wformed);
    EXPECT_EQ(wformed->props, (std::vector<PropertyName>{{std::string(kLitmusNs), "valnspace"}}));
}

TEST(Propfind, PropnameAndInclude) {
    const auto names = propfind("<D:propfind xmlns:D=\"DAV:\"><D:propname/></D:propfind>");
    ASSERT_TRUE(names);
    EXPECT_EQ(names->kind, Propfind::Kind::propname);

    // RFC 4918 §9.1 example: allprop with include.
    const auto inc = propfind("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
                              "<D:propfind xmlns:D=\"DAV:\">\n  <D:allprop/>\n  <D:include>\n"
                              "    <D:supported-live-property-set/>\n"
                              "    <D:supported-report-set/>\n  </D:include>\n</D:propfind>");
    ASSERT_TRUE(inc);
    EXPECT_EQ(inc->kind, Propfind::Kind::allprop);
    EXPECT_EQ(inc->include, (std::vector<PropertyName>{{"DAV:", "supported-live-property-set"},
                                                       {"DAV:", "supported-report-set"}}));
}

TEST(Propfind, DuplicatesRemovedInFirstOrder) {
    const auto r = propfind("<propfind xmlns=\"DAV:\"><prop><b/><a/><b/><a xmlns=\"urn:x\"/>"
                            "<a/></prop></propfind>");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->props, (std::vector<PropertyName>{{"DAV:", "b"}, {"DAV:", "a"}, {"urn:x", "a"}}));
}

TEST(Propfind, RefusesMalformed) {
    const char* bodies[] = {
        // litmus propfind_invalid: not well-formed
        "<foo>",
        // litmus propfind_invalid2: xmlns:bar="" is not allowed in XML Namespaces 1.0
        "<D:propfind xmlns:D=\"DAV:\"><D:prop><bar:foo xmlns:bar=\"\"/></D:prop></D:propfind>",
        // an undeclared prefix
        "<D:propfind><D:allprop/></D:propfind>",
        "<propfind xmlns=\"DAV:\"><prop><z:foo/></prop></propfind>",
        // wrong root, or the right name in the wrong namespace
        "<D:propertyupdate xmlns:D=\"DAV:\"><D:set/></D:propertyupdate>",
        "<propfind><allprop/></propfind>",
        "<propfind xmlns=\"urn:not-dav\"><allprop/></propfind>",
        // no child saying what to find
        "<propfind xmlns=\"DAV:\"/>",
        "<propfind xmlns=\"DAV:\"><foobar/></propfind>",
        // two answers to one question
        "<propfind xmlns=\"DAV:\"><allprop/><prop><a/></prop></propfind>",
        "<propfind xmlns=\"DAV:\"><propname/><allprop/></propfind>",
        // include belongs to allprop
        "<propfind xmlns=\"DAV:\"><propname/><include><a/></include></propfind>",
        // text after the root, two roots
        "<propfind xmlns=\"DAV:\"><allprop/></propfind>x",
        "<propfind xmlns=\"DAV:\"><allprop/></propfind><propfind xmlns=\"DAV:\"/>",
        // invalid UTF-8 (a NUL byte: below)
        "<propfind xmlns=\"DAV:\"><prop><a\xff/></prop></propfind>",
    };
    for (const char* body : bodies) EXPECT_FALSE(propfind(body)) << body;
    EXPECT_FALSE(
        propfind(std::string_view("<propfind xmlns=\"DAV:\"><allprop/>\0</propfind>", 44)));
}

// Billion laughs and its relatives: with the DOCTYPE refused, no entity is ever declared.
constexpr std::string_view kDoctypes[] = {
    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n]>\n"
    "<propfind xmlns=\"DAV:\"><prop><a>&lol3;</a></prop></propfind>",
    "<!DOCTYPE propfind SYSTEM \"file:///etc/passwd\"><propfind xmlns=\"DAV:\"><allprop/>"
    "</propfind>",
    "<!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><propertyupdate xmlns=\"DAV:\">"
    "<set><prop><a>&x;</a></prop></set></propertyupdate>",
    "<!DOCTYPE propfind><propfind xmlns=\"DAV:\"><allprop/></propfind>",
};

TEST(XmlSafety, DoctypeRefused) {
    for (auto body : kDoctypes) {
        std::string error;
        EXPECT_FALSE(parse_propfind(body, error)) << body;
        EXPECT_EQ(error, "DOCTYPE not allowed") << body;
        error.clear();
        EXPECT_FALSE(parse_proppatch(body, error)) << body;
        EXPECT_EQ(error, "DOCTYPE not allowed") << body;
        EXPECT_FALSE(is_wellformed_xml(body)) << body;
    }
}

// A propfind whose deepest element is at `depth` (the root is at 1).
std::string propfind_of_depth(std::size_t depth) {
    std::string open = "<D:propfind xmlns:D=\"DAV:\"><D:prop>", close = "</D:prop></D:propfind>";
    for (std::size_t d = 3; d <= depth; ++d) {
        open += "<e>";
        close.insert(0, "</e>");
    }
    return open + close;
}

TEST(XmlSafety, DepthBoundAtAndPastTheLimit) {
    EXPECT_TRUE(propfind(propfind_of_depth(kMaxXmlDepth)));
    std::string error;
    EXPECT_FALSE(parse_propfind(propfind_of_depth(kMaxXmlDepth + 1), error));
    EXPECT_EQ(error, "elements nested deeper than 64");

    // The same for a value: the propertyupdate, set, prop and property take four levels.
    auto nested = [](std::size_t depth) {
        std::string v;
        for (std::size_t d = 5; d <= depth; ++d) v += "<e>";
        for (std::size_t d = 5; d <= depth; ++d) v += "</e>";
        return "<propertyupdate xmlns=\"DAV:\"><set><prop><p>" + v + "</p></prop></set>" +
               "</propertyupdate>";
    };
    EXPECT_TRUE(proppatch(nested(kMaxXmlDepth)));
    EXPECT_FALSE(parse_proppatch(nested(kMaxXmlDepth + 1), error));
    EXPECT_EQ(error, "elements nested deeper than 64");
}

TEST(XmlSafety, PropertyCountAtAndPastTheLimit) {
    auto find = [](std::size_t n) {
        std::string b = "<propfind xmlns=\"DAV:\"><prop>";
        for (std::size_t i = 0; i < n; ++i) b += "<p" + std::to_string(i) + "/>";
        return b + "</prop></propfind>";
    };
    auto patch = [](std::size_t n) {
        std::string b = "<propertyupdate xmlns=\"DAV:\"><set><prop>";
        for (std::size_t i = 0; i < n; ++i) b += "<p>v</p>";
        return b + "</prop></set></propertyupdate>";
    };
    const auto ok = propfind(find(kMaxRequestProperties));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->props.size(), kMaxRequestProperties);
    const auto ok2 = proppatch(patch(kMaxRequestProperties));
    ASSERT_TRUE(ok2);
    EXPECT_EQ(ok2->size(), kMaxRequestProperties);

    std::string error;
    EXPECT_FALSE(parse_propfind(find(kMaxRequestProperties + 1), error));
    EXPECT_EQ(error, "more than 1000 properties");
    EXPECT_FALSE(parse_proppatch(patch(kMaxRequestProperties + 1), error));
    EXPECT_EQ(error, "more than 1000 properties");
    // Duplicates count too: the bound is on work, not on distinct names.
    std::string dup = "<propfind xmlns=\"DAV:\"><prop>";
    for (std::size_t i = 0; i <= kMaxRequestProperties; ++i) dup += "<same/>";
    EXPECT_FALSE(parse_propfind(dup + "</prop></propfind>", error));
}

// --- PROPPATCH -----------------------------------------------------------------------------

TEST(Proppatch, LitmusPropsetInDocumentOrder) {
    std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
                       "<D:propertyupdate xmlns:D=\"DAV:\">";
    for (int n = 0; n < 10; ++n) {
        const auto i = std::to_string(n);
        body += "<D:set><D:prop><prop" + i + " xmlns=\"http://example.com/neon/litmus/\">value" +
                i + "</prop" + i + "></D:prop></D:set>\n";
    }
    body += "</D:propertyupdate>\n";
    const auto r = proppatch(body);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 10u);
    for (int n = 0; n < 10; ++n) {
        const auto& u = (*r)[static_cast<std::size_t>(n)];
        EXPECT_EQ(u.op, PropertyUpdate::Op::set);
        EXPECT_EQ(u.name, (PropertyName{std::string(kLitmusNs), "prop" + std::to_string(n)}));
        EXPECT_EQ(u.value_xml, "value" + std::to_string(n));
        EXPECT_EQ(u.lang, "");
    }
}

TEST(Proppatch, LitmusPropdeletesMixesRemoveAndSet) {
    const auto r = proppatch(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<D:propertyupdate xmlns:D=\"DAV:\">"
        "<D:remove><D:prop><prop0 xmlns=\"http://example.com/neon/litmus/\"></prop0></D:prop>"
        "</D:remove>\n<D:set><D:prop><prop5 xmlns=\"http://example.com/neon/litmus/\">newvalue5"
        "</prop5></D:prop></D:set>\n</D:propertyupdate>\n");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].op, PropertyUpdate::Op::remove);
    EXPECT_EQ((*r)[0].name.name, "prop0");
    EXPECT_EQ((*r)[1].op, PropertyUpdate::Op::set);
    EXPECT_EQ((*r)[1].value_xml, "newvalue5");
}

TEST(Proppatch, LitmusRemoveSetAndSetRemoveKeepOrder) {
    const auto rs = proppatch(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?><propertyupdate xmlns='DAV:'>"
        "<remove><prop><removeset xmlns='http://example.com/neon/litmus/'/></prop></remove>"
        "<set><prop><removeset xmlns='http://example.com/neon/litmus/'>x</removeset></prop></set>"
        "<set><prop><removeset xmlns='http://example.com/neon/litmus/'>y</removeset></prop></set>"
        "</propertyupdate>");
    ASSERT_TRUE(rs);
    ASSERT_EQ(rs->size(), 3u);
    EXPECT_EQ((*rs)[0].op, PropertyUpdate::Op::remove);
    EXPECT_EQ((*rs)[1].value_xml, "x");
    EXPECT_EQ((*rs)[2].value_xml, "y");

    const auto sr = proppatch(
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?><propertyupdate xmlns='DAV:'>"
        "<set><prop><removeset xmlns='http://example.com/neon/litmus/'>x</removeset></prop></set>"
        "<remove><prop><removeset xmlns='http://example.com/neon/litmus/'/></prop></remove>"
        "</propertyupdate>");
    ASSERT_TRUE(sr);
    ASSERT_EQ(sr->size(), 2u);
    EXPECT_EQ((*sr)[0].op, PropertyUpdate::Op::set);
    EXPECT_EQ((*sr)[1].op, PropertyUpdate::Op::remove);
}

TEST(Proppatch, LitmusNullNamespace) {
    const auto r = proppatch("<?xml version=\"1.0\" encoding=\"utf-8\" ?><propertyupdate "
                             "xmlns=\"DAV:\"><set><prop><nonamespace xmlns=\"\">randomvalue"
                             "</nonamespace></prop></set></propertyupdate>");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].name, (PropertyName{"", "nonamespace"}));
    EXPECT_EQ((*r)[0].value_xml, "randomvalue");
}

TEST(Proppatch, LitmusHighUnicodeBecomesUtf8) {
    const auto r = proppatch("<?xml version=\"1.0\" encoding=\"utf-8\" ?><propertyupdate "
                             "xmlns='DAV:'><set><prop><high-unicode "
                             "xmlns='http://example.com/neon/litmus/'>&#65536;</high-unicode>"
                             "</prop></set></propertyupdate>");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].value_xml, "\xF0\x90\x80\x80"); // U+10000, what neon compares against
    EXPECT_EQ(value_of("<a xmlns='urn:a'>\xF0\x9F\x98\x80 &#x1F600;</a>"),
              "\xF0\x9F\x98\x80 \xF0\x9F\x98\x80");
}

TEST(Proppatch, LitmusValnspaceKeepsTheValuesNamespace) {
    const auto r = proppatch("<?xml version=\"1.0\" encoding=\"utf-8\" ?><propertyupdate "
                             "xmlns='DAV:'><set><prop><t:valnspace "
                             "xmlns:t='http://example.com/neon/litmus/'><foo xmlns='http://bar'/>"
                             "</t:valnspace></prop></set></propertyupdate>");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].name, (PropertyName{std::string(kLitmusNs), "valnspace"}));
    EXPECT_EQ((*r)[0].value_xml, "<foo xmlns=\"http://bar\"></foo>");
}

TEST(Proppatch, LitmusManyNamespaces) {
    const char* names[] = {"alpha", "beta", "gamma", "delta", "epsilon",
                           "zeta",  "eta",  "theta", "iota",  "kappa"};
    std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
                       "<D:propertyupdate xmlns:D=\"DAV:\">";
    for (const char* n : names) {
        body += "<D:set><D:prop><somename xmlns=\"http://example.com/" + std::string(n) +
                "\">manynsvalue</somename></D:prop></D:set>\n";
    }
    const auto r = proppatch(body + "</D:propertyupdate>\n");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ((*r)[i].name,
                  (PropertyName{"http://example.com/" + std::string(names[i]), "somename"}));
        EXPECT_EQ((*r)[i].value_xml, "manynsvalue");
    }
}

TEST(Proppatch, ValueTextIsEscapedAndExact) {
    EXPECT_EQ(value_of("<a xmlns='urn:a'>1 &lt; 2 &amp;&amp; 3 &gt; 2</a>"),
              "1 &lt; 2 &amp;&amp; 3 &gt; 2");
    EXPECT_EQ(value_of("<a xmlns='urn:a'><![CDATA[<not> & markup]]></a>"),
              "&lt;not&gt; &amp; markup");
    EXPECT_EQ(value_of("<a xmlns='urn:a'>  spaced\n\tout  </a>"), "  spaced\n\tout  ");
    // A parser turns CRLF into LF; a CR given as a reference must survive a second parse.
    EXPECT_EQ(value_of("<a xmlns='urn:a'>x\r\ny&#13;z</a>"), "x\ny&#13;z");
    // Comments and processing instructions are not part of a value (RFC 4918 §4.3).
    EXPECT_EQ(value_of("<a xmlns='urn:a'>x<!-- no -->y<?pi no?>z</a>"), "xyz");
    EXPECT_EQ(value_of("<a xmlns='urn:a'/>"), "");
    EXPECT_EQ(value_of("<a xmlns='urn:a'></a>"), "");
}

TEST(Proppatch, ValueElementsCarryTheirNamespaces) {
    // A prefix declared outside the value is declared on the element that uses it.
    EXPECT_EQ(value_of("<Z:a xmlns:Z='urn:z'><Z:b>1</Z:b><Z:b>2</Z:b></Z:a>"),
              "<Z:b xmlns:Z=\"urn:z\">1</Z:b><Z:b xmlns:Z=\"urn:z\">2</Z:b>");
    // One declared inside is kept where the client put it, and not repeated below.
    EXPECT_EQ(value_of("<a xmlns='urn:a'><p:b xmlns:p='urn:p'><p:c/><p:c/></p:b></a>"),
              "<p:b xmlns:p=\"urn:p\"><p:c></p:c><p:c></p:c></p:b>");
    // Unprefixed elements declare the default namespace they are in, "" included, since the
    // fragment cannot know the default where it will be embedded.
    EXPECT_EQ(value_of("<a xmlns='urn:a'><b/><c xmlns=''/></a>"),
              "<b xmlns=\"urn:a\"></b><c xmlns=\"\"></c>");
    EXPECT_EQ(value_of("<D:getetag>x<e/></D:getetag>"), "x<e xmlns=\"\"></e>");
    // Attributes: unprefixed, prefixed (declared as needed), xml:lang (never declared), with
    // the characters attribute normalisation would lose written as references.
    EXPECT_EQ(value_of("<a xmlns='urn:a' xmlns:q='urn:q'><b x='1' q:y='&quot;&#9;&#10;&#13;' "
                       "xml:lang='fr'/></a>"),
              "<b xmlns=\"urn:a\" xmlns:q=\"urn:q\" x=\"1\" q:y=\"&quot;&#9;&#10;&#13;\" "
              "xml:lang=\"fr\"></b>");
    // The client's prefix D for something else than DAV: stays its own.
    EXPECT_EQ(value_of("<a xmlns='urn:a'><D:x xmlns:D='urn:not-dav'/></a>"),
              "<D:x xmlns:D=\"urn:not-dav\"></D:x>");
}

TEST(Proppatch, ValuesMeanTheSameWhereverEmbedded) {
    // Each value, read inside an element whose context binds the default namespace and the
    // prefixes D and Z to other namespaces, reads as it did in the request.
    const std::string_view elements[] = {
        "<Z:a xmlns:Z='urn:z'><Z:b Z:at='v'>t<c/>u</Z:b>tail</Z:a>",
        "<a xmlns='urn:a'><b><c xmlns=''><d/></c></b></a>",
        "<a xmlns='urn:a' xmlns:D='DAV:'><D:href>/x</D:href><x xml:lang='en'>hi</x></a>",
        "<a xmlns='urn:a'>&amp;&lt;&gt;&#13;\xF0\x90\x80\x80<![CDATA[]]>]]&gt;</a>",
        "<D:displayname>plain</D:displayname>",
        "<Z:a xmlns:Z='urn:z'><plain>no namespace, none declared</plain></Z:a>",
        "<a xmlns='urn:a' xmlns:p1='urn:1'><p1:x xmlns:p1='urn:2'><p1:y/></p1:x><p1:z/></a>",
    };
    for (auto element : elements) {
        const std::string doc = "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop>" +
                                std::string(element) + "</D:prop></D:set></D:propertyupdate>";
        const auto r = proppatch(doc);
        ASSERT_TRUE(r) << element;
        ASSERT_EQ(r->size(), 1u);
        const auto sent = testing::canonical_content(doc, (*r)[0].name);
        ASSERT_TRUE(sent) << element;
        EXPECT_EQ(canonical_value((*r)[0].value_xml), sent)
            << element << "\nbecame " << (*r)[0].value_xml;
    }
}

TEST(Proppatch, LangInScopeIsKept) {
    const auto r = proppatch("<D:propertyupdate xmlns:D=\"DAV:\" xml:lang=\"en\"><D:set><D:prop>"
                             "<a xmlns=\"urn:a\">inherited</a>"
                             "<b xmlns=\"urn:a\" xml:lang=\"de\">own</b>"
                             "<c xmlns=\"urn:a\" xml:lang=\"\">none</c>"
                             "</D:prop></D:set></D:propertyupdate>");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].lang, "en");
    EXPECT_EQ((*r)[1].lang, "de");
    EXPECT_EQ((*r)[2].lang, "");
}

TEST(Proppatch, RemoveIgnoresContentAndUnknownsAreSkipped) {
    const auto r = proppatch("<propertyupdate xmlns=\"DAV:\" xmlns:x=\"urn:x\">"
                             "<x:ext><set><prop><hidden/></prop></set></x:ext>"
                             "<remove><prop><gone>ignored<x:y/></gone></prop><x:other/></remove>"
                             "<set><x:note/><prop><kept>1</kept></prop></set>"
                             "</propertyupdate>");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].op, PropertyUpdate::Op::remove);
    EXPECT_EQ((*r)[0].name, (PropertyName{"DAV:", "gone"}));
    EXPECT_EQ((*r)[0].value_xml, "");
    EXPECT_EQ((*r)[1].name, (PropertyName{"DAV:", "kept"}));
    EXPECT_EQ((*r)[1].value_xml, "1");
}

TEST(Proppatch, RefusesMalformed) {
    const char* bodies[] = {
        "",
        "<propertyupdate xmlns=\"DAV:\"><set><prop><a>x</a></prop></set>",
        "<propfind xmlns=\"DAV:\"><allprop/></propfind>",
        "<propertyupdate><set><prop><a/></prop></set></propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\"/>",
        "<propertyupdate xmlns=\"DAV:\"><set/><remove><prop/></remove></propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\"><set><prop><z:a/></prop></set></propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\"><set><prop><a xmlns:e=\"\"/></prop></set>"
        "</propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\"><set><prop><a>&undefined;</a></prop></set>"
        "</propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\"><set><prop><a>&#1;</a></prop></set></propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\"><set><prop><a x='1' x='2'/></prop></set>"
        "</propertyupdate>",
        "<propertyupdate xmlns=\"DAV:\" xmlns:p=\"urn:u\" xmlns:q=\"urn:u\"><set><prop>"
        "<a p:x='1' q:x='2'/></prop></set></propertyupdate>",
    };
    for (const char* body : bodies) EXPECT_FALSE(proppatch(body)) << body;
}

TEST(Proppatch, OutsideDeclarationsAreBounded) {
    // Many top-level siblings each needing a long URI declared outside the value: the copies
    // are bounded by 64 KiB plus four times the body.
    auto body = [](std::size_t uri_length, std::size_t siblings) {
        std::string b =
            "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:" + std::string(uri_length, 'u') +
            "\"><D:set><D:prop><Z:v>";
        for (std::size_t i = 0; i < siblings; ++i) b += "<Z:s/>";
        return b + "</Z:v></D:prop></D:set></D:propertyupdate>";
    };
    const auto fine = proppatch(body(100, 100)); // ~10 KiB of declarations
    ASSERT_TRUE(fine);
    EXPECT_GT((*fine)[0].value_xml.size(), 100u * 100u);
    std::string error;
    EXPECT_FALSE(parse_proppatch(body(100'000, 10'000), error)); // would be 1 GB
    EXPECT_EQ(error, "too many namespace declarations in values");
}

TEST(Proppatch, EncodingDeclarationIsHonoured) {
    // ISO-8859-1 bytes come out as UTF-8.
    const auto r = proppatch("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
                             "<propertyupdate xmlns=\"DAV:\"><set><prop><a>caf\xE9</a></prop>"
                             "</set></propertyupdate>");
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].value_xml, "caf\xC3\xA9");
}

TEST(Wellformed, Checks) {
    EXPECT_TRUE(is_wellformed_xml("<a/>"));
    EXPECT_TRUE(is_wellformed_xml("<?xml version=\"1.0\"?><p:a xmlns:p=\"u\"><!--c--></p:a>"));
    std::string error;
    EXPECT_FALSE(is_wellformed_xml("", &error));
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(is_wellformed_xml("<p:a/>"));
    EXPECT_FALSE(is_wellformed_xml("<a></b>"));
    EXPECT_FALSE(is_wellformed_xml("<a/><a/>"));
    // No depth bound here: a Multi-Status nests values deeper than any request did.
    std::string deep;
    for (int i = 0; i < 200; ++i) deep += "<e>";
    for (int i = 0; i < 200; ++i) deep += "</e>";
    EXPECT_TRUE(is_wellformed_xml(deep));
}

} // namespace
} // namespace pier::webdav
