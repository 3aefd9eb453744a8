// The rate limit as a Router filter (rate_limit.hpp).
#include "server/error_page.hpp"

#include <pier/rate_limit.hpp>

#include <string>

namespace pier {

Filter rate_limit(RateLimitOptions options) {
    auto buckets = std::make_shared<TokenBuckets>(options);
    return [buckets](Request& request, Response& response) {
        const std::uint32_t wait =
            buckets->take(request.remote_address(), TokenBuckets::Clock::now());
        if (wait == 0) return false;
        server::fill_error(response, 429);
        response.set_header("Retry-After", std::to_string(wait));
        return true;
    };
}

} // namespace pier
