// URI functions under libFuzzer: views stay inside the input; remove_dot_segments is
// idempotent and leaves no dot segments in an absolute path; encode then decode is identity.
#include <pier/uri.hpp>

#include <cstdlib>
#include <string>

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool inside(std::string_view v, std::string_view in) {
    return v.empty() || (v.data() >= in.data() && v.data() + v.size() <= in.data() + in.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    if (auto t = pier::parse_request_target(input)) {
        if (t->form != pier::TargetForm::absolute || t->path != "/") check(inside(t->path, input));
        check(inside(t->query, input) && inside(t->authority.host, input));
        check(inside(t->scheme, input));
    }
    if (auto a = pier::parse_authority(input, true)) {
        check(inside(a->host, input) && inside(a->userinfo, input) && inside(a->port_text, input));
    }
    if (auto u = pier::parse_url(input)) {
        check(inside(u->host, input) && inside(u->path, input) && inside(u->query, input));
        check(u->effective_port() != 0 || u->port == 0);
    }
    const std::string once = pier::remove_dot_segments(input);
    check(pier::remove_dot_segments(once) == once);
    if (!input.empty() && input.front() == '/') {
        check(once.find("/../") == std::string::npos && once.find("/./") == std::string::npos);
        check(once.size() < 3 || once.compare(once.size() - 3, 3, "/..") != 0);
    }
    if (input.find('\0') == std::string::npos) {
        const auto back = pier::percent_decode(pier::percent_encode_path(input));
        check(back && *back == input);
        const auto back2 = pier::percent_decode(pier::percent_encode_component(input));
        check(back2 && *back2 == input);
    }
    (void)pier::resolve_reference("http://a/b/c/d;p?q", input);
    return 0;
}
