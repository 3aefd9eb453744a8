// pier's client against libcurl in the same run, on the same nginx: sequential keep-alive GETs
// of a small file (requests per second over one connection) and one large download
// (throughput). Rounds alternate pier and curl; medians and their ratios are printed as a
// Markdown table. bench/client_vs_curl.sh starts nginx and runs this.
//
//   client_vs_curl HOST PORT SMALL_PATH BIG_PATH SECONDS ROUNDS
#include <pier/client.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <curl/curl.h>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBuffer = std::size_t{256} * 1024; // both clients read in pieces of this size

struct Figures {
    double requests_per_second;
    double cpu_us_per_request; // this thread's user + system time
    double megabytes_per_second;
    double cpu_ms_per_gigabyte;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the calling thread, in microseconds: the client's own cost, which the noise of
// a shared machine disturbs far less than wall-clock rates.
double thread_cpu_us() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

Figures run_pier(const std::string& host, std::uint16_t port, const std::string& small,
                 const std::string& big, double seconds) {
    pier::client::Connection c(host, port);
    c.set_timeouts({std::chrono::seconds(5), std::chrono::seconds(10), std::chrono::seconds(120)});
    std::vector<char> buffer(kBuffer);
    std::uint64_t requests = 0;
    const auto start = Clock::now();
    const double cpu_start = thread_cpu_us();
    const auto end = start + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        c.request("GET", small);
        pier::client::Response r = c.getresponse();
        while (r.readinto(buffer) != 0) {
        }
        if (r.status() != 200) std::abort();
        ++requests;
    }
    const double rps = static_cast<double>(requests) / seconds_since(start);
    const double us_per_request = (thread_cpu_us() - cpu_start) / static_cast<double>(requests);
    const auto big_start = Clock::now();
    const double big_cpu_start = thread_cpu_us();
    c.request("GET", big);
    pier::client::Response r = c.getresponse();
    std::uint64_t bytes = 0;
    while (const std::size_t n = r.readinto(buffer)) bytes += n;
    if (r.status() != 200 || bytes != r.content_length()) std::abort();
    const double mbps = static_cast<double>(bytes) / 1e6 / seconds_since(big_start);
    const double ms_per_gb =
        (thread_cpu_us() - big_cpu_start) / 1e3 / (static_cast<double>(bytes) / 1e9);
    return {rps, us_per_request, mbps, ms_per_gb};
}

std::size_t count_bytes(char*, std::size_t size, std::size_t n, void* total) {
    *static_cast<std::uint64_t*>(total) += size * n;
    return size * n;
}

Figures run_curl(const std::string& host, std::uint16_t port, const std::string& small,
                 const std::string& big, double seconds) {
    CURL* h = curl_easy_init();
    std::uint64_t bytes = 0;
    const std::string base = "http://" + host + ":" + std::to_string(port);
    const std::string small_url = base + small;
    const std::string big_url = base + big;
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, count_bytes);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, static_cast<long>(kBuffer));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_URL, small_url.c_str());
    std::uint64_t requests = 0;
    const auto start = Clock::now();
    const double cpu_start = thread_cpu_us();
    const auto end = start + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) {
        if (curl_easy_perform(h) != CURLE_OK) std::abort();
        ++requests;
    }
    const double rps = static_cast<double>(requests) / seconds_since(start);
    const double us_per_request = (thread_cpu_us() - cpu_start) / static_cast<double>(requests);
    bytes = 0;
    curl_easy_setopt(h, CURLOPT_URL, big_url.c_str());
    const auto big_start = Clock::now();
    const double big_cpu_start = thread_cpu_us();
    if (curl_easy_perform(h) != CURLE_OK) std::abort();
    const double mbps = static_cast<double>(bytes) / 1e6 / seconds_since(big_start);
    const double ms_per_gb =
        (thread_cpu_us() - big_cpu_start) / 1e3 / (static_cast<double>(bytes) / 1e9);
    curl_easy_cleanup(h);
    return {rps, us_per_request, mbps, ms_per_gb};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s HOST PORT SMALL_PATH BIG_PATH SECONDS ROUNDS\n", argv[0]);
        return 2;
    }
    const std::string host = argv[1];
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    const double seconds = std::atof(argv[5]);
    const int rounds = std::atoi(argv[6]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::vector<Figures> pier, curl;
    try {
        for (int i = 0; i < rounds; ++i) {
            // Alternate who goes first, so neither always meets a freshly warmed server.
            if (i % 2 == 0) {
                pier.push_back(run_pier(host, port, argv[3], argv[4], seconds));
                curl.push_back(run_curl(host, port, argv[3], argv[4], seconds));
            } else {
                curl.push_back(run_curl(host, port, argv[3], argv[4], seconds));
                pier.push_back(run_pier(host, port, argv[3], argv[4], seconds));
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "client_vs_curl: %s\n", e.what());
        return 1;
    }
    auto med = [](const std::vector<Figures>& v, double Figures::*field) {
        std::vector<double> x;
        for (const Figures& f : v) x.push_back(f.*field);
        return median(x);
    };
    std::printf("pier client vs libcurl %s, %d interleaved rounds, medians\n\n", curl_version(),
                rounds);
    std::printf("| scenario | pier | libcurl | pier / libcurl |\n|---|---:|---:|---:|\n");
    const struct {
        const char* name;
        double Figures::*field;
    } rows[] = {
        {"keep-alive GETs of the small file, req/s", &Figures::requests_per_second},
        {"keep-alive GETs, client CPU us/request", &Figures::cpu_us_per_request},
        {"one download of the large file, MB/s", &Figures::megabytes_per_second},
        {"large download, client CPU ms/GB", &Figures::cpu_ms_per_gigabyte},
    };
    for (const auto& row : rows) {
        const double p = med(pier, row.field);
        const double c = med(curl, row.field);
        std::printf("| %s | %.1f | %.1f | %.2fx |\n", row.name, p, c, p / c);
    }
    std::printf("\n(small file %s for %.1f s per round; large file %s; CPU rows: lower is "
                "better)\n",
                argv[3], seconds, argv[4]);
    curl_global_cleanup();
    return 0;
}
