// pier::Users (auth.hpp): who may log in, from the command line and htpasswd files.
#include "auth/htpasswd.hpp"
#include "auth/password.hpp"

#include <pier/auth.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace pier {

void Users::add(std::string user, std::string password) {
    // A hash only when it says so ("$…$", "{SHA}"): any 13 letters would pass for DES crypt.
    const auth::HashKind kind = auth::hash_kind(password);
    const bool hashed = kind != auth::HashKind::unsupported && kind != auth::HashKind::des;
    entries_.push_back({std::move(user), std::move(password), !hashed});
}

bool Users::add_htpasswd(std::string_view text, std::string& error) {
    auth::Htpasswd file = auth::parse_htpasswd(text);
    if (!file.error.empty()) {
        error = std::move(file.error);
        return false;
    }
    for (auth::HtpasswdEntry& e : file.entries) {
        if (find(e.user) != nullptr) {
            error = "line " + std::to_string(e.line) + ": user '" + e.user + "' is already defined";
            return false;
        }
    }
    for (auth::HtpasswdEntry& e : file.entries)
        entries_.push_back({std::move(e.user), std::move(e.hash), false});
    return true;
}

bool Users::load_htpasswd(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (!add_htpasswd(std::move(text).str(), error)) {
        error = path + ": " + error;
        return false;
    }
    return true;
}

const Users::Entry* Users::find(std::string_view user) const noexcept {
    for (const Entry& e : entries_)
        if (e.user == user) return &e;
    return nullptr;
}

bool Users::check(std::string_view user, std::string_view password) const {
    if (entries_.empty()) return false;
    const Entry* e = find(user);
    // A name that is not a user is checked against the first user's secret all the same, so
    // the answer takes as long as for a wrong password.
    const Entry& against = e != nullptr ? *e : entries_.front();
    const bool match = against.plain ? auth::constant_time_equals(against.secret, password)
                                     : auth::verify_password(against.secret, password);
    return match && e != nullptr;
}

} // namespace pier
