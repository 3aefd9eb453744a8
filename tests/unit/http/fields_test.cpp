#include <pier/fields.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <iterator>
#include <new>
#include <ranges>
#include <stdexcept>
#include <string>
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
// The nothrow forms too (std::stable_sort's buffer uses them): left to the library, they would
// pair its allocator with this free and ASan would report a mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (g_counting) ++g_allocations;
    return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace pier {
namespace {

using namespace std::string_view_literals;

static_assert(std::forward_iterator<Fields::Values::iterator>);
static_assert(std::ranges::forward_range<Fields::Values>);
static_assert(std::is_nothrow_move_constructible_v<Fields>);
static_assert(std::is_nothrow_move_assignable_v<Fields>);

std::vector<std::string> values_of(const Fields& f, std::string_view name) {
    std::vector<std::string> out;
    for (std::string_view v : f.values(name)) out.emplace_back(v);
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}
std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// The O(1) index must always say what a scan of the fields says.
void expect_index_matches_scan(const Fields& f, const char* step) {
    for (std::size_t i = 1; i < kFieldIdCount; ++i) {
        const auto id = static_cast<FieldId>(i);
        const Field* first = nullptr;
        std::size_t n = 0;
        for (const Field& field : f) {
            if (field.id != id) continue;
            if (n++ == 0) first = &field;
        }
        EXPECT_EQ(f.count(id), n) << step << ": " << field_name(id);
        EXPECT_EQ(f.find(id), first) << step << ": " << field_name(id);
        EXPECT_EQ(f.find(field_name(id)), first) << step << ": " << field_name(id);
    }
}

// ---- field_id / field_name ---------------------------------------------------------------

TEST(FieldId, KnownNamesAnyCase) {
    struct C {
        std::string_view name;
        FieldId id;
    };
    const C cases[] = {
        {"Host", FieldId::host},
        {"host", FieldId::host},
        {"HOST", FieldId::host},
        {"hOsT", FieldId::host},
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
        {"http2-settings", FieldId::http2_settings},
    };
    for (const auto& c : cases) EXPECT_EQ(field_id(c.name), c.id) << c.name;
}

TEST(FieldId, EveryIdRoundTripsThroughItsNameInAnyCase) {
    for (std::size_t i = 1; i < kFieldIdCount; ++i) {
        const auto id = static_cast<FieldId>(i);
        const std::string_view name = field_name(id);
        ASSERT_FALSE(name.empty()) << i;
        EXPECT_TRUE(is_valid_field_name(name)) << name;
        EXPECT_EQ(field_id(name), id) << name;
        EXPECT_EQ(field_id(lower(name)), id) << name;
        EXPECT_EQ(field_id(upper(name)), id) << name;
        // One character short and one too long are other names.
        EXPECT_EQ(field_id(name.substr(0, name.size() - 1)), FieldId::unknown) << name;
        EXPECT_EQ(field_id(std::string(name) + "s"), FieldId::unknown) << name;
    }
    EXPECT_EQ(field_name(FieldId::content_length), "Content-Length");
    EXPECT_EQ(field_name(FieldId::www_authenticate), "WWW-Authenticate");
    EXPECT_EQ(field_name(FieldId::unknown), "");
    EXPECT_EQ(field_name(FieldId::count_), "");
}

TEST(FieldId, OtherNamesAreUnknown) {
    for (std::string_view name : {
             ""sv, "X-Custom"sv, "Hos"sv, "Hostt"sv, "Content_Length"sv, "Content-Lengt"sv,
             "Content-Length "sv, " Host"sv, "Host:"sv, "Host\0"sv, "Hos\x14"sv, "ETa\x07"sv,
             // Bytes that fold onto a name's '-' or digit when bit 5 is set (CR → '-',
             // 0x12 → '2'): only a token may match.
             "Content\rLength"sv, "HTTP\x12-Settings"sv, "Content-Length-X"sv,
             "If-Unmodified-Since-Whatever-Long-Name"sv,
             "Ho\xd3t"sv, // 'S' | 0x80
         }) {
        EXPECT_EQ(field_id(name), FieldId::unknown) << name;
    }
}

// field_id's fast compare must agree with a plain case-insensitive search of the table for
// every known name with any one byte replaced by any other, including the bytes (CR,
// 0x10-0x19, 0x80+) that a bit-5 fold could confuse with '-', digits or letters.
TEST(FieldId, AgreesWithAPlainSearchForEveryOneByteChange) {
    std::vector<std::string> known_lower(kFieldIdCount);
    for (std::size_t i = 1; i < kFieldIdCount; ++i)
        known_lower[i] = lower(field_name(static_cast<FieldId>(i)));
    const auto reference = [&](const std::string& name) {
        if (!is_valid_field_name(name)) return FieldId::unknown;
        const std::string folded = lower(name);
        for (std::size_t i = 1; i < kFieldIdCount; ++i)
            if (known_lower[i] == folded) return static_cast<FieldId>(i);
        return FieldId::unknown;
    };
    for (std::size_t i = 1; i < kFieldIdCount; ++i) {
        const std::string name(field_name(static_cast<FieldId>(i)));
        for (std::size_t at = 0; at < name.size(); ++at) {
            std::string changed = name;
            for (int b = 0; b < 256; ++b) {
                changed[at] = static_cast<char>(b);
                ASSERT_EQ(field_id(changed), reference(changed)) << name << " @" << at << " " << b;
            }
        }
    }
}

// ---- validity ----------------------------------------------------------------------------

// Every byte, against the grammar spelled out again here: tchar for names (RFC 9110 §5.6.2);
// VCHAR, SP, HTAB and obs-text inside a value (RFC 9110 §5.5).
TEST(FieldValidity, EveryByteInNamesAndValues) {
    const std::string_view tchar_punctuation = "!#$%&'*+-.^_`|~";
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const bool alnum =
            (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
        const bool tchar = alnum || tchar_punctuation.find(c) != std::string_view::npos;
        const bool value_inner = b == '\t' || (b >= 0x20 && b != 0x7f);
        const bool value_edge = b > 0x20 && b != 0x7f;
        const std::string inner = std::string("a") + c + "b";
        EXPECT_EQ(is_valid_field_name(inner), tchar) << b;
        EXPECT_EQ(is_valid_field_name(std::string(1, c)), tchar) << b;
        EXPECT_EQ(is_valid_field_value(inner), value_inner) << b;
        EXPECT_EQ(is_valid_field_value(std::string(1, c) + "b"), value_edge) << b;
        EXPECT_EQ(is_valid_field_value("a" + std::string(1, c)), value_edge) << b;
    }
    EXPECT_FALSE(is_valid_field_name(""));
    EXPECT_TRUE(is_valid_field_value("")); // field-value = *field-content
}

TEST(Fields, RejectsInvalidNamesAndValuesWithTheSpecificError) {
    struct C {
        const char* what;
        std::string_view name;
        std::string_view value;
        FieldError error;
    };
    const C cases[] = {
        {"empty name", "", "v", FieldError::invalid_name},
        {"space in name", "X Y", "v", FieldError::invalid_name},
        {"trailing space in name", "X ", "v", FieldError::invalid_name},
        {"colon in name", "X:", "v", FieldError::invalid_name},
        {"CR in name", "X\r", "v", FieldError::invalid_name},
        {"LF in name", "X\nY", "v", FieldError::invalid_name},
        {"NUL in name", "X\0"sv, "v", FieldError::invalid_name},
        {"control in name", "X\x01", "v", FieldError::invalid_name},
        {"DEL in name", "X\x7f", "v", FieldError::invalid_name},
        {"non-ASCII name", "X\xc3\xa9", "v", FieldError::invalid_name},
        {"separator in name", "X(Y)", "v", FieldError::invalid_name},
        {"bad name and bad value", "X Y", "a\rb", FieldError::invalid_name},
        {"CR in value", "X", "a\rb", FieldError::invalid_value},
        {"LF in value", "X", "a\nb", FieldError::invalid_value},
        {"CRLF injection", "X", "a\r\nSet-Cookie: evil", FieldError::invalid_value},
        {"NUL in value", "X", "a\0b"sv, FieldError::invalid_value},
        {"control in value", "X", "a\x01", FieldError::invalid_value},
        {"ESC in value", "X", "a\x1b[2Jb", FieldError::invalid_value},
        {"DEL in value", "X", "a\x7f", FieldError::invalid_value},
        {"leading space", "X", " a", FieldError::invalid_value},
        {"leading tab", "X", "\ta", FieldError::invalid_value},
        {"trailing space", "X", "a ", FieldError::invalid_value},
        {"trailing tab", "X", "a\t", FieldError::invalid_value},
        {"only a space", "X", " ", FieldError::invalid_value},
    };
    for (const auto& c : cases) {
        Fields f;
        const auto e = f.try_add(c.name, c.value);
        ASSERT_TRUE(e.has_value()) << c.what;
        EXPECT_EQ(*e, c.error) << c.what;
        EXPECT_TRUE(f.empty()) << c.what;
        EXPECT_THROW(f.add(c.name, c.value), std::invalid_argument) << c.what;
        EXPECT_TRUE(f.empty()) << c.what;
        f.add("Keep", "me");
        f.add("X", "old");
        EXPECT_THROW(f.set(c.name, c.value), std::invalid_argument) << c.what;
        EXPECT_EQ(f.size(), 2u) << c.what << ": a failed set() erased something";
        EXPECT_EQ(f.get("X"), "old") << c.what;
    }
    Fields f;
    EXPECT_FALSE(f.try_add("X", "").has_value());
    EXPECT_FALSE(f.try_add("X", "a\tb caf\xc3\xa9").has_value());
    EXPECT_FALSE(f.try_add("!#$%&'*+-.^_`|~", "ok").has_value());
    EXPECT_EQ(f.size(), 3u);
    EXPECT_NE(to_string(FieldError::invalid_name), to_string(FieldError::invalid_value));
}

TEST(Fields, ExceptionNamesTheFieldWithoutRepeatingControlBytes) {
    Fields f;
    try {
        f.add("X-Trace", "a\r\nb");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string_view(e.what()).find("X-Trace"), std::string_view::npos) << e.what();
    }
    try {
        f.add("Bad\r\nName", "v");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& e) {
        const std::string_view what = e.what();
        EXPECT_NE(what.find("Bad\\x0d\\x0aName"), std::string_view::npos) << what;
        EXPECT_EQ(what.find_first_of("\r\n"), std::string_view::npos) << what;
    }
}

// ---- order, repeats, lookup --------------------------------------------------------------

TEST(Fields, KeepsOrderAndRepeatsSetCookieApart) {
    Fields f;
    f.add("Set-Cookie", "a=1; Path=/");
    f.add("X-A", "1");
    f.add("set-cookie", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].name, "Set-Cookie");
    EXPECT_EQ(f[1].name, "X-A");
    EXPECT_EQ(f[2].name, "set-cookie"); // spelling kept as given
    EXPECT_EQ(f[0].id, FieldId::set_cookie);
    EXPECT_EQ(f[1].id, FieldId::unknown);
    EXPECT_EQ(f.count("SET-COOKIE"), 2u);
    EXPECT_EQ(
        values_of(f, "Set-Cookie"),
        (std::vector<std::string>{"a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT"}));
    EXPECT_EQ(std::ranges::distance(f.values(FieldId::set_cookie)), 2);
    EXPECT_EQ(f.get("set-cookie"), "a=1; Path=/");
    EXPECT_EQ(f.joined("x-a"), "1");
    std::vector<std::string_view> names;
    for (const Field& field : f) names.push_back(field.name);
    EXPECT_EQ(names, (std::vector<std::string_view>{"Set-Cookie", "X-A", "set-cookie"}));
}

TEST(Fields, LookupByIdAndByNameAgree) {
    Fields f;
    f.add("X-Custom", "c");
    f.add("host", "example.com");
    f.add("Accept-Encoding", "gzip");
    f.add("accept-encoding", "br");
    f.add("x-custom", "d");
    f.add("X-Empty", "");
    EXPECT_EQ(f.find(FieldId::host), f.find("Host"));
    ASSERT_NE(f.find(FieldId::host), nullptr);
    EXPECT_EQ(f.find(FieldId::host)->value, "example.com");
    EXPECT_EQ(f.find("X-CUSTOM"), &f[0]);
    EXPECT_EQ(f.count(FieldId::accept_encoding), 2u);
    EXPECT_EQ(f.joined(FieldId::accept_encoding), "gzip, br");
    EXPECT_EQ(f.joined("X-CUSTOM"), "c, d");
    EXPECT_EQ(f.joined("X-Missing"), "");
    EXPECT_EQ(f.count("x-custom"), 2u);
    EXPECT_EQ(values_of(f, "X-Custom"), (std::vector<std::string>{"c", "d"}));
    EXPECT_FALSE(f.contains(FieldId::content_length));
    EXPECT_FALSE(f.contains("X-Missing"));
    EXPECT_FALSE(f.contains("X-Custo"));
    EXPECT_TRUE(f.contains("x-empty"));
    EXPECT_EQ(f.get("x-empty", "fallback"), ""); // present, empty: not the fallback
    EXPECT_EQ(f.get(FieldId::content_length, "none"), "none");
    EXPECT_EQ(f.get("X-Missing", "none"), "none");
    EXPECT_EQ(f.count(FieldId::unknown), 0u);
    EXPECT_EQ(f.find(FieldId::unknown), nullptr);
    EXPECT_TRUE(f.values(FieldId::date).empty());
    EXPECT_TRUE(f.values("X-Missing").empty());
    EXPECT_TRUE(f.values(FieldId::unknown).empty());
}

TEST(Fields, JoinedKeepsEmptyValuesInPlace) {
    Fields f;
    f.add("Vary", "");
    f.add("Vary", "Accept");
    f.add("Vary", "");
    EXPECT_EQ(f.joined(FieldId::vary), ", Accept, ");
}

TEST(Fields, ValuesIteratorsOutliveTheRange) {
    Fields f;
    f.add("X-A", "1");
    f.add("Host", "h");
    f.add("x-a", "2");
    auto it = f.values("X-A").begin(); // the Values temporary dies here
    EXPECT_EQ(*it, "1");
    ++it;
    EXPECT_EQ(*it, "2");
    it++;
    EXPECT_EQ(it, f.values("X-A").end());
    auto by_id = f.values(FieldId::host).begin();
    EXPECT_EQ(*by_id++, "h");
    EXPECT_EQ(by_id, f.values(FieldId::host).end());
}

TEST(Fields, IndexStaysRightThroughAddEraseSetClear) {
    Fields f;
    struct Step {
        const char* what;
        void (*run)(Fields&);
    };
    const Step steps[] = {
        {"add", [](Fields& x) { x.add("A", "1"); }},
        {"add host", [](Fields& x) { x.add("Host", "h1"); }},
        {"add B", [](Fields& x) { x.add("B", "2"); }},
        {"add host again", [](Fields& x) { x.add("host", "h2"); }},
        {"add a", [](Fields& x) { x.add("a", "3"); }},
        {"add_view date", [](Fields& x) { x.add_view("Date", "d", FieldId::date); }},
        {"erase a", [](Fields& x) { EXPECT_EQ(x.erase("a"), 2u); }},
        {"erase missing", [](Fields& x) { EXPECT_EQ(x.erase("Z"), 0u); }},
        {"erase host", [](Fields& x) { EXPECT_EQ(x.erase(FieldId::host), 2u); }},
        {"erase host again", [](Fields& x) { EXPECT_EQ(x.erase("HOST"), 0u); }},
        {"erase unknown id", [](Fields& x) { EXPECT_EQ(x.erase(FieldId::unknown), 0u); }},
        {"set new", [](Fields& x) { x.set("Content-Length", "5"); }},
        {"set again", [](Fields& x) { x.set("content-length", "6"); }},
        {"set unknown", [](Fields& x) { x.set("b", "9"); }},
        {"add after set", [](Fields& x) { x.add("Content-Length", "7"); }},
        {"clear", [](Fields& x) { x.clear(); }},
        {"add after clear", [](Fields& x) { x.add("Date", "e"); }},
    };
    for (const Step& s : steps) {
        s.run(f);
        expect_index_matches_scan(f, s.what);
    }
    EXPECT_EQ(f.size(), 1u);
}

TEST(Fields, EraseAndSet) {
    Fields f;
    f.add("A", "1");
    f.add("Host", "h1");
    f.add("B", "2");
    f.add("Host", "h2");
    f.add("a", "3");
    EXPECT_EQ(f.erase("a"), 2u);
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].name, "Host");
    EXPECT_EQ(f.find(FieldId::host)->value, "h1"); // index rebuilt after positions moved
    EXPECT_EQ(f.erase(FieldId::host), 2u);
    EXPECT_EQ(f.find(FieldId::host), nullptr);
    f.set("Content-Length", "5");
    f.set("content-length", "6");
    EXPECT_EQ(f.count(FieldId::content_length), 1u);
    EXPECT_EQ(f.get(FieldId::content_length), "6");
    EXPECT_EQ(f[f.size() - 1].name, "content-length"); // set() appends
    f.set("B", f.get("b"));                            // a value viewing the field it replaces
    EXPECT_EQ(f.get("B"), "2");
    EXPECT_EQ(f.count("b"), 1u);
    f.clear();
    EXPECT_TRUE(f.empty());
    EXPECT_EQ(f.find(FieldId::content_length), nullptr);
    EXPECT_EQ(f.count("B"), 0u);
}

TEST(Fields, AddViewIndexesByIdWithoutCopying) {
    const std::string wire = "Content-Length5X-Y1Set-Cookiea=1";
    const std::string_view w = wire;
    Fields f;
    f.add_view(w.substr(0, 14), w.substr(14, 1), FieldId::content_length);
    f.add_view(w.substr(15, 3), w.substr(18, 1), FieldId::unknown);
    f.add_view(w.substr(19, 10), w.substr(29, 3), FieldId::set_cookie);
    EXPECT_EQ(f.get(FieldId::content_length), "5");
    EXPECT_EQ(f.get("content-length").data(), wire.data() + 14);
    EXPECT_EQ(f.get("x-y"), "1");
    EXPECT_EQ(f.find(FieldId::set_cookie), &f[2]);
    expect_index_matches_scan(f, "add_view");
}

TEST(Fields, IndexHoldsMoreFieldsThanA16BitCount) {
    constexpr std::size_t kMany = 70000; // past 65535, where a 16-bit index would wrap
    Fields f;
    f.add_view("X", "first", FieldId::unknown);
    for (std::size_t i = 0; i < kMany; ++i) f.add_view("Cookie", "c", FieldId::cookie);
    f.add_view("Host", "h", FieldId::host);
    EXPECT_EQ(f.count(FieldId::cookie), kMany);
    EXPECT_EQ(f.find(FieldId::host), &f[kMany + 1]);
    EXPECT_EQ(f.erase("x"), 1u);
    EXPECT_EQ(f.find(FieldId::host), &f[kMany]);
    EXPECT_EQ(f.find(FieldId::cookie), &f[0]);
}

#ifndef NDEBUG
TEST(FieldsDeathTest, AddViewWithTheWrongIdIsCaughtInDebugBuilds) {
    Fields f;
    EXPECT_DEATH(f.add_view("Host", "h", FieldId::date), "");
}
#endif

// ---- owned storage, copies, moves --------------------------------------------------------

TEST(Fields, OwnedTextSurvivesArenaChunkBoundaries) {
    // The first chunk holds 1024 bytes: fill it exactly, then spill one byte over, then a value
    // larger than any chunk so far.
    struct C {
        std::size_t size;
        char fill;
    };
    const C cases[] = {{1023, 'a'}, {1, 'b'}, {1, 'c'}, {2048, 'd'}, {5000, 'e'}, {1, 'f'}};
    Fields f;
    for (int round = 0; round < 2; ++round) { // the second round reuses the chunks
        f.clear();
        for (const C& c : cases) f.add("X" + std::string(1, c.fill), std::string(c.size, c.fill));
        ASSERT_EQ(f.size(), std::size(cases));
        for (std::size_t i = 0; i < std::size(cases); ++i)
            EXPECT_EQ(f[i].value, std::string(cases[i].size, cases[i].fill)) << round << i;
    }
}

TEST(Fields, CopiesOwnTheirText) {
    Fields copy;
    copy.add("Stale", "replaced by the assignment");
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
        original.add("X-Long", std::string(3000, 'y'));
        EXPECT_EQ(another.get(FieldId::content_type), "text/html");
        EXPECT_EQ(another.get("x-long"), std::string(3000, 'x'));
    }
    // The original and its arena are gone; under ASan a dangling view would be caught here.
    ASSERT_EQ(copy.size(), 2u);
    EXPECT_FALSE(copy.contains("Stale"));
    EXPECT_EQ(copy.get(FieldId::content_type), "text/html");
    EXPECT_EQ(copy.get("x-long"), std::string(3000, 'x'));
    expect_index_matches_scan(copy, "copy");
    copy = copy; // self-assignment keeps everything
    EXPECT_EQ(copy.get(FieldId::content_type), "text/html");
    copy.add("After", "copy"); // the copy's own arena works
    EXPECT_EQ(copy.get("after"), "copy");
}

TEST(Fields, CopiesKeepViewsIntoForeignBuffers) {
    const std::string buffer = "Host: a";
    Fields f;
    f.add_view(std::string_view(buffer).substr(0, 4), std::string_view(buffer).substr(6),
               FieldId::host);
    f.add("X-Owned", "o");
    const Fields copy = f;
    EXPECT_EQ(copy.find(FieldId::host)->value.data(), buffer.data() + 6);
    EXPECT_NE(copy.get("x-owned").data(), f.get("x-owned").data());
    EXPECT_EQ(copy.get("x-owned"), "o");
}

TEST(Fields, CopyAssignmentFromFieldsViewingTheTargetsArena) {
    Fields target;
    target.add("X-A", "owned-by-target");
    Fields viewer;
    viewer.add_view(target[0].name, target[0].value, FieldId::unknown);
    target = viewer; // must not overwrite the bytes it is copying from
    EXPECT_EQ(target.get("x-a"), "owned-by-target");
}

// Reading a moved-from Fields is the point: its state is documented (empty, usable).
// NOLINTBEGIN(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
TEST(Fields, MovesKeepTextAndLeaveTheSourceEmptyAndUsable) {
    Fields a;
    a.add("Host", "h");
    a.add("Set-Cookie", "s");
    const char* host_bytes = a.get(FieldId::host).data();
    Fields b(std::move(a));
    EXPECT_EQ(b.get(FieldId::host).data(), host_bytes); // nothing copied
    EXPECT_EQ(b.count(FieldId::set_cookie), 1u);
    EXPECT_TRUE(a.empty());
    EXPECT_EQ(a.find(FieldId::host), nullptr);
    EXPECT_EQ(a.count(FieldId::set_cookie), 0u);
    a.add("Host", "again");
    expect_index_matches_scan(a, "reuse after move");
    Fields c;
    c.add("Date", "d");
    c = std::move(b);
    EXPECT_EQ(c.get(FieldId::host), "h");
    EXPECT_FALSE(c.contains(FieldId::date));
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.find(FieldId::set_cookie), nullptr);
    expect_index_matches_scan(c, "move-assigned");
}
// NOLINTEND(bugprone-use-after-move,clang-analyzer-cplusplus.Move)

// ---- steady state ------------------------------------------------------------------------

TEST(Fields, SteadyStateReuseDoesNotAllocate) {
    Fields f;
    auto fill = [&f] {
        f.clear();
        f.add_view("Host", "example.com", FieldId::host);
        f.add_view("User-Agent", "curl/8", FieldId::user_agent);
        f.add_view("Accept", "*/*", FieldId::accept);
        f.add_view("X-Custom", "1", FieldId::unknown);
        f.add("Date", "Wed, 25 Nov 2026 06:14:45 GMT");
        f.add("X-Request-Id", "0123456789abcdef");
        f.set("Content-Length", "42");
        f.erase("X-Custom");
        EXPECT_EQ(f.get(FieldId::host), "example.com");
    };
    fill(); // warm-up: the vector and the arena grow once
    g_allocations = 0;
    g_counting = true;
    for (int i = 0; i < 100; ++i) fill();
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0);
    EXPECT_EQ(f.size(), 6u);
}

TEST(Fields, AllocationCounterSeesAllocations) {
    // Guards the test above against a counter that never counts.
    Fields f;
    g_allocations = 0;
    g_counting = true;
    f.add("A", "b");
    g_counting = false;
    EXPECT_GT(g_allocations.load(), 0);
}

} // namespace
} // namespace pier
