#include <pier/response.hpp>

#include <stdexcept>
#include <unistd.h>

namespace pier {

void Response::set_file(int fd, std::uint64_t offset, std::uint64_t length,
                        std::shared_ptr<const void> owner) {
    release_file();
    body_.clear();
    file_ = {fd, offset, length, std::move(owner)};
}

void Response::FileRange::release() noexcept {
    if (fd >= 0 && !owner) close(fd);
    *this = {};
}

void Response::release_file() noexcept {
    file_.release();
}

void Response::set_stream(Producer producer) {
    if (!producer) {
        source_ = nullptr;
        return;
    }
    source_ = [producer = std::move(producer)](std::string& out, const Resume&) {
        return producer(out) ? Pull::more : Pull::done;
    };
}

void Response::read_body(std::function<void(std::string_view)> on_data, BodyEnd on_end) {
    if (on_data)
        body_sink_ = [on_data = std::move(on_data)](std::string_view piece, const Resume&) {
            on_data(piece);
            return Intake::more;
        };
    else
        body_sink_ = nullptr;
    body_end_ = std::move(on_end);
}

void Response::upgrade(std::string_view protocol, StreamHandlers handlers) {
    set_status(101);
    set_header("Upgrade", protocol);
    upgrade_ = std::make_unique<StreamHandlers>(std::move(handlers));
}

void Response::clear() {
    status_ = 200;
    reason_.clear();
    fields_.clear();
    body_.clear();
    close_ = false;
    raw_ = false;
    release_file();
    source_ = nullptr;
    trailers_.clear();
    body_sink_ = nullptr;
    body_end_ = nullptr;
    job_ = nullptr;
    upgrade_.reset();
}

Resume Response::finish_later(std::shared_ptr<void> state) {
    if (finisher_ == nullptr) throw std::logic_error("finish_later outside a server's handler");
    later_ = true;
    if (state) later_state_ = std::move(state);
    return finisher_->finish_handle();
}

} // namespace pier
