// The session of a connection after `101 Switching Protocols`: the handler's byte stream
// (include/pier/stream.hpp). Whatever arrives goes to its on_data, whatever it writes is queued
// and written as the transport takes it; nothing is parsed. It ends when the handler closes
// it, the peer goes away, or the server stops.
#pragma once

#include "server/connection.hpp"
#include "server/session.hpp"

#include <pier/stream.hpp>

#include <memory>
#include <string>

namespace pier::server {

class UpgradedSession final : public Session, public Stream {
  public:
    UpgradedSession(Connection& connection, std::unique_ptr<StreamHandlers> handlers);

    /// Tells the handler the stream is open, then hands it the bytes read past the head.
    void start();

    // Session
    bool wants_input() const noexcept override { return !paused_ && !closing_; }
    void on_input() override;
    void on_writable() override;
    void on_deadline() override;
    bool idle() const noexcept override { return false; }
    void drain() override { close(); }
    void on_closed() noexcept override;

    // Stream
    std::size_t write(std::string_view bytes) override;
    std::size_t queued() const noexcept override {
        return out_.size() - out_sent_ + conn_.transport().pending_output();
    }
    void pause_reading(bool paused) override;
    void close() override;
    void abort() override;
    Loop& loop() noexcept override;
    const std::string& remote_address() const noexcept override { return conn_.remote_address(); }

  private:
    void deliver();
    bool flush();
    void finish_close();
    template <typename Call>
    void guarded(Call&& call);

    Connection& conn_;
    std::unique_ptr<StreamHandlers> handlers_;
    std::string out_;
    std::size_t out_sent_ = 0;
    bool paused_ = false;
    bool closing_ = false;    // close() was called: end once out_ is written
    bool delivering_ = false; // inside on_data: do not deliver again from a nested call
    bool peer_told_ = false;  // on_peer_closed (or the default) has run
    bool close_told_ = false; // on_close has run
};

} // namespace pier::server
