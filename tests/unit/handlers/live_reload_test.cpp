// inject_before_body_end (src/handlers/live_reload.cpp): where live reload's script goes in a page.
#include <pier/live_reload.hpp>

#include <gtest/gtest.h>

#include <string>

namespace pier {
namespace {

constexpr std::string_view kSnippet = "<script>S</script>";

TEST(InjectBeforeBodyEnd, GoesRightBeforeTheClosingBodyTag) {
    EXPECT_EQ(inject_before_body_end("<html><body><p>x</p></body></html>\n", kSnippet),
              "<html><body><p>x</p><script>S</script></body></html>\n");
    EXPECT_EQ(inject_before_body_end("</body>", kSnippet), "<script>S</script></body>");
    EXPECT_EQ(inject_before_body_end("<p>x</body>", kSnippet), "<p>x<script>S</script></body>");
}

TEST(InjectBeforeBodyEnd, TheTagInAnyCase) {
    EXPECT_EQ(inject_before_body_end("<P>x</BODY></HTML>", kSnippet),
              "<P>x<script>S</script></BODY></HTML>");
    EXPECT_EQ(inject_before_body_end("x</Body>", kSnippet), "x<script>S</script></Body>");
}

// An earlier "</body>" is text (a comment, a script's string, a code sample): the page's own
// end tag is its last one.
TEST(InjectBeforeBodyEnd, TheLastTagWhenTheTextHasEarlierOnes) {
    EXPECT_EQ(inject_before_body_end("<body><!-- </body> -->x</body>", kSnippet),
              "<body><!-- </body> -->x<script>S</script></body>");
    EXPECT_EQ(inject_before_body_end(
                  "<body><script>document.write('</BODY>')</script>x</body></html>", kSnippet),
              "<body><script>document.write('</BODY>')</script>x<script>S</script></body></html>");
    EXPECT_EQ(inject_before_body_end("<pre>&lt;/body&gt; </body>x</body>", kSnippet),
              "<pre>&lt;/body&gt; </body>x<script>S</script></body>");
}

// Browsers run a script after the end of the document all the same.
TEST(InjectBeforeBodyEnd, AppendedWhenThereIsNone) {
    EXPECT_EQ(inject_before_body_end("<h1>fragment</h1>\n", kSnippet),
              "<h1>fragment</h1>\n<script>S</script>");
    EXPECT_EQ(inject_before_body_end("<p>almost</body", kSnippet),
              "<p>almost</body<script>S</script>");
    EXPECT_EQ(inject_before_body_end("</bod>", kSnippet), "</bod><script>S</script>");
    EXPECT_EQ(inject_before_body_end("</bodyx", kSnippet), "</bodyx<script>S</script>");
}

TEST(InjectBeforeBodyEnd, AnEmptyOrTinyPage) {
    EXPECT_EQ(inject_before_body_end("", kSnippet), kSnippet);
    EXPECT_EQ(inject_before_body_end("<", kSnippet), "<<script>S</script>");
    EXPECT_EQ(inject_before_body_end("</body>", ""), "</body>");
}

} // namespace
} // namespace pier
