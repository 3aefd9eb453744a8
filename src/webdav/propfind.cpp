// PROPFIND (RFC 4918 §9.1): the properties of a resource and, with Depth: 1, of its members.
// Depth: infinity — which is what no Depth field means — is refused (403 propfind-finite-depth,
// §16): a client could otherwise make one request walk the whole tree.
#include "handlers/confinement.hpp"
#include "handlers/directory_listing.hpp"
#include "handlers/upload_file.hpp"
#include "http/char_class.hpp"
#include "http/mime_types.hpp"
#include "webdav/dead_properties.hpp"
#include "webdav/exchange.hpp"
#include "webdav/live_properties.hpp"
#include "webdav/multistatus.hpp"
#include "webdav/xml_request.hpp"

#include <pier/uri.hpp>

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <vector>

namespace pier::webdav {
namespace {

const MimeTypes& mime_types() {
    static const MimeTypes types;
    return types;
}

// A resource to describe.
struct Resource {
    std::string href;
    std::string fs_path;
    std::string name; // its last URL segment, decoded: the computed displayname
    struct stat st {};
};

// Where a PROPFIND's target is, by the rules a GET follows (static_files.cpp's resolve): a
// hidden name or an upload's temporary is absent (404) rather than refused, so that nothing
// confirms it is there; nothing outside the root after symbolic links. Read-only paths are
// readable. `status` non-zero: the answer.
struct Target {
    int status = 0;
    Resource resource;
};

Target locate_for_read(const handlers::WriteRules& rules, std::string_view raw_path) {
    Target t;
    auto decoded = percent_decode(raw_path);
    if (!decoded) {
        t.status = 400;
        return t;
    }
    std::string path = remove_dot_segments(*decoded);
    if (path.empty() || path.front() != '/') path.insert(0, "/");
    const bool trailing_slash = path.size() > 1 && path.back() == '/';
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if ((!rules.show_hidden && handlers::has_hidden_segment(path)) ||
        path.find(std::string("/") + std::string(handlers::kUploadPrefix)) != std::string::npos) {
        t.status = 404;
        return t;
    }
    Resource& r = t.resource;
    r.fs_path = rules.root_real + (path == "/" ? std::string() : path);
    if (r.fs_path.empty()) r.fs_path = "/"; // serving the file system's root
    t.status = handlers::confine(rules.root_real, r.fs_path, false, rules.show_hidden);
    if (t.status != 0) return t;
    if (stat(r.fs_path.c_str(), &r.st) != 0) {
        t.status = errno == EACCES ? 403 : 404;
        return t;
    }
    const bool collection = S_ISDIR(r.st.st_mode);
    if (trailing_slash && !collection) { // "file/" names a collection that is not there
        t.status = 404;
        return t;
    }
    if (!collection && !S_ISREG(r.st.st_mode)) { // a FIFO, a device: nothing GET would serve
        t.status = 403;
        return t;
    }
    r.href = href_of(path, collection);
    r.name = path.substr(path.rfind('/') + 1);
    return t;
}

std::optional<Property> live_property(const Resource& r, std::string_view name) {
    const std::string_view type = S_ISREG(r.st.st_mode) ? mime_types().lookup(r.name) : "";
    auto value = live_property_xml(name, r.st, r.name, type);
    if (!value) return std::nullopt;
    return Property{{std::string(kDavNamespace), std::string(name)}, std::move(*value), {}};
}

bool is_displayname(const PropertyName& name) {
    return name.ns == kDavNamespace && name.name == "displayname";
}

// A dead displayname, set by a client, stands in for the computed one (live_properties.hpp).
bool has_dead_displayname(const std::vector<PropertyName>& dead) {
    return std::any_of(dead.begin(), dead.end(), is_displayname);
}

// One <D:response> for `r`, as `find` asks.
void describe(MultistatusWriter& ms, const Resource& r, const Propfind& find) {
    std::vector<Property> found;
    std::vector<PropertyName> missing;
    ms.begin_response(r.href);
    if (find.kind == Propfind::Kind::prop) {
        for (const PropertyName& name : find.props) {
            const bool live = is_live_property(name);
            if (!live || is_displayname(name)) {
                if (auto dead = get_dead_property(r.fs_path, name)) {
                    found.push_back(std::move(*dead));
                    continue;
                }
            }
            if (auto p = live ? live_property(r, name.name) : std::nullopt)
                found.push_back(std::move(*p));
            else
                missing.push_back(name);
        }
    } else if (find.kind == Propfind::Kind::propname) {
        std::vector<PropertyName> names;
        if (auto dead = list_dead_property_names(r.fs_path)) names = std::move(*dead);
        const bool dead_display = has_dead_displayname(names);
        for (const std::string_view live : kLiveProperties) {
            if (live == "displayname" && dead_display) continue;
            if (live_property(r, live))
                names.push_back({std::string(kDavNamespace), std::string(live)});
        }
        ms.propstat(200, std::span<const PropertyName>(names));
        ms.end_response();
        return;
    } else { // allprop, and what it was asked to include
        std::vector<Property> dead;
        if (auto all = list_dead_properties(r.fs_path)) dead = std::move(*all);
        const bool dead_display = std::any_of(
            dead.begin(), dead.end(), [](const Property& p) { return is_displayname(p.name); });
        for (const std::string_view live : kLiveProperties) {
            if (live == "displayname" && dead_display) continue;
            if (auto p = live_property(r, live)) found.push_back(std::move(*p));
        }
        for (Property& p : dead) found.push_back(std::move(p));
        for (const PropertyName& name : find.include) {
            const bool listed = std::any_of(found.begin(), found.end(),
                                            [&](const Property& p) { return p.name == name; });
            if (!listed) missing.push_back(name);
        }
    }
    if (!found.empty() || missing.empty()) ms.propstat(200, std::span<const Property>(found));
    if (!missing.empty()) ms.propstat(404, std::span<const PropertyName>(missing));
    ms.end_response();
}

// The members of a collection as the directory listing has them: no hidden name (unless
// served), no upload temporary, no link leading out of the root; by name, so that a listing
// reads the same each time.
std::vector<Resource> members_of(const handlers::WriteRules& rules, const Resource& dir) {
    std::vector<handlers::DirectoryEntry> entries;
    const auto serves_link = [&rules](const std::string& path) {
        return handlers::confine(rules.root_real, path, false, rules.show_hidden) == 0;
    };
    handlers::read_directory(dir.fs_path, rules.show_hidden, serves_link, entries);
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    std::vector<Resource> out;
    out.reserve(entries.size());
    const std::string base = dir.fs_path == "/" ? std::string() : dir.fs_path;
    for (handlers::DirectoryEntry& e : entries) {
        Resource m;
        m.fs_path = base + "/" + e.name;
        if (stat(m.fs_path.c_str(), &m.st) != 0) continue; // gone meanwhile
        if (!S_ISDIR(m.st.st_mode) && !S_ISREG(m.st.st_mode)) continue;
        m.href = dir.href + percent_encode_component(e.name);
        if (S_ISDIR(m.st.st_mode)) m.href += '/';
        m.name = std::move(e.name);
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace

void serve_propfind(const SharedExchange& x, Response& res) {
    bool depth_one = false;
    if (x->depth == "1") {
        depth_one = true;
    } else if (x->depth != "0") {
        if (!x->depth.empty() && !detail::iequals(x->depth, "infinity"))
            return refuse(*x, res, 400, "Depth must be 0, 1 or infinity");
        return answer_xml(*x, res, 403, error_body("propfind-finite-depth"));
    }
    std::string why;
    auto find = parse_propfind(x->body, why);
    if (!find) return refuse(*x, res, 400, why);
    Target t = locate_for_read(*x->rules, x->path);
    if (t.status != 0) return refuse(*x, res, t.status);
    // A collection's members are read and stat-ed off the event loop: there may be many.
    const bool listing = depth_one && S_ISDIR(t.resource.st.st_mode);
    auto work = [x, find = std::move(*find), r = std::move(t.resource), listing](Response& out) {
        MultistatusWriter ms;
        describe(ms, r, find);
        if (listing)
            for (const Resource& m : members_of(*x->rules, r)) describe(ms, m, find);
        answer_xml(*x, out, 207, std::string(ms.str()));
    };
    if (listing)
        res.finish_blocking(std::move(work));
    else
        work(res);
}

} // namespace pier::webdav
