// The codec against node's http_parser on the same bytes, in the same run (make bench).
// Inputs: the classic picohttpparser benchmark request, a minimal request, a 2 KiB browser
// request with cookies, and a response with 10 fields. Both parsers record every field's
// name and value, so the work compared is the same.
#include "bench_support.hpp"
#include "http/scan.hpp"

#include <pier/parser.hpp>

#include <benchmark/benchmark.h>

#include <http_parser.h>
#include <string>

namespace pier::bench {
namespace {

const std::string kClassic =
    "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n"
    "Host: www.kittyhell.com\r\n"
    "User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) "
    "Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n"
    "Accept-Encoding: gzip,deflate\r\n"
    "Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n"
    "Keep-Alive: 115\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; "
    "__utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; "
    "__utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|"
    "utmcmd=referral\r\n"
    "\r\n";

const std::string kMinimal = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

std::string browser_2k() {
    std::string r =
        "GET /app/dashboard/reports/2026/11?view=weekly&team=platform&sort=desc HTTP/1.1\r\n"
        "Host: intranet.example.com\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36\r\n"
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
        "*/*;q=0.8\r\n"
        "Accept-Language: en-GB,en;q=0.9,fr;q=0.8\r\n"
        "Accept-Encoding: gzip, deflate, br, zstd\r\n"
        "Referer: https://intranet.example.com/app/dashboard\r\n"
        "Sec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Site: same-origin\r\n"
        "Upgrade-Insecure-Requests: 1\r\nConnection: keep-alive\r\n"
        "Cookie: ";
    for (int i = 0; r.size() < 2000; ++i)
        r += "session_part_" + std::to_string(i) + "=" + std::string(40, 'a' + i % 26) + "; ";
    r += "end=1\r\n\r\n";
    return r;
}
const std::string kBrowser2k = browser_2k();

const std::string kResponse = "HTTP/1.1 200 OK\r\n"
                              "Date: Wed, 25 Nov 2026 06:14:45 GMT\r\n"
                              "Server: pier/0.1.0\r\n"
                              "Content-Type: text/html; charset=utf-8\r\n"
                              "Content-Length: 13\r\n"
                              "Last-Modified: Tue, 24 Nov 2026 10:00:00 GMT\r\n"
                              "ETag: \"5f3a-d-18ab\"\r\n"
                              "Cache-Control: no-cache\r\n"
                              "Accept-Ranges: bytes\r\n"
                              "Vary: Accept-Encoding\r\n"
                              "Connection: keep-alive\r\n"
                              "\r\n";

void report(benchmark::State& state, const std::string& input, std::uint64_t allocations) {
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["allocs/msg"] = benchmark::Counter(static_cast<double>(allocations) /
                                                      static_cast<double>(state.iterations()));
}

void pier_request(benchmark::State& state, const std::string* input, detail::ScanImpl impl) {
    if (!detail::set_scan_impl(impl)) {
        state.SkipWithError("CPU lacks this instruction set");
        return;
    }
    RequestParser parser;
    RequestHead head;
    // One warm-up message sizes the reused Fields; the steady state must not allocate.
    if (parser.parse(*input, head) != ParseStatus::complete) state.SkipWithError("parse failed");
    const std::uint64_t before = g_allocations.load();
    for (auto _ : state) {
        parser.reset();
        ParseStatus st = parser.parse(*input, head);
        benchmark::DoNotOptimize(st);
        benchmark::DoNotOptimize(head.fields.size());
    }
    report(state, *input, g_allocations.load() - before);
    detail::set_scan_impl(detail::ScanImpl::avx2) || detail::set_scan_impl(detail::ScanImpl::sse2);
}

void pier_response(benchmark::State& state, const std::string* input) {
    ResponseParser parser;
    ResponseHead head;
    if (parser.parse(*input, head, Method::get) != ParseStatus::complete)
        state.SkipWithError("parse failed");
    const std::uint64_t before = g_allocations.load();
    for (auto _ : state) {
        parser.reset();
        ParseStatus st = parser.parse(*input, head, Method::get);
        benchmark::DoNotOptimize(st);
        benchmark::DoNotOptimize(head.fields.size());
    }
    report(state, *input, g_allocations.load() - before);
}

// http_parser: callbacks record each view, as pier's Fields does.
struct Recorded {
    const char* names[128];
    std::size_t name_len[128];
    const char* values[128];
    std::size_t value_len[128];
    int n = 0;
    const char* url = nullptr;
    std::size_t url_len = 0;
};

http_parser_settings make_settings() {
    http_parser_settings s{};
    s.on_url = [](http_parser* p, const char* at, std::size_t len) {
        auto* r = static_cast<Recorded*>(p->data);
        r->url = at;
        r->url_len = len;
        return 0;
    };
    s.on_header_field = [](http_parser* p, const char* at, std::size_t len) {
        auto* r = static_cast<Recorded*>(p->data);
        if (r->n < 128) {
            r->names[r->n] = at;
            r->name_len[r->n] = len;
        }
        return 0;
    };
    s.on_header_value = [](http_parser* p, const char* at, std::size_t len) {
        auto* r = static_cast<Recorded*>(p->data);
        if (r->n < 128) {
            r->values[r->n] = at;
            r->value_len[r->n] = len;
            ++r->n;
        }
        return 0;
    };
    return s;
}

void http_parser_run(benchmark::State& state, const std::string* input, http_parser_type type) {
    const http_parser_settings settings = make_settings();
    Recorded rec;
    http_parser parser;
    const std::uint64_t before = g_allocations.load();
    for (auto _ : state) {
        http_parser_init(&parser, type);
        parser.data = &rec;
        rec.n = 0;
        const std::size_t n = http_parser_execute(&parser, &settings, input->data(), input->size());
        benchmark::DoNotOptimize(n);
        benchmark::DoNotOptimize(rec.n);
        if (n != input->size() || HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
            state.SkipWithError("http_parser failed");
            break;
        }
    }
    report(state, *input, g_allocations.load() - before);
}

const detail::ScanImpl kDefault = detail::scan_impl_supported(detail::ScanImpl::avx2)
                                      ? detail::ScanImpl::avx2
                                      : detail::ScanImpl::sse2;

BENCHMARK_CAPTURE(pier_request, classic, &kClassic, kDefault)->Name("pier/request/classic");
BENCHMARK_CAPTURE(pier_request, classic_sse2, &kClassic, detail::ScanImpl::sse2)
    ->Name("pier/request/classic/sse2");
BENCHMARK_CAPTURE(pier_request, classic_scalar, &kClassic, detail::ScanImpl::scalar)
    ->Name("pier/request/classic/scalar");
BENCHMARK_CAPTURE(http_parser_run, classic, &kClassic, HTTP_REQUEST)
    ->Name("http_parser/request/classic");
BENCHMARK_CAPTURE(pier_request, minimal, &kMinimal, kDefault)->Name("pier/request/minimal");
BENCHMARK_CAPTURE(http_parser_run, minimal, &kMinimal, HTTP_REQUEST)
    ->Name("http_parser/request/minimal");
BENCHMARK_CAPTURE(pier_request, browser_2k, &kBrowser2k, kDefault)->Name("pier/request/browser_2k");
BENCHMARK_CAPTURE(http_parser_run, browser_2k, &kBrowser2k, HTTP_REQUEST)
    ->Name("http_parser/request/browser_2k");
BENCHMARK_CAPTURE(pier_response, fields10, &kResponse)->Name("pier/response/fields10");
BENCHMARK_CAPTURE(http_parser_run, fields10, &kResponse, HTTP_RESPONSE)
    ->Name("http_parser/response/fields10");

const bool kRegistered = [] {
    compare("request: classic (703 B, 9 fields)", "pier/request/classic",
            "http_parser/request/classic");
    compare("request: classic, SSE2 scan", "pier/request/classic/sse2",
            "http_parser/request/classic");
    compare("request: classic, scalar scan", "pier/request/classic/scalar",
            "http_parser/request/classic");
    compare("request: minimal", "pier/request/minimal", "http_parser/request/minimal");
    compare("request: 2 KiB browser with cookies", "pier/request/browser_2k",
            "http_parser/request/browser_2k");
    compare("response: 10 fields", "pier/response/fields10", "http_parser/response/fields10");
    return true;
}();

} // namespace
} // namespace pier::bench
