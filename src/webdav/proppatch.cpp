// PROPPATCH (RFC 4918 §9.2): sets and removes dead properties, in document order, all or
// nothing. A protected live property fails the whole request before anything changes (403
// cannot-modify-protected-property for it, 424 Failed Dependency for the rest); a store that
// fails midway has what was already applied put back as it was, then the same answer with
// the store's status for the property that failed.
#include "webdav/dead_properties.hpp"
#include "webdav/exchange.hpp"
#include "webdav/live_properties.hpp"
#include "webdav/multistatus.hpp"
#include "webdav/xml_request.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace pier::webdav {
namespace {

// What a property was before this request first touched it, to put it back.
struct Saved {
    PropertyName name;
    std::optional<Property> before; // nullopt: it did not exist
};

// Each property once, in the order the request first names it.
std::vector<PropertyName> names_of(const std::vector<PropertyUpdate>& updates) {
    std::vector<PropertyName> names;
    for (const PropertyUpdate& u : updates)
        if (std::find(names.begin(), names.end(), u.name) == names.end()) names.push_back(u.name);
    return names;
}

// `failed` with `status` (and `error`, a precondition code), every other property 424.
std::string failure(const std::string& href, const std::vector<PropertyName>& names,
                    const std::vector<PropertyName>& failed, int status,
                    std::string_view error = {}) {
    std::vector<PropertyName> others;
    for (const PropertyName& n : names)
        if (std::find(failed.begin(), failed.end(), n) == failed.end()) others.push_back(n);
    MultistatusWriter ms;
    ms.begin_response(href);
    ms.propstat(status, std::span<const PropertyName>(failed), error);
    if (!others.empty()) ms.propstat(424, std::span<const PropertyName>(others));
    ms.end_response();
    return ms.str();
}

// Applies `updates` to `path` in order; on a failure restores every property touched so far
// and returns the one that failed with its status.
std::optional<std::pair<PropertyName, int>> apply(const std::string& path,
                                                  const std::vector<PropertyUpdate>& updates) {
    std::vector<Saved> saved;
    std::optional<std::pair<PropertyName, int>> failed;
    for (const PropertyUpdate& u : updates) {
        const bool seen = std::any_of(saved.begin(), saved.end(),
                                      [&](const Saved& s) { return s.name == u.name; });
        if (!seen) {
            auto before = get_dead_property(path, u.name);
            if (!before && before.error() != StoreError::not_found) {
                failed.emplace(u.name, status_for(before.error()));
                break;
            }
            saved.push_back({u.name, before ? std::optional(std::move(*before)) : std::nullopt});
        }
        const auto e = u.op == PropertyUpdate::Op::set
                           ? set_dead_property(path, {u.name, u.value_xml, u.lang})
                           : remove_dead_property(path, u.name);
        if (e) {
            failed.emplace(u.name, status_for(*e));
            break;
        }
    }
    if (!failed) return std::nullopt;
    // Newest first, so that each property ends as it was before the request. A restore that
    // fails cannot be reported in this answer's shape; it is as rare as the failure before it.
    for (auto s = saved.rbegin(); s != saved.rend(); ++s) {
        if (s->before)
            set_dead_property(path, *s->before);
        else
            remove_dead_property(path, s->name);
    }
    return failed;
}

} // namespace

void serve_proppatch(const SharedExchange& x, Response& res) {
    const handlers::WriteTarget t = handlers::locate_for_write(*x->rules, x->path);
    if (t.status != 0) return refuse(*x, res, t.status);
    if (!t.exists) return refuse(*x, res, 404);
    if (t.trailing_slash && !S_ISDIR(t.st.st_mode)) return refuse(*x, res, 404);
    if (const int status = check_preconditions(*x, t); status != 0) return refuse(*x, res, status);
    std::string why;
    const auto updates = parse_proppatch(x->body, why);
    if (!updates) return refuse(*x, res, 400, why);

    const std::string href = href_of(t.decoded, S_ISDIR(t.st.st_mode));
    const std::vector<PropertyName> names = names_of(*updates);
    std::vector<PropertyName> protected_names;
    for (const PropertyName& n : names)
        if (is_protected_property(n)) protected_names.push_back(n);
    if (!protected_names.empty())
        return answer_xml(
            *x, res, 207,
            failure(href, names, protected_names, 403, "cannot-modify-protected-property"));
    if (const auto failed = apply(t.fs_path, *updates))
        return answer_xml(*x, res, 207, failure(href, names, {failed->first}, failed->second));
    MultistatusWriter ms;
    ms.begin_response(href);
    ms.propstat(200, std::span<const PropertyName>(names));
    ms.end_response();
    answer_xml(*x, res, 207, std::string(ms.str()));
}

} // namespace pier::webdav
