#include "cli/get_curl_options.hpp"
#include "cli/get_errors.hpp"
#include "cli/get_transfer.hpp"

#include <gtest/gtest.h>

namespace pier::cli {
namespace {

TEST(ContentRangeStart, ReadsTheFirstByte) {
    EXPECT_EQ(content_range_start("bytes 100-199/200"), 100u);
    EXPECT_EQ(content_range_start("BYTES 0-0/*"), 0u);
    EXPECT_EQ(content_range_start("bytes */200"), std::nullopt);
    EXPECT_EQ(content_range_start("bytes -5/200"), std::nullopt);
    EXPECT_EQ(content_range_start("items 1-2/3"), std::nullopt);
    EXPECT_EQ(content_range_start(""), std::nullopt);
}

TEST(ResumeAnswer, FollowsCurl) {
    EXPECT_EQ(resume_answer(206, "bytes 1000-1999/2000", 1000, 1000), ResumeAnswer::append);
    // A Content-Range elsewhere than asked is as bad as none.
    EXPECT_EQ(resume_answer(206, "bytes 0-1999/2000", 2000, 1000), ResumeAnswer::unsupported);
    EXPECT_EQ(resume_answer(200, "", 2000, 1000), ResumeAnswer::unsupported);
    EXPECT_EQ(resume_answer(200, "", std::nullopt, 1000), ResumeAnswer::unsupported);
    EXPECT_EQ(resume_answer(404, "", 9, 1000), ResumeAnswer::unsupported);
    // Nothing left to fetch.
    EXPECT_EQ(resume_answer(416, "bytes */1000", 0, 1000), ResumeAnswer::already_complete);
    EXPECT_EQ(resume_answer(200, "", 1000, 1000), ResumeAnswer::already_complete);
}

TEST(RetryWait, BacksOffUnlessToldOtherwise) {
    TransferFlags f;
    EXPECT_EQ(retry_wait(f, 0, -1, 0), 1);
    EXPECT_EQ(retry_wait(f, 1, -1, 0), 2);
    EXPECT_EQ(retry_wait(f, 3, -1, 0), 8);
    EXPECT_EQ(retry_wait(f, 40, -1, 0), 600);
    EXPECT_EQ(retry_wait(f, 0, 7, 0), 7);      // Retry-After
    EXPECT_EQ(retry_wait(f, 0, 9999, 0), 600); // capped
    f.retry_delay = 3;
    EXPECT_EQ(retry_wait(f, 5, -1, 0), 3);
    EXPECT_EQ(retry_wait(f, 5, 0, 0), 0); // Retry-After still wins
}

TEST(RetryWait, StartsNoRetryPastTheMaximumTime) {
    TransferFlags f;
    f.retry_delay = 1;
    f.retry_max_time = 10;
    EXPECT_EQ(retry_wait(f, 0, -1, 8.5), 1);
    EXPECT_EQ(retry_wait(f, 0, -1, 9.0), std::nullopt);
    EXPECT_EQ(retry_wait(f, 0, 30, 0), std::nullopt); // Retry-After beyond it
}

TEST(TransferSettings, ReadsTheFlags) {
    TransferFlags f;
    f.range = "0-99";
    f.continue_at = "-";
    f.limit_rate = "1k";
    f.referer = "http://r/;auto";
    const TransferSettings s = transfer_settings(f, true);
    EXPECT_EQ(s.range, "bytes=0-99");
    EXPECT_TRUE(s.resume && s.resume_from_file_size);
    EXPECT_EQ(s.rate, 1024u);
    EXPECT_EQ(s.referer, "http://r/");
    EXPECT_TRUE(s.auto_referer);
    f.range = "7";
    f.continue_at = "0";
    f.referer = ";auto";
    const TransferSettings t = transfer_settings(f, true);
    EXPECT_EQ(t.range, "bytes=7-");
    EXPECT_FALSE(t.resume); // -C 0: a plain download
    EXPECT_EQ(t.referer, "");
    EXPECT_TRUE(t.auto_referer);
}

TEST(TransferSettings, RefusesWhatCurlRefuses) {
    auto code = [](TransferFlags f) {
        try {
            transfer_settings(f, true);
        } catch (const Failure& e) {
            return e.code;
        }
        return 0;
    };
    TransferFlags f;
    f.continue_at = "-5";
    EXPECT_EQ(code(f), 2);
    f.continue_at = "x";
    EXPECT_EQ(code(f), 2);
    f.continue_at = "-";
    f.remote_header_name = true;
    EXPECT_EQ(code(f), 2);
    f = {};
    f.limit_rate = "1.5k";
    EXPECT_EQ(code(f), 2);
    f.limit_rate = "2M";
    EXPECT_EQ(code(f), 0);
}

TEST(CurlOptions, KnowsCurlsFlagsPierLacks) {
    for (const char* flag : {"--alt-svc", "--anyauth", "--proxy-insecure", "--tlsv1.3",
                             "--speed-limit=5", "-P", "-#", "-a", "--zzzz-not-curl"}) {
        const bool curl = std::string_view(flag) != "--zzzz-not-curl";
        EXPECT_EQ(is_curl_option(flag), curl) << flag;
    }
    // Flags pier get has are not "curl options it lacks".
    for (const char* flag :
         {"--location", "--range", "--limit-rate", "--parallel", "-L", "-C", "-J", "-Z", "-s"})
        EXPECT_FALSE(is_curl_option(flag)) << flag;
    EXPECT_FALSE(is_curl_option("-"));
    EXPECT_FALSE(is_curl_option("--"));
}

} // namespace
} // namespace pier::cli
