#!/usr/bin/env python3
"""A scripted HTTP/1.1 peer for tests/cli/get_test.sh, built on Python's http.server.

Prints its port on stdout, then serves until killed. Routes:
  /echo           the request as received: method, target, fields, body
  /raw/...        the request line only, for any path below /raw/
  /file/NAME      NAME's bytes from the directory given as argv[1]
  /redirect/N     302 to /redirect/N-1, and /redirect/0 answers "done"
  /to?url=U&code=C   C (default 302) to U (and Set-Cookie: K with &cookie=K)
  /truncated      Content-Length: 100, ten bytes, close
  /reset          Content-Length: 100, ten bytes, then a TCP reset
  /empty          close without a reply
  /slow           waits 3 s before answering
  /nap/NAME       NAME after 0.3 s
  /stall          Content-Length: 100, ten bytes, then 10 s of silence
  /trailers       chunked "hello" with the trailer field X-T: trailer-val
  /gzip /br-less  gzip-coded body "compressed hello"
  /setcookie      Set-Cookie: session=abc; Path=/
  /setcookies     five Set-Cookie: paths /, /echo and /other, a Max-Age, an HttpOnly
  /status/C       "status body" with status C (and Retry-After: S with ?retry_after=S)
  /connections    how many TCP connections were accepted so far
Expect: 100-continue is answered by path (every body is read, chunked ones decoded):
  /417/...        417 Expectation Failed (a request without Expect gets the route after /417)
  /silent/...     no 100 Continue: the body must come after the client's wait
  /final/...      403 at once; /last_final then says whether a body byte came anyway
  anything else   100 Continue, as http.server does
  /ranged/NAME    NAME's bytes with Range (one range: 206 and Content-Range, or 416); with
                  ?cut=N only the first N bytes of what the head announces, then close
  /disposition?v=V   "attachment" with the field Content-Disposition: V, sent as given
  /headers        X-Multi twice and other fields, for -w %{header_json}
"""
import gzip
import http.server
import os
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
CONNECTIONS = 0
LAST_FINAL = "none"
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        global CONNECTIONS
        with LOCK:
            CONNECTIONS += 1
        super().setup()

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", fields=()):
        self.send_response(status)
        for name, value in fields:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_expect_100(self):
        global LAST_FINAL
        if self.path.startswith("/417/"):
            self.send_response(417)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return False
        if self.path.startswith("/silent/"):
            return True
        if self.path.startswith("/final/"):
            self.send_response(403)
            self.send_header("Content-Length", "7")
            self.end_headers()
            self.wfile.write(b"refused")
            self.wfile.flush()
            # Whatever the client sends in the next half second is a body it should have held.
            self.connection.settimeout(0.5)
            try:
                got = self.connection.recv(1, socket.MSG_PEEK)
            except (socket.timeout, OSError):
                got = b""
            LAST_FINAL = "sent" if got else "withheld"
            self.close_connection = True
            return False
        return super().handle_expect_100()

    def send_ten_of_a_hundred(self):
        """A head announcing 100 bytes, and the first ten of them."""
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()

    def send_ranged(self, data, cut):
        """RFC 9110 §14.2 for one range "bytes=A-B", "bytes=A-" or "bytes=-N"; else the whole."""
        status, start, end = 200, 0, len(data)
        fields = [("Accept-Ranges", "bytes")]
        spec = self.headers.get("Range", "")
        if spec.startswith("bytes=") and "," not in spec:
            first, _, last = spec[6:].partition("-")
            if first == "":
                start = max(0, len(data) - int(last))
            else:
                start = int(first)
                end = min(len(data), int(last) + 1) if last else len(data)
            if start >= len(data):
                return self.reply(416, b"", fields + [("Content-Range", f"bytes */{len(data)}")])
            status = 206
            fields.append(("Content-Range", f"bytes {start}-{end - 1}/{len(data)}"))
        self.send_response(status)
        for name, value in fields:
            self.send_header(name, value)
        self.send_header("Content-Length", str(end - start))
        self.end_headers()
        body = data[start:end]
        if cut is not None:
            body = body[:cut]
            self.close_connection = True
        self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        for prefix in ("/417", "/silent"):
            if path.startswith(prefix + "/"):
                path = path[len(prefix):]
        query = urllib.parse.parse_qs(url.query)
        if path.startswith("/raw/"):  # the request line as received: dot-segments and all
            self.body()
            self.reply(200, self.requestline.encode(), [("Content-Type", "text/plain")])
        elif path == "/last_final":
            self.reply(200, LAST_FINAL.encode())
        elif path == "/echo":
            text = f"{self.requestline}\n"
            for name, value in self.headers.items():
                text += f"{name}: {value}\n"
            self.reply(200, text.encode() + b"\n" + self.body(), [("Content-Type", "text/plain")])
        elif path.startswith("/file/"):
            with open(os.path.join(ROOT, path[6:]), "rb") as f:
                self.reply(200, f.read(), [("Content-Type", "application/octet-stream")])
        elif path.startswith("/ranged/"):
            with open(os.path.join(ROOT, path[8:]), "rb") as f:
                cut = query.get("cut")
                self.send_ranged(f.read(), int(cut[0]) if cut else None)
        elif path == "/disposition":
            # Sent as given, bytes and all (send_header would encode it as Latin-1).
            self.send_response(200)
            self._headers_buffer.append(b"Content-Disposition: " +
                                        query["v"][0].encode("utf-8", "surrogateescape") + b"\r\n")
            self.send_header("Content-Length", "11")
            self.end_headers()
            self.wfile.write(b"disposition")
        elif path == "/headers":
            self.reply(200, b"headers", [("X-Multi", "one"), ("Content-Type", "text/plain"),
                                         ("X-Multi", 'two "quoted" \\ back')])
        elif path.startswith("/redirect/"):
            n = int(path[10:])
            if n == 0:
                self.reply(200, b"done")
            else:
                self.reply(302, b"", [("Location", f"/redirect/{n - 1}")])
        elif path == "/to":
            self.body()
            fields = [("Location", query["url"][0])]
            fields += [("Set-Cookie", c) for c in query.get("cookie", [])]
            self.reply(int(query.get("code", ["302"])[0]), b"", fields)
        elif path == "/truncated":
            self.send_ten_of_a_hundred()
            self.close_connection = True
        elif path == "/reset":
            self.send_ten_of_a_hundred()
            time.sleep(0.3)  # the client has read the head and is waiting for the rest
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()  # with linger 0: a reset, not a FIN
            self.close_connection = True
        elif path == "/trailers":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Trailer", "X-T")
            self.end_headers()
            self.wfile.write(b"5\r\nhello\r\n0\r\nX-T: trailer-val\r\n\r\n")
        elif path == "/stall":
            self.send_ten_of_a_hundred()
            time.sleep(10)  # the client is killed meanwhile
            self.close_connection = True
        elif path == "/empty":
            self.close_connection = True
        elif path.startswith("/nap/"):
            time.sleep(0.3)  # long enough that transfers at once overlap
            self.reply(200, path[5:].encode())
        elif path == "/slow":
            time.sleep(3)
            self.reply(200, b"slow")
        elif path == "/gzip":
            self.reply(200, gzip.compress(b"compressed hello"), [("Content-Encoding", "gzip")])
        elif path == "/setcookie":
            self.reply(200, b"set", [("Set-Cookie", "session=abc; Path=/")])
        elif path == "/setcookies":
            self.reply(200, b"set", [("Set-Cookie", "aa=1; Path=/"),
                                     ("Set-Cookie", "bb=2; Path=/echo"),
                                     ("Set-Cookie", "cc=3; Path=/; Max-Age=3600"),
                                     ("Set-Cookie", "dd=4; Path=/; HttpOnly"),
                                     ("Set-Cookie", "ee=5; Path=/other")])
        elif path.startswith("/status/"):
            after = query.get("retry_after")
            self.reply(int(path[8:]), b"status body", [("Retry-After", after[0])] if after else [])
        elif path == "/connections":
            self.reply(200, str(CONNECTIONS).encode())
        else:
            self.body()  # a body left unread would be taken for the next request's head
            self.reply(404, b"not found")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client closing early (pier get -f, say) is not news


server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
