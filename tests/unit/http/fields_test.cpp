#include <pier/fields.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <vector>

// Counts allocations while `g_counting` is set, to prove the steady state allocates nothing.
// The replacement pairs malloc with free by construction; GCC cannot see through that.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<bool> g_counting{false};
std::atomic<int> g_allocations{0};
} // namespace

void* operator new(std::size_t n) {
    if (g_counting) ++g_allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}

namespace pier {
namespace {

using namespace std::string_view_literals;

std::vector<std::string> values_of(const Fields& f, std::string_view name) {
    std::vector<std::string> out;
    for (std::string_view v : f.values(name)) out.emplace_back(v);
    return out;
}

TEST(FieldId, KnownNamesAnyCase) {
    struct C {
        std::string_view name;
        FieldId id;
    };
    const C cases[] = {
        {"Host", FieldId::host},
        {"host", FieldId::host},
        {"HOST", FieldId::host},
        {"content-length", FieldId::content_length},
        {"Content-LENGTH", FieldId::content_length},
        {"transfer-encoding", FieldId::transfer_encoding},
        {"TE", FieldId::te},
        {"te", FieldId::te},
        {"etag", FieldId::etag},
        {"www-authenticate", FieldId::www_authenticate},
        {"If-Unmodified-Since", FieldId::if_unmodified_since},
        {"Proxy-Authorization", FieldId::proxy_authorization},
        {"set-cookie", FieldId::set_cookie},
        {"X-Forwarded-For", FieldId::x_forwarded_for},
    };
    for (const auto& c : cases) EXPECT_EQ(field_id(c.name), c.id) << c.name;
}

TEST(FieldId, OtherNamesAreUnknown) {
    for (std::string_view name :
         {""sv, "X-Custom"sv, "Hos"sv, "Hostt"sv, "Content_Length"sv, "Content-Lengt"sv,
          "Content-Length "sv, "Content\rLength"sv, "Host\0"sv, "Hos\x14"sv, "ETa\x07"sv,
          "Content-Length-X"sv, "If-Unmodified-Since-Whatever-Long-Name"sv}) {
        EXPECT_EQ(field_id(name), FieldId::unknown) << name;
    }
}

TEST(FieldId, CanonicalNamesRoundTrip) {
    for (std::size_t i = 1; i < kFieldIdCount; ++i) {
        const auto id = static_cast<FieldId>(i);
        EXPECT_EQ(field_id(field_name(id)), id) << field_name(id);
    }
    EXPECT_EQ(field_name(FieldId::content_length), "Content-Length");
    EXPECT_EQ(field_name(FieldId::unknown), "");
}

TEST(Fields, KeepsOrderAndRepeats) {
    Fields f;
    f.add("Set-Cookie", "a=1; Path=/");
    f.add("X-A", "1");
    f.add("set-cookie", "b=2, c=3");
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].name, "Set-Cookie");
    EXPECT_EQ(f[1].name, "X-A");
    EXPECT_EQ(f[2].name, "set-cookie");
    EXPECT_EQ(f.count("SET-COOKIE"), 2u);
    EXPECT_EQ(values_of(f, "Set-Cookie"), (std::vector<std::string>{"a=1; Path=/", "b=2, c=3"}));
    EXPECT_EQ(f.get("set-cookie"), "a=1; Path=/");
    EXPECT_EQ(f.joined("x-a"), "1");
}

TEST(Fields, LookupByIdAndByNameAgree) {
    Fields f;
    f.add("X-Custom", "c");
    f.add("host", "example.com");
    f.add("Accept-Encoding", "gzip");
    f.add("accept-encoding", "br");
    f.add("x-custom", "d");
    EXPECT_EQ(f.find(FieldId::host), f.find("Host"));
    ASSERT_NE(f.find(FieldId::host), nullptr);
    EXPECT_EQ(f.find(FieldId::host)->value, "example.com");
    EXPECT_EQ(f.count(FieldId::accept_encoding), 2u);
    EXPECT_EQ(f.joined(FieldId::accept_encoding), "gzip, br");
    EXPECT_EQ(f.joined("X-CUSTOM"), "c, d");
    EXPECT_EQ(f.count("x-custom"), 2u);
    EXPECT_FALSE(f.contains(FieldId::content_length));
    EXPECT_FALSE(f.contains("X-Missing"));
    EXPECT_EQ(f.get(FieldId::content_length, "none"), "none");
    EXPECT_EQ(f.count(FieldId::unknown), 0u);
    EXPECT_TRUE(f.values(FieldId::date).empty());
    EXPECT_TRUE(f.values("X-Missing").empty());
}

TEST(Fields, EraseSetAndClearKeepTheIndexRight) {
    Fields f;
    f.add("A", "1");
    f.add("Host", "h1");
    f.add("B", "2");
    f.add("Host", "h2");
    f.add("a", "3");
    EXPECT_EQ(f.erase("a"), 2u);
    EXPECT_EQ(f.size(), 3u);
    EXPECT_EQ(f.find(FieldId::host)->value, "h1"); // index rebuilt after positions moved
    EXPECT_EQ(f.erase(FieldId::host), 2u);
    EXPECT_EQ(f.find(FieldId::host), nullptr);
    EXPECT_EQ(f.erase(FieldId::host), 0u);
    f.set("Content-Length", "5");
    f.set("content-length", "6");
    EXPECT_EQ(f.count(FieldId::content_length), 1u);
    EXPECT_EQ(f.get(FieldId::content_length), "6");
    EXPECT_EQ(f[f.size() - 1].name, "content-length"); // set() appends
    f.clear();
    EXPECT_TRUE(f.empty());
    EXPECT_EQ(f.find(FieldId::content_length), nullptr);
    EXPECT_EQ(f.count("B"), 0u);
}

TEST(Fields, RejectsInvalidNamesAndValues) {
    struct C {
        const char* what;
        std::string_view name;
        std::string_view value;
        FieldError error;
    };
    const C cases[] = {
        {"empty name", "", "v", FieldError::invalid_name},
        {"space in name", "X Y", "v", FieldError::invalid_name},
        {"colon in name", "X:", "v", FieldError::invalid_name},
        {"CR in name", "X\r", "v", FieldError::invalid_name},
        {"NUL in name", "X\0"sv, "v", FieldError::invalid_name},
        {"DEL in name", "X\x7f", "v", FieldError::invalid_name},
        {"non-ASCII name", "X\xc3\xa9", "v", FieldError::invalid_name},
        {"CR in value", "X", "a\rb", FieldError::invalid_value},
        {"LF in value", "X", "a\nb", FieldError::invalid_value},
        {"CRLF injection", "X", "a\r\nSet-Cookie: evil", FieldError::invalid_value},
        {"NUL in value", "X", "a\0b"sv, FieldError::invalid_value},
        {"control in value", "X", "a\x01", FieldError::invalid_value},
        {"DEL in value", "X", "a\x7f", FieldError::invalid_value},
        {"leading space", "X", " a", FieldError::invalid_value},
        {"trailing tab", "X", "a\t", FieldError::invalid_value},
    };
    for (const auto& c : cases) {
        Fields f;
        const auto e = f.try_add(c.name, c.value);
        ASSERT_TRUE(e.has_value()) << c.what;
        EXPECT_EQ(*e, c.error) << c.what;
        EXPECT_TRUE(f.empty()) << c.what;
        EXPECT_THROW(f.add(c.name, c.value), std::invalid_argument) << c.what;
        EXPECT_THROW(f.set(c.name, c.value), std::invalid_argument) << c.what;
    }
    Fields f;
    EXPECT_FALSE(f.try_add("X", "").has_value());
    EXPECT_FALSE(f.try_add("X", "a\tb caf\xc3\xa9").has_value());
    EXPECT_FALSE(f.try_add("!#$%&'*+-.^_`|~", "ok").has_value());
}

TEST(Fields, CopiesOwnTheirText) {
    Fields copy;
    {
        Fields original;
        std::string value = "text/html";
        original.add("Content-Type", value);
        original.add("X-Long", std::string(3000, 'x')); // spans a second arena chunk
        value.assign("overwritten");
        copy = original;
        Fields another(original);
        original.clear();
        original.add("Content-Type", "garbage!!");
        EXPECT_EQ(another.get(FieldId::content_type), "text/html");
    }
    // The original and its arena are gone; under ASan a dangling view would be caught here.
    EXPECT_EQ(copy.get(FieldId::content_type), "text/html");
    EXPECT_EQ(copy.get("x-long"), std::string(3000, 'x'));
    Fields moved(std::move(copy));
    EXPECT_EQ(moved.get(FieldId::content_type), "text/html");
}

TEST(Fields, CopiesKeepViewsIntoForeignBuffers) {
    const std::string buffer = "Host: a";
    Fields f;
    f.add_view(std::string_view(buffer).substr(0, 4), std::string_view(buffer).substr(6),
               FieldId::host);
    const Fields copy = f;
    EXPECT_EQ(copy.find(FieldId::host)->value.data(), buffer.data() + 6);
}

TEST(Fields, AddViewIndexesById) {
    const std::string wire = "Content-Length5X-Y1";
    Fields f;
    f.add_view(std::string_view(wire).substr(0, 14), std::string_view(wire).substr(14, 1),
               FieldId::content_length);
    f.add_view(std::string_view(wire).substr(15, 3), std::string_view(wire).substr(18, 1),
               FieldId::unknown);
    EXPECT_EQ(f.get(FieldId::content_length), "5");
    EXPECT_EQ(f.get("content-length"), "5");
    EXPECT_EQ(f.get("x-y"), "1");
}

TEST(Fields, SteadyStateReuseDoesNotAllocate) {
    Fields f;
    auto fill = [&f] {
        f.clear();
        f.add_view("Host", "example.com", FieldId::host);
        f.add_view("User-Agent", "curl/8", FieldId::user_agent);
        f.add_view("Accept", "*/*", FieldId::accept);
        f.add("Date", "Wed, 25 Nov 2026 06:14:45 GMT");
        f.add("X-Request-Id", "0123456789abcdef");
    };
    fill(); // warm-up: the vector and the arena grow once
    g_allocations = 0;
    g_counting = true;
    for (int i = 0; i < 100; ++i) fill();
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0);
    EXPECT_EQ(f.size(), 5u);
}

} // namespace
} // namespace pier
