// One wire protocol on a connection. The Connection (connection.hpp) owns the transport, the
// read buffer, the deadline and the epoll registration; it reads what arrives and tells its
// Session, which parses, answers and writes. HTTP/1 is the session every connection starts
// with (http1_session.hpp); after a 101 it hands the connection to an upgraded stream
// (upgraded_session.hpp); HTTP/2 will be a third.
#pragma once

namespace pier::server {

class Session {
  public:
    virtual ~Session() = default;

    /// Before each read: false while the session cannot take more input (back-pressure: its
    /// answers pile up unread, a handler holds the request, a sink paused the body). The
    /// session calls Connection::resume_reading() when that changes.
    virtual bool wants_input() const noexcept = 0;
    /// Bytes arrived in the connection's input buffer — or, with Connection::peer_closed(),
    /// nothing more will.
    virtual void on_input() = 0;
    /// The transport can take more bytes.
    virtual void on_writable() = 0;
    /// The deadline the session set with Connection::set_deadline() has passed.
    virtual void on_deadline() = 0;
    /// Nothing in progress: a server shutdown may close the connection now.
    virtual bool idle() const noexcept = 0;
    /// Server shutdown: finish what is in progress, then close.
    virtual void drain() = 0;
    /// The connection has closed (for whatever reason): nothing more can be sent or read.
    virtual void on_closed() noexcept {}
    /// The client closed its side (FIN), seen while the session may not be reading.
    virtual void on_hangup() {}
};

} // namespace pier::server
