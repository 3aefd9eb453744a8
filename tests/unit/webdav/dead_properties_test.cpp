// Dead properties in extended attributes, on real files and directories in a mkdtemp
// directory under /tmp: set → get → Multi-Status → expat gives back what the client sent;
// rename carries them, COPY copies them, attributes other tools wrote are never handed out.
#include "webdav/dead_properties.hpp"
#include "webdav/multistatus.hpp"
#include "webdav/xml_request.hpp"
#include "xml_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

namespace pier::webdav {
namespace {

constexpr std::string_view kLitmusNs = "http://example.com/neon/litmus/";

class DeadProperties : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pier-webdav-dead-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        file_ = make_file("prop");
        sub_ = dir_ + "/sub";
        ASSERT_EQ(mkdir(sub_.c_str(), 0755), 0);
    }
    void TearDown() override {
        // Everything made here lives directly under dir_; rm -r by hand.
        const std::string cmd = "rm -rf '" + dir_ + "'";
        EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
    std::string make_file(const std::string& name) {
        const std::string path = dir_ + "/" + name;
        FILE* f = std::fopen(path.c_str(), "w");
        EXPECT_NE(f, nullptr);
        if (f) std::fclose(f);
        return path;
    }
    static std::vector<PropertyName> sorted_names(const std::string& path) {
        auto names = list_dead_property_names(path);
        EXPECT_TRUE(names) << to_string(names.error());
        if (!names) return {};
        std::sort(names->begin(), names->end());
        return *names;
    }

    std::string dir_, file_, sub_;
};

// The error of a get, nullopt when it succeeded.
std::optional<StoreError> get_error(const std::string& path, const PropertyName& name) {
    auto p = get_dead_property(path, name);
    if (p) return std::nullopt;
    return p.error();
}

// The stored value, or the error's text: a failed get reads as a mismatch, not a crash.
std::string value_at(const std::string& path, const PropertyName& name) {
    auto p = get_dead_property(path, name);
    return p ? p->value_xml : "<" + std::string(to_string(p.error())) + ">";
}

TEST_F(DeadProperties, SetGetRemoveOnFilesAndDirectories) {
    for (const std::string& path : {file_, sub_}) {
        const PropertyName name{std::string(kLitmusNs), "prop0"};
        EXPECT_EQ(get_error(path, name), StoreError::not_found);
        ASSERT_EQ(set_dead_property(path, {name, "value0", ""}), std::nullopt);
        auto got = get_dead_property(path, name);
        ASSERT_TRUE(got) << to_string(got.error());
        EXPECT_EQ(got->name, name);
        EXPECT_EQ(got->value_xml, "value0");
        EXPECT_EQ(got->lang, "");

        // Replace, then remove; removing again is still success (RFC 4918 §14.23).
        ASSERT_EQ(set_dead_property(path, {name, "newvalue0", "en-GB"}), std::nullopt);
        got = get_dead_property(path, name);
        ASSERT_TRUE(got);
        EXPECT_EQ(got->value_xml, "newvalue0");
        EXPECT_EQ(got->lang, "en-GB");
        EXPECT_EQ(remove_dead_property(path, name), std::nullopt);
        EXPECT_EQ(get_error(path, name), StoreError::not_found);
        EXPECT_EQ(remove_dead_property(path, name), std::nullopt);
    }
}

TEST_F(DeadProperties, EmptyNamespaceEmptyValueAndManyNamespaces) {
    ASSERT_EQ(set_dead_property(file_, {{"", "nonamespace"}, "randomvalue", ""}), std::nullopt);
    ASSERT_EQ(set_dead_property(file_, {{"urn:x", "empty"}, "", ""}), std::nullopt);
    const char* names[] = {"alpha", "beta", "gamma", "delta", "epsilon",
                           "zeta",  "eta",  "theta", "iota",  "kappa"};
    for (const char* n : names) {
        ASSERT_EQ(
            set_dead_property(
                file_, {{"http://example.com/" + std::string(n), "somename"}, "manynsvalue", ""}),
            std::nullopt);
    }
    EXPECT_EQ(value_at(file_, {"", "nonamespace"}), "randomvalue");
    EXPECT_EQ(value_at(file_, {"urn:x", "empty"}), "");
    // One namespace must not answer for another, nor the empty one for any.
    EXPECT_EQ(get_error(file_, {"http://example.com/alph", "somename"}), StoreError::not_found);
    EXPECT_EQ(get_error(file_, {"urn:x", "nonamespace"}), StoreError::not_found);
    const auto all = list_dead_properties(file_);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 12u);
    for (const auto& p : *all) {
        if (p.name.name == "somename") {
            EXPECT_EQ(p.value_xml, "manynsvalue");
        }
    }
    EXPECT_EQ(sorted_names(file_).size(), 12u);
}

TEST_F(DeadProperties, AttributeNamesAreClarkNotationAndReversible) {
    EXPECT_EQ(dead_property_attribute({"http://example.com/neon/litmus/", "prop0"}),
              "user.pier.dav.{http://example.com/neon/litmus/}prop0");
    EXPECT_EQ(dead_property_attribute({"", "x"}), "user.pier.dav.{}x");
    const PropertyName odd[] = {
        {"", "x"},
        {"urn:{braces}}", "name"}, // the namespace may hold '}', the local name cannot
        {"DAV:", "displayname"},
        {"http://example.com/\xE2\x82\xAC", "\xC3\xA9t\xC3\xA9"},
    };
    for (const auto& p : odd) {
        const auto a = dead_property_attribute(p);
        ASSERT_TRUE(a);
        EXPECT_EQ(parse_dead_property_attribute(*a), p) << *a;
        ASSERT_EQ(set_dead_property(file_, {p, "v", ""}), std::nullopt) << clark_name(p);
        EXPECT_EQ(value_at(file_, p), "v") << clark_name(p);
    }
    std::vector<PropertyName> want(std::begin(odd), std::end(odd));
    std::sort(want.begin(), want.end());
    EXPECT_EQ(sorted_names(file_), want);

    for (std::string_view bad : {"user.other", "user.pier.dav.", "user.pier.dav.x",
                                 "user.pier.dav.{ns", "user.pier.dav.{ns}", "trusted.pier.dav.{}x"})
        EXPECT_EQ(parse_dead_property_attribute(bad), std::nullopt) << bad;
}

TEST_F(DeadProperties, NameLengthAtAndPastTheLimit) {
    // "user.pier.dav.{" + ns + "}" + name: 255 bytes in all at most.
    const std::string ns = "urn:" + std::string(200, 'n');
    const std::string fits(255 - 16 - ns.size(), 'a');
    ASSERT_EQ(dead_property_attribute({ns, fits})->size(), 255u);
    EXPECT_EQ(set_dead_property(file_, {{ns, fits}, "v", ""}), std::nullopt);
    EXPECT_EQ(value_at(file_, {ns, fits}), "v");

    const PropertyName too_long{ns, fits + "a"};
    EXPECT_EQ(dead_property_attribute(too_long), std::nullopt);
    EXPECT_EQ(set_dead_property(file_, {too_long, "v", ""}), StoreError::name_too_long);
    EXPECT_EQ(get_error(file_, too_long), StoreError::not_found);
    EXPECT_EQ(remove_dead_property(file_, too_long), std::nullopt);
    EXPECT_EQ(status_for(StoreError::name_too_long), 403);
}

TEST_F(DeadProperties, ValueSizeLimits) {
    // Past the 64 KiB every Linux filesystem allows: E2BIG from the VFS.
    const std::string huge(70'000, 'x');
    EXPECT_EQ(set_dead_property(file_, {{"urn:x", "huge"}, huge, ""}), StoreError::value_too_large);
    EXPECT_EQ(status_for(StoreError::value_too_large), 507);
    // Just under it: ext4 without ea_inode keeps values within one block and says ENOSPC;
    // filesystems that can keep it must give it back intact.
    const std::string big(60'000, 'y');
    const auto e = set_dead_property(file_, {{"urn:x", "big"}, big, ""});
    if (e) {
        EXPECT_EQ(*e, StoreError::no_space) << to_string(*e);
        EXPECT_EQ(status_for(*e), 507);
    } else {
        EXPECT_EQ(value_at(file_, {"urn:x", "big"}), big);
    }
    // A value that fits a block does.
    const std::string medium(3'000, 'z');
    ASSERT_EQ(set_dead_property(file_, {{"urn:x", "medium"}, medium, ""}), std::nullopt);
    EXPECT_EQ(value_at(file_, {"urn:x", "medium"}), medium);
}

TEST_F(DeadProperties, RenameCarriesThemAndDeleteTakesThem) {
    ASSERT_EQ(set_dead_property(file_, {{"urn:x", "a"}, "1", ""}), std::nullopt);
    ASSERT_EQ(set_dead_property(sub_, {{"urn:x", "d"}, "2", ""}), std::nullopt);
    const std::string moved = dir_ + "/prop2", moved_dir = dir_ + "/sub2";
    ASSERT_EQ(rename(file_.c_str(), moved.c_str()), 0);
    ASSERT_EQ(rename(sub_.c_str(), moved_dir.c_str()), 0);
    EXPECT_EQ(value_at(moved, {"urn:x", "a"}), "1");
    EXPECT_EQ(value_at(moved_dir, {"urn:x", "d"}), "2");
    EXPECT_EQ(get_error(file_, {"urn:x", "a"}), StoreError::no_such_file);
    EXPECT_EQ(set_dead_property(file_, {{"urn:x", "a"}, "1", ""}), StoreError::no_such_file);
    const auto gone = list_dead_properties(file_);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error(), StoreError::no_such_file);

    // A new file of the old name starts with none.
    make_file("prop");
    EXPECT_TRUE(sorted_names(file_).empty());
}

TEST_F(DeadProperties, CopyAndRemoveAll) {
    ASSERT_EQ(set_dead_property(file_, {{"urn:x", "a"}, "1", "en"}), std::nullopt);
    ASSERT_EQ(set_dead_property(file_, {{"", "b"}, "<c xmlns=\"\">2</c>", ""}), std::nullopt);
    ASSERT_EQ(setxattr(file_.c_str(), "user.other", "keep", 4, 0), 0);
    const std::string copy = make_file("copy");
    ASSERT_EQ(set_dead_property(copy, {{"urn:x", "a"}, "old", ""}), std::nullopt);
    ASSERT_EQ(set_dead_property(copy, {{"urn:x", "only-here"}, "3", ""}), std::nullopt);

    ASSERT_EQ(copy_dead_properties(file_, copy), std::nullopt);
    const auto a = get_dead_property(copy, {"urn:x", "a"});
    ASSERT_TRUE(a);
    EXPECT_EQ(a->value_xml, "1");
    EXPECT_EQ(a->lang, "en");
    EXPECT_EQ(value_at(copy, {"", "b"}), "<c xmlns=\"\">2</c>");
    EXPECT_EQ(value_at(copy, {"urn:x", "only-here"}), "3");
    EXPECT_EQ(getxattr(copy.c_str(), "user.other", nullptr, 0), -1) << "only ours are copied";

    // Into a directory, and from one.
    ASSERT_EQ(copy_dead_properties(file_, sub_), std::nullopt);
    EXPECT_EQ(sorted_names(sub_), sorted_names(file_));

    ASSERT_EQ(remove_dead_properties(copy), std::nullopt);
    EXPECT_TRUE(sorted_names(copy).empty());
    ASSERT_EQ(remove_dead_properties(copy), std::nullopt);
    EXPECT_EQ(copy_dead_properties(dir_ + "/absent", copy), StoreError::no_such_file);
    EXPECT_EQ(copy_dead_properties(file_, dir_ + "/absent"), StoreError::no_such_file);
    char buffer[8];
    EXPECT_EQ(getxattr(file_.c_str(), "user.other", buffer, sizeof buffer), 4)
        << "other attributes are left alone";
}

TEST_F(DeadProperties, ForeignAttributesAreNeverHandedOut) {
    // Under our prefix, but written by some other tool: a name that is not an XML name, a
    // value that is not a well-formed fragment, a prefix it does not declare, a language
    // mark without its end. None may reach a Multi-Status.
    struct Raw {
        const char* name;
        std::string value;
    };
    const Raw raws[] = {
        {"user.pier.dav.{urn:x}a b", "v"},
        {"user.pier.dav.{urn:x}1digit", "v"},
        {"user.pier.dav.{urn:x}unclosed", "<a xmlns=\"\">"},
        {"user.pier.dav.{urn:x}prefix", "<p:a/>"},
        {"user.pier.dav.{urn:x}control", std::string("a\x02"
                                                     "b")},
        {"user.pier.dav.{urn:x}lang", std::string("\x01"
                                                  "en")},
        {"user.pier.dav.{urn:x}badlang", std::string("\x01"
                                                     "e\"n\x01v")},
        {"user.pier.dav.{urn:x}text", "<![CDATA[ok]]> &amp; fine"},
    };
    for (const auto& r : raws) {
        ASSERT_EQ(setxattr(file_.c_str(), r.name, r.value.data(), r.value.size(), 0), 0) << r.name;
    }
    const auto all = list_dead_properties(file_);
    ASSERT_TRUE(all);
    std::vector<std::string> names;
    for (const auto& p : *all) names.push_back(p.name.name);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"badlang", "text"}));
    EXPECT_EQ(get_error(file_, {"urn:x", "unclosed"}), StoreError::corrupt);
    EXPECT_EQ(get_error(file_, {"urn:x", "control"}), StoreError::corrupt);
    EXPECT_EQ(get_error(file_, {"urn:x", "lang"}), StoreError::corrupt);
    // An attribute value may hold a quote: the writer escapes it.
    const auto badlang = get_dead_property(file_, {"urn:x", "badlang"});
    ASSERT_TRUE(badlang);
    EXPECT_EQ(badlang->lang, "e\"n");
    EXPECT_EQ(status_for(StoreError::corrupt), 500);

    auto listed = list_dead_property_names(file_);
    ASSERT_TRUE(listed);
    // propname reads no values: only the two names that are not XML names are left out.
    EXPECT_EQ(listed->size(), 6u);
}

TEST_F(DeadProperties, SymlinksAreNotFollowed) {
    ASSERT_EQ(set_dead_property(file_, {{"urn:x", "a"}, "target", ""}), std::nullopt);
    const std::string link = dir_ + "/link";
    ASSERT_EQ(symlink(file_.c_str(), link.c_str()), 0);
    // Linux keeps no user attributes on a symbolic link: EPERM, whoever asks.
    EXPECT_EQ(set_dead_property(link, {{"urn:x", "a"}, "through-link", ""}),
              StoreError::permission);
    EXPECT_EQ(get_error(link, {"urn:x", "a"}), StoreError::not_found);
    EXPECT_TRUE(sorted_names(link).empty());
    EXPECT_EQ(value_at(file_, {"urn:x", "a"}), "target");
    EXPECT_EQ(status_for(StoreError::permission), 403);
}

TEST_F(DeadProperties, FilesystemWithoutUserAttributes) {
    // procfs keeps no user attributes: reads find nothing, writes fail with not_supported.
    const std::string proc = "/proc/self/status";
    EXPECT_EQ(set_dead_property(proc, {{"urn:x", "a"}, "v", ""}), StoreError::not_supported);
    EXPECT_EQ(status_for(StoreError::not_supported), 403);
    EXPECT_EQ(get_error(proc, {"urn:x", "a"}), StoreError::not_found);
    const auto all = list_dead_properties(proc);
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->empty());
    EXPECT_EQ(copy_dead_properties(proc, file_), std::nullopt);
    ASSERT_EQ(set_dead_property(file_, {{"urn:x", "a"}, "v", ""}), std::nullopt);
    EXPECT_EQ(copy_dead_properties(file_, proc), StoreError::not_supported);
}

// The whole path a value takes: PROPPATCH body → parse_proppatch → set → list → Multi-Status
// → expat. What the client reads back is what it sent.
TEST_F(DeadProperties, ValuesRoundTripThroughTheStore) {
    const std::string body =
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>"
        "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\"><D:set><D:prop>"
        "<t:valnspace xmlns:t='http://example.com/neon/litmus/'><foo xmlns='http://bar'/>"
        "</t:valnspace>"
        "<high-unicode xmlns='http://example.com/neon/litmus/'>&#65536;</high-unicode>"
        "<nonamespace xmlns=\"\">randomvalue</nonamespace>"
        "<Z:doc xml:lang=\"en\"><Z:p Z:class=\"x\" n=\"&quot;1&quot;\">a &lt; b<Z:br/>"
        "c &#13;</Z:p><o:x xmlns:o=\"urn:o\"><o:y xml:lang=\"fr\">\xC3\xA9</o:y></o:x></Z:doc>"
        "</D:prop></D:set></D:propertyupdate>";
    std::string error;
    const auto updates = parse_proppatch(body, error);
    ASSERT_TRUE(updates) << error;
    for (const auto& u : *updates) {
        ASSERT_EQ(set_dead_property(file_, {u.name, u.value_xml, u.lang}), std::nullopt)
            << clark_name(u.name);
    }
    const auto stored = list_dead_properties(file_);
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->size(), updates->size());

    MultistatusWriter ms;
    ms.begin_response("/litmus/prop");
    ms.propstat(200, *stored);
    ms.end_response();
    const std::string& out = ms.str();
    ASSERT_TRUE(is_wellformed_xml(out, &error)) << error << "\n" << out;
    for (const auto& u : *updates) {
        const auto sent = testing::canonical_content(body, u.name);
        const auto got = testing::canonical_content(out, u.name);
        ASSERT_TRUE(sent && got) << clark_name(u.name);
        EXPECT_EQ(*got, *sent) << clark_name(u.name) << "\n" << out;
    }
    const auto doc = get_dead_property(file_, {"urn:z", "doc"});
    ASSERT_TRUE(doc);
    EXPECT_EQ(doc->lang, "en");
    EXPECT_EQ(value_at(file_, {std::string(kLitmusNs), "high-unicode"}), "\xF0\x90\x80\x80");
}

TEST(StoreErrors, EveryErrorHasAStatusAndAText) {
    for (auto e : {StoreError::not_found, StoreError::no_such_file, StoreError::name_too_long,
                   StoreError::value_too_large, StoreError::no_space, StoreError::not_supported,
                   StoreError::permission, StoreError::corrupt, StoreError::io}) {
        EXPECT_NE(to_string(e), "unknown property store error");
        EXPECT_GE(status_for(e), 403);
    }
    EXPECT_EQ(status_for(StoreError::no_space), 507);
    EXPECT_EQ(status_for(StoreError::not_found), 404);
}

} // namespace
} // namespace pier::webdav
