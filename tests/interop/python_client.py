"""Python's http.client against pier: keep-alive, pipelining, chunked uploads, 100-continue."""
import http.client
import os
import socket
import sys

PORT = int(os.environ["PORT"])


def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)


# Keep-alive: several requests on one connection, the socket never replaced.
conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
conn.request("GET", "/hello")
first = conn.sock
r = conn.getresponse()
check(r.status == 200 and r.read() == b"hello\n", "first GET")
for _ in range(5):
    conn.request("GET", "/hello")
    r = conn.getresponse()
    check(r.read() == b"hello\n", "keep-alive GET")
    check(conn.sock is first, "connection reused")
check(r.getheader("Content-Type") == "text/plain", "content type")

# Chunked upload from an iterable.
body = [b"alpha", b"-", b"beta" * 1000]
conn.request("POST", "/echo", body=iter(body), encode_chunked=True,
             headers={"Transfer-Encoding": "chunked"})
r = conn.getresponse()
check(r.read() == b"".join(body), "chunked upload echoed")

# Expect: 100-continue — http.client skips the interim response by itself.
conn.request("PUT", "/echo", body=b"x" * 5000, headers={"Expect": "100-continue"})
r = conn.getresponse()
check(r.status == 200 and len(r.read()) == 5000, "100-continue upload")
conn.close()

# Pipelining: three requests in one write, three responses in order.
s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
s.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
          b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\none"
          b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\ntwo")


class KeepOpen:
    """A file HTTPResponse may "close" after each response without closing the socket's."""

    def __init__(self, f):
        self.f = f

    def __getattr__(self, name):
        return getattr(self.f, name)

    def close(self):
        pass


class Shared:
    """Lets successive HTTPResponse objects read from one buffered file."""

    def __init__(self, sock):
        self.f = KeepOpen(sock.makefile("rb"))

    def makefile(self, *args, **kwargs):
        return self.f


shared = Shared(s)
got = []
for _ in range(3):
    resp = http.client.HTTPResponse(shared)
    resp.begin()
    got.append(resp.read())
check(got == [b"hello\n", b"one", b"two"], "pipelined order: %r" % got)
s.close()
print("python interop: ok")
