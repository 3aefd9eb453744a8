// The CGI script-head parser under libFuzzer: whole, byte by byte and in pieces of a size the
// input chooses must agree on the result, every field and where the body starts; a head the
// parser accepts never holds a byte a response field may not.
#include "cgi/script_head.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

using pier::cgi::ScriptHead;
using pier::cgi::ScriptHeadParser;

void check(bool ok) {
    if (!ok) std::abort();
}

struct Outcome {
    ScriptHeadParser::Result result = ScriptHeadParser::Result::need_more;
    std::size_t body_at = 0;
    std::string summary;
};

Outcome run(std::string_view output, std::size_t piece) {
    ScriptHeadParser parser(512);
    Outcome o;
    for (std::size_t at = 0; at < output.size(); at += piece) {
        std::size_t from = 0;
        const std::string_view in = output.substr(at, piece);
        o.result = parser.feed(in, from);
        if (o.result == ScriptHeadParser::Result::done) {
            check(from <= in.size());
            o.body_at = at + from;
        }
        if (o.result != ScriptHeadParser::Result::need_more) break;
    }
    const ScriptHead& h = parser.head();
    o.summary = std::to_string(h.status) + '|' + h.reason + '|' + h.location + '|' + h.content_type;
    for (const auto& [name, value] : h.fields) o.summary += '|' + name + ':' + value;
    if (o.result == ScriptHeadParser::Result::done)
        for (const char c : o.summary) check(c != '\r' && c != '\n' && c != '\0');
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t piece = 1 + data[0] % 16;
    const std::string_view output(reinterpret_cast<const char*>(data) + 1, size - 1);
    const Outcome whole = run(output, output.size() + 1);
    const Outcome bytes = run(output, 1);
    const Outcome pieces = run(output, piece);
    for (const Outcome* o : {&bytes, &pieces}) {
        check(o->result == whole.result);
        if (whole.result == ScriptHeadParser::Result::done) {
            check(o->body_at == whole.body_at);
            check(o->summary == whole.summary);
        }
    }
    return 0;
}
