// The one place a Request is put together from a session's state (Request's friend).
#pragma once

#include "server/semantics.hpp"

#include <pier/request.hpp>

#include <string>
#include <string_view>

namespace pier {

class RequestBuilder {
  public:
    static Request make(const RequestHead& head, const server::Verdict& v, std::string_view body,
                        const Fields& trailers, const std::string& remote, std::uint16_t port,
                        std::uint16_t server_port, bool secure, Loop& loop,
                        std::string* remote_user = nullptr,
                        Request::DeferredCheck* deferred = nullptr) {
        Request r;
        r.head_ = &head;
        r.path_ = v.path;
        r.query_ = v.query;
        r.host_ = v.host;
        r.body_ = body;
        r.trailers_ = &trailers;
        r.remote_ = &remote;
        r.remote_port_ = port;
        r.server_port_ = server_port;
        r.secure_ = secure;
        r.loop_ = &loop;
        r.user_ = remote_user;
        r.deferred_ = deferred;
        return r;
    }
};

} // namespace pier
