#include "cli/get_write_out.hpp"

#include <gtest/gtest.h>

namespace pier::cli {
namespace {

TransferInfo sample() {
    TransferInfo i;
    i.url = "127.0.0.1:8080/a";
    i.urlnum = 1;
    i.url_effective = "http://127.0.0.1:8080/b";
    i.filename_effective = "out.bin";
    i.method = "GET";
    i.http_code = 200;
    i.http_version = 11;
    i.scheme = "HTTP";
    i.content_type = "text/plain";
    i.headers = {{"Content-Type", "text/plain"},
                 {"Set-Cookie", "a=1"},
                 {"X-Q", "say \"hi\"\\"},
                 {"set-cookie", "b=2"}};
    i.num_redirects = 1;
    i.size_download = 1000;
    i.size_header = 120;
    i.time_starttransfer = 0.25;
    i.time_total = 0.5;
    return i;
}

TEST(WriteOut, PrintsVariablesAsCurl) {
    const TransferInfo i = sample();
    EXPECT_EQ(format_write_out("%{http_code} %{response_code} %{http_version} %{scheme}", i),
              "200 200 1.1 HTTP");
    EXPECT_EQ(format_write_out("%{time_starttransfer} %{time_total} %{speed_download}", i),
              "0.250000 0.500000 2000");
    EXPECT_EQ(format_write_out("%{time_connect}|%{remote_ip}|%{remote_port}", i), "0.000000||0");
    EXPECT_EQ(format_write_out("%{url} %{urlnum} %{filename_effective} %{num_headers}", i),
              "127.0.0.1:8080/a 1 out.bin 4");
    EXPECT_EQ(format_write_out("%{size_download}:%{size_header}:%{num_redirects}\\n%%", i),
              "1000:120:1\n%");
    EXPECT_EQ(format_write_out("%{no_such_thing}", i), "%{no_such_thing}");
    EXPECT_EQ(format_write_out("%{http_code}", TransferInfo{}), "000");
}

TEST(WriteOut, HeaderJsonGroupsValuesByLowerCasedName) {
    EXPECT_EQ(format_write_out("%{header_json}", sample()), "{\"content-type\":[\"text/plain\"],\n"
                                                            "\"set-cookie\":[\"a=1\",\"b=2\"],\n"
                                                            "\"x-q\":[\"say \\\"hi\\\"\\\\\"]\n"
                                                            "}");
    EXPECT_EQ(format_write_out("%{header_json}", TransferInfo{}), "{\n}");
}

TEST(WriteOut, JsonHoldsEveryVariableInCurlsOrder) {
    TransferInfo i = sample();
    i.referer = "http://r/";
    EXPECT_EQ(format_write_out("%{json}", i),
              "{\"content_type\":\"text/plain\",\"errormsg\":null,\"exitcode\":0,"
              "\"filename_effective\":\"out.bin\",\"http_code\":200,\"http_version\":\"1.1\","
              "\"local_ip\":\"\",\"local_port\":0,\"method\":\"GET\",\"num_headers\":4,\"num_"
              "redirects\":1,"
              "\"referer\":\"http://r/\",\"remote_ip\":\"\",\"remote_port\":0,"
              "\"response_code\":200,\"scheme\":\"HTTP\",\"size_download\":1000,"
              "\"size_header\":120,\"speed_download\":2000,\"time_appconnect\":0.000000,"
              "\"time_connect\":0.000000,\"time_pretransfer\":0.000000,\"time_starttransfer\":0."
              "250000,\"time_total\":0.500000,"
              "\"url\":\"127.0.0.1:8080/a\",\"url_effective\":\"http://127.0.0.1:8080/b\","
              "\"urlnum\":1}");
}

TEST(WriteOut, JsonOfAFailedTransfer) {
    TransferInfo i;
    i.url = "http://127.0.0.1:1/";
    i.exit_code = 7;
    i.errormsg = "connect: \"refused\"";
    const std::string json = format_write_out("%{json}", i);
    EXPECT_NE(json.find("\"content_type\":null,\"errormsg\":\"connect: \\\"refused\\\"\","
                        "\"exitcode\":7,\"filename_effective\":null,\"http_code\":0,"
                        "\"http_version\":\"0\""),
              std::string::npos)
        << json;
    EXPECT_NE(json.find("\"referer\":null"), std::string::npos);
    EXPECT_NE(json.find("\"scheme\":null"), std::string::npos);
}

TEST(JsonString, EscapesAsCurl) {
    EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_string("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
    EXPECT_EQ(json_string(std::string_view("\x01\x1f\0", 3)), "\"\\u0001\\u001f\\u0000\"");
    EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\""); // bytes >= 0x80 as they are
}

} // namespace
} // namespace pier::cli
