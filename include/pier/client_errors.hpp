// The errors pier's HTTP client throws: the hierarchy of Python's http.client, so a Python user
// recognises them, plus what Python leaves to OSError and ssl (connect, timeout, TLS).
//
//     HTTPException
//     ├── NotConnected, InvalidURL, UnknownProtocol, UnknownTransferEncoding
//     ├── IncompleteRead            (partial(): bytes received; expected(): bytes announced)
//     ├── ImproperConnectionState
//     │   ├── CannotSendRequest, CannotSendHeader, ResponseNotReady
//     ├── BadStatusLine
//     │   └── RemoteDisconnected    (closed before a complete response head)
//     ├── LineTooLong               (a status or field line, the head, or too many fields)
//     ├── ProtocolError             (any other malformed response: framing, chunks, fields)
//     ├── ConnectError              (name resolution or TCP connect)
//     ├── TimeoutError              (connect, read or total deadline)
//     ├── TlsError                  (handshake or I/O)
//     │   ├── CertificateError      (the peer could not be verified)
//     │   ├── CaCertificatesError   (the CA file or directory asked for does not load)
//     │   └── ClientCertificateError (our own certificate or key does not load)
//     ├── TooManyRedirects          (fetch() only)
//     ├── BodyReadError             (a streamed request body's source failed)
//     └── RewindError               (a body to send again cannot start over: fetch() only)
//
// The client's hot paths return result codes; these are thrown only at the public API.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace pier::client {

class HTTPException : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class NotConnected : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
class InvalidURL : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
class UnknownProtocol : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
class UnknownTransferEncoding : public HTTPException {
  public:
    using HTTPException::HTTPException;
};

class IncompleteRead : public HTTPException {
  public:
    IncompleteRead(std::uint64_t partial, std::optional<std::uint64_t> expected);
    /// Content bytes received before the connection ended.
    std::uint64_t partial() const noexcept { return partial_; }
    /// Content bytes the response announced (Content-Length), if it did.
    std::optional<std::uint64_t> expected() const noexcept { return expected_; }

  private:
    std::uint64_t partial_;
    std::optional<std::uint64_t> expected_;
};

class ImproperConnectionState : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
class CannotSendRequest : public ImproperConnectionState {
  public:
    using ImproperConnectionState::ImproperConnectionState;
};
class CannotSendHeader : public ImproperConnectionState {
  public:
    using ImproperConnectionState::ImproperConnectionState;
};
class ResponseNotReady : public ImproperConnectionState {
  public:
    using ImproperConnectionState::ImproperConnectionState;
};

class BadStatusLine : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
/// Python's RemoteDisconnected: the server closed (or reset) the connection before a complete
/// response head. received() tells an empty reply (0) from a truncated head.
class RemoteDisconnected : public BadStatusLine {
  public:
    RemoteDisconnected(const std::string& what, std::size_t received)
        : BadStatusLine(what), received_(received) {}
    std::size_t received() const noexcept { return received_; }

  private:
    std::size_t received_;
};
class LineTooLong : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
class ProtocolError : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
/// The body's Content-Encoding could not be undone, when decoding was asked for: a coding
/// pier does not know, more layers than it undoes, or corrupt or truncated coded data.
class ContentDecodingError : public ProtocolError {
  public:
    using ProtocolError::ProtocolError;
};

class ConnectError : public HTTPException {
  public:
    enum class Kind : std::uint8_t {
        resolve, // the host name has no address
        connect, // every address refused or was unreachable
    };
    ConnectError(const std::string& what, Kind kind, int error = 0)
        : HTTPException(what), kind_(kind), error_(error) {}
    Kind kind() const noexcept { return kind_; }
    /// For Kind::connect, the errno of the last address tried (ECONNREFUSED, ENETUNREACH…).
    int error() const noexcept { return error_; }

  private:
    Kind kind_;
    int error_;
};

class TimeoutError : public HTTPException {
  public:
    using HTTPException::HTTPException;
};

class TlsError : public HTTPException {
  public:
    using HTTPException::HTTPException;
};
class CertificateError : public TlsError {
  public:
    using TlsError::TlsError;
};
/// The CA file or directory given in TlsOptions cannot be loaded (missing, unreadable, not
/// PEM certificates): nothing could be verified.
class CaCertificatesError : public TlsError {
  public:
    using TlsError::TlsError;
};

/// The client certificate or key of TlsOptions cannot be used (missing, not PEM, a wrong or
/// missing password, a key that is not the certificate's): curl's "problem with the local
/// client certificate".
class ClientCertificateError : public TlsError {
  public:
    using TlsError::TlsError;
};

class TooManyRedirects : public HTTPException {
  public:
    using HTTPException::HTTPException;
};

/// A streamed request body's source failed: a file that cannot be read, or that ended before
/// the length the request announced (the request cannot be finished; the connection is closed).
class BodyReadError : public HTTPException {
  public:
    using HTTPException::HTTPException;
};

/// A request body had to be sent again (a 307 or 308 redirect, a 417 answer to pier's own
/// Expect) after its source was read, and the source cannot start over (a pipe): curl's
/// "necessary data rewind wasn't possible".
class RewindError : public HTTPException {
  public:
    using HTTPException::HTTPException;
};

} // namespace pier::client
