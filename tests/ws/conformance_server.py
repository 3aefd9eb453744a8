#!/usr/bin/env python3
"""pier's WebSocket server against a raw-socket client, case by case, modelled on the case
groups of the Autobahn testsuite (issue #17).

    conformance_server.py WS_ECHO [-k FILTER] [-v]

Starts WS_ECHO (examples/ws_echo.cpp: echo at /echo, permessage-deflate on, the default
Limits) on an ephemeral port and runs every case against it with this file's own client
(ws_wire.py: frames written byte by byte, masked, compressed with zlib where a case says so).
Each case asserts the echoed bytes or the close code the server sends, and that the server
then closes the TCP connection:

  H   the opening handshake: the RFC's own key, 400/426 answers, a frame sent with the head
  1   framing: text and binary of 0, 125, 126, 127, 65535, 65536 and 16 MiB bytes (the
      default max_ws_message), sent whole, in 1-byte and in odd-sized chunks
  2   pings (payloads 0..125 answered with identical pongs; 126 bytes: 1002), pongs nobody
      asked for ignored, 10 pings in a row
  3   reserved bits (RSV1..3, every combination, on data and control frames): 1002
  4   reserved opcodes 3..7 and 11..15: 1002
  5   fragmentation: continuations with no message, a message inside a message, control
      frames between fragments, fragmented control frames (1002), empty fragments
  6   UTF-8: valid text and the classic invalid sequences (overlong, surrogates, past U+10FFFF,
      truncated, 5/6-byte forms, stray bytes) whole, split at every byte across two fragments
      and in 1-byte TCP writes: 1007; and fail-fast, the Close before the message has ended
  7   closing: no code, 1000, codes that may be sent (echoed) and ones that may not (1002),
      a 1-byte payload (1002), a reason that is not UTF-8 (1007), whatever follows a Close
  9   limits: a message or frame over max_ws_message (1009, from the header alone when it
      says so), fragments at and past max_ws_fragments (1008)
  10  masking and lengths: an unmasked client frame, lengths not in their shortest form, a
      64-bit length with its top bit set (1002)
  12  permessage-deflate negotiation (RFC 7692 §7.1): parameters answered, offers declined
  13  compressed messages both ways: context takeover on and off, window bits, fragments,
      BFINAL blocks, bad DEFLATE (1007), RSV1 where it may not be (1002)
  B   deflate bombs against a fresh server: 1009, and its peak RSS stays bounded

Every case has a timeout (SIGALRM); a summary table ends the run, then "N passed, N failed";
the exit status is 1 if any case failed.
"""
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_wire import (BINARY, CLOSE, CONT, PING, PONG, RSV1, RSV2, RSV3, TEXT, Compressor,  # noqa: E402
                     Decompressor, Timeout, Wire, accept_key, close_payload, frame,
                     parse_extension, read_head)
from conformance_common import (CaseTimeout, Failed, Results, arguments, check,  # noqa: E402
                                on_alarm, selected)

CASE_TIMEOUT = 15  # seconds, unless a case says otherwise
MIB = 1 << 20
MAX_MESSAGE = 16 * MIB  # Limits::max_ws_message and max_ws_frame (include/pier/limits.hpp)
MAX_FRAGMENTS = 1 << 17  # Limits::max_ws_fragments
# A deflate bomb's peak RSS may grow by at most this much. The message buffer is capped at
# max_ws_message + 1 (16 MiB), but measured the peak settles at about twice that: 8 MiB at the
# start, 24 after the first bomb, 40.6 from the fourth of ten on, flat (glibc raises its mmap
# threshold after freeing the first large buffer, and a later one grows on the heap, where
# realloc may copy). Without the cap a 256 MiB bomb would take 256 MiB.
BOMB_RSS_BOUND = 48 * MIB


# ---------------------------------------------------------------- the server

class EchoServer:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.stop()
            raise SystemExit("ws_echo did not start: %r %r" % (line, self.proc.stderr.read()))
        self.port = int(m.group(1))

    def status(self, field):
        """A /proc/PID/status field in bytes (VmRSS, VmHWM)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise Failed("no %s for the server" % field)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- the client

class Conn:
    """One WebSocket connection to /echo, the handshake done. `extensions`: the offer to make
    in Sec-WebSocket-Extensions; the agreement is in .extension (name, params) or None."""

    def __init__(self, port, extensions=None, path="/echo", compress_level=6):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.key = "dGhlIHNhbXBsZSBub25jZQ=="
        head = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
                % (path, port, self.key))
        if extensions:
            head += "Sec-WebSocket-Extensions: %s\r\n" % extensions
        self.sock.sendall((head + "\r\n").encode())
        status, fields, rest = read_head(self.sock)
        check(status.startswith("HTTP/1.1 101"), "handshake answered %r" % status)
        check(fields.get("sec-websocket-accept") == [accept_key(self.key)],
              "bad Sec-WebSocket-Accept %r" % fields.get("sec-websocket-accept"))
        self.fields = fields
        self.wire = Wire(self.sock, rest)
        self.extension = None
        self.inflate = None  # what the server compresses, inflated
        self.deflate = None  # what we compress
        ext = fields.get("sec-websocket-extensions")
        if ext:
            check(len(ext) == 1, "several Sec-WebSocket-Extensions %r" % ext)
            self.extension = parse_extension(ext[0])
            name, p = self.extension
            check(name == "permessage-deflate", "unknown extension %r" % ext)
            self.inflate = Decompressor(int(p.get("server_max_window_bits") or 15),
                                        "server_no_context_takeover" not in p, strict=True)
            self.deflate = Compressor(int(p.get("client_max_window_bits") or 15),
                                      "client_no_context_takeover" not in p, compress_level)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # sending

    def send(self, *frames, chunk=None, pause=0.0):
        data = b"".join(frames)
        if chunk is None:
            self.sock.sendall(data)
            return
        for i in range(0, len(data), chunk):
            self.sock.sendall(data[i:i + chunk])
            if pause:
                time.sleep(pause)

    def send_message(self, opcode, data, compress=None):
        """One whole message, compressed when deflate was agreed (or `compress` says so)."""
        if compress is None:
            compress = self.deflate is not None
        if compress:
            self.send(frame(opcode, self.deflate.message(data), rsv=RSV1))
        else:
            self.send(frame(opcode, data))

    # receiving

    def next_frame(self, timeout=5.0):
        f = self.wire.read_frame(timeout)
        if f is not None:
            check(not f.masked, "the server masked a frame: %r" % f)
        return f

    def message(self, timeout=5.0):
        """The next data message (opcode, bytes); control frames before it fail the case."""
        parts, opcode, compressed = [], None, False
        while True:
            f = self.next_frame(timeout)
            check(f is not None, "EOF where a message was expected")
            check(f.opcode in (TEXT, BINARY, CONT), "%r where a message was expected" % f)
            if opcode is None:
                check(f.opcode != CONT, "continuation first: %r" % f)
                opcode, compressed = f.opcode, bool(f.rsv & RSV1)
                check(f.rsv & ~RSV1 == 0, "reserved bits from the server: %r" % f)
                check(not compressed or self.inflate, "RSV1 without deflate agreed")
            else:
                check(f.opcode == CONT and f.rsv == 0, "bad continuation %r" % f)
            parts.append(f.payload)
            if f.fin:
                break
        data = b"".join(parts)
        if compressed:
            data = self.inflate.message(data)
        return opcode, data

    def expect_echo(self, opcode, data, timeout=5.0):
        got_op, got = self.message(timeout)
        check(got_op == opcode, "echo has opcode %d, not %d" % (got_op, opcode))
        if got != data:
            at = next((i for i in range(min(len(got), len(data))) if got[i] != data[i]),
                      min(len(got), len(data)))
            raise Failed("echo differs at byte %d (%d bytes back, %d sent)" % (at, len(got),
                                                                                len(data)))

    def expect_control(self, opcode, payload, timeout=5.0):
        f = self.next_frame(timeout)
        check(f is not None, "EOF where a control frame was expected")
        check(f.opcode == opcode and f.fin and f.rsv == 0,
              "%r where opcode %d was expected" % (f, opcode))
        check(f.payload == payload, "payload %r, not %r" % (f.payload[:40], payload[:40]))

    def expect_close(self, code, timeout=5.0, eof=True):
        """The next frame is a Close with `code` (None: without a payload), then the server
        closes the connection."""
        f = self.next_frame(timeout)
        check(f is not None, "EOF without a Close (expected %s)" % code)
        check(f.opcode == CLOSE, "%r where Close %s was expected" % (f, code))
        check(f.fin and f.rsv == 0, "bad Close frame %r" % f)
        if code is None:
            check(f.payload == b"", "Close payload %r where none was expected" % f.payload)
        else:
            check(f.close_code() == code, "Close code %s, not %d (reason %r)" % (
                f.close_code(), code, f.payload[2:]))
            try:
                f.payload[2:].decode("utf-8")
            except UnicodeDecodeError:
                raise Failed("Close reason is not UTF-8: %r" % f.payload)
        if eof:
            check(self.wire.wait_eof(timeout), "the server kept the connection after its Close")

    def expect_quiet(self, seconds=0.3):
        """Nothing arrives for a while (what was sent was ignored)."""
        try:
            f = self.next_frame(seconds)
        except Timeout:
            return
        raise Failed("expected nothing, got %r" % (f,))

    def clean_close(self):
        self.send(frame(CLOSE, close_payload(1000)))
        self.expect_close(1000)


# ---------------------------------------------------------------- cases

CASES = []  # (group, name, function, timeout)


def case(group, name, timeout=CASE_TIMEOUT):
    def register(fn):
        CASES.append((group, name, fn, timeout))
        return fn
    return register


def add(group, name, fn, timeout=CASE_TIMEOUT):
    CASES.append((group, name, fn, timeout))


def utf8_text(n, seed=0):
    """n bytes of valid UTF-8 with 1-, 2-, 3- and 4-byte characters, so that chunked sends
    split characters; past 4 KiB the first 4 KiB repeat (fast for 16 MiB)."""
    rnd = random.Random(seed)
    alphabet = ["a", "Z", " ", "\u00df", "\u20ac", "\U0001f600", "\u03ba", "\uffff"]
    block = bytearray()
    while len(block) < min(n, 4096) - 4:
        block += rnd.choice(alphabet).encode()
    out = bytes(block) * max(1, (n - 4) // max(1, len(block)))
    if len(out) > n:
        out = bytes(block)
    return out + b"." * (n - len(out))


def binary_data(n, seed=0):
    return random.Random(seed).randbytes(min(n, 65536)) * (n // 65536) + \
        random.Random(seed + 1).randbytes(n % 65536)


def ctx_echo(port, opcode, data, chunk=None, timeout=5.0):
    c = Conn(port)
    try:
        c.send(frame(opcode, data), chunk=chunk)
        c.expect_echo(opcode, data, timeout)
        c.clean_close()
    finally:
        c.close()


def expect_failure(port, code, *frames, chunk=None, before=None, extensions=None):
    """Sends `frames` (after `before`, the messages that must be echoed first) and expects
    Close `code` and the end of the connection."""
    c = Conn(port, extensions)
    try:
        for opcode, data in before or ():
            c.send(frame(opcode, data))
        c.send(*frames, chunk=chunk)
        for opcode, data in before or ():
            c.expect_echo(opcode, data)
        c.expect_close(code)
    finally:
        c.close()


def register_cases():
    # ---- H: the opening handshake
    @case("H", "RFC 6455 §1.3 key gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    def _(port):
        c = Conn(port)
        check(c.fields["sec-websocket-accept"] == ["s3pPLMBiTxaQ9kYGzzhZRbK+xOo="], "accept")
        check("sec-websocket-protocol" not in c.fields, "a subprotocol nobody offered")
        check("sec-websocket-extensions" not in c.fields, "an extension nobody offered")
        c.clean_close()
        c.close()

    def refused(port, head, status, field=None):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            s.sendall(head.encode())
            line, fields, _ = read_head(s)
            check(line.split()[1] == str(status), "answered %r, not %d" % (line, status))
            if field:
                check(fields.get(field[0]) == [field[1]], "%s: %r" % (field[0], fields.get(field[0])))
        finally:
            s.close()

    base = ("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
    add("H", "no Sec-WebSocket-Key: 400", lambda port: refused(
        port, base + "Sec-WebSocket-Version: 13\r\n\r\n", 400))
    add("H", "key of 15 bytes: 400", lambda port: refused(
        port, base + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\nSec-WebSocket-Version: 13\r\n\r\n",
        400))
    add("H", "version 8: 426 with Sec-WebSocket-Version: 13", lambda port: refused(
        port, base + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
        426, ("sec-websocket-version", "13")))

    @case("H", "a frame in the same write as the request head")
    def _(port):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(("GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                   "\r\n").encode() + frame(TEXT, b"early") + frame(PING, b"p"))
        status, _, rest = read_head(s)
        check(status.startswith("HTTP/1.1 101"), status)
        w = Wire(s, rest)
        f = w.read_frame()
        check(f and f.opcode == TEXT and f.payload == b"early", "echo of the early frame: %r" % f)
        f = w.read_frame()
        check(f and f.opcode == PONG and f.payload == b"p", "pong: %r" % f)
        s.close()

    # ---- 1: framing
    sizes = [0, 125, 126, 127, 128, 65535, 65536]
    for opcode, kind in ((TEXT, "text"), (BINARY, "binary")):
        make = utf8_text if opcode == TEXT else binary_data
        for n in sizes:
            data = make(n, n)
            add("1", "%s %d whole" % (kind, n), lambda port, o=opcode, d=data: ctx_echo(port, o, d))
            add("1", "%s %d in 1-byte chunks" % (kind, n),
                lambda port, o=opcode, d=data: ctx_echo(port, o, d, chunk=1), timeout=60)
        big = make(MAX_MESSAGE, 7)
        add("1", "%s 16 MiB whole" % kind,
            lambda port, o=opcode, d=big: ctx_echo(port, o, d, timeout=30), timeout=60)
        add("1", "%s 16 MiB in 997-byte chunks" % kind,
            lambda port, o=opcode, d=big: ctx_echo(port, o, d, chunk=997, timeout=30), timeout=60)

    @case("1", "8 messages of 125 bytes in one write, 1-byte chunks")
    def _(port):
        c = Conn(port)
        msgs = [utf8_text(125, i) for i in range(8)]
        c.send(*[frame(TEXT, m) for m in msgs], chunk=1)
        for m in msgs:
            c.expect_echo(TEXT, m)
        c.clean_close()
        c.close()

    # ---- 2: pings and pongs
    @case("2", "pings of 0..125 bytes answered with identical pongs")
    def _(port):
        c = Conn(port)
        for n in range(126):
            payload = bytes((i * 7 + n) & 0xFF for i in range(n))
            c.send(frame(PING, payload))
            c.expect_control(PONG, payload)
        c.clean_close()
        c.close()

    @case("2", "ping of 125 bytes in 1-byte chunks")
    def _(port):
        c = Conn(port)
        payload = bytes(range(125))
        c.send(frame(PING, payload), chunk=1)
        c.expect_control(PONG, payload)
        c.clean_close()
        c.close()

    add("2", "ping of 126 bytes: 1002", lambda port: expect_failure(
        port, 1002, frame(PING, b"x" * 126)))
    add("2", "ping of 126 bytes after a message: echo, then 1002", lambda port: expect_failure(
        port, 1002, frame(PING, b"x" * 126), before=[(TEXT, b"first")]))

    @case("2", "unsolicited pongs ignored")
    def _(port):
        c = Conn(port)
        c.send(frame(PONG, b""), frame(PONG, b"unsolicited"), frame(TEXT, b"after"))
        c.expect_echo(TEXT, b"after")
        c.send(frame(PONG, b"again"), frame(PING, b"real"))
        c.expect_control(PONG, b"real")
        c.clean_close()
        c.close()

    @case("2", "10 pings in a row: 10 pongs in order")
    def _(port):
        c = Conn(port)
        c.send(*[frame(PING, b"ping %d" % i) for i in range(10)])
        for i in range(10):
            c.expect_control(PONG, b"ping %d" % i)
        c.clean_close()
        c.close()

    @case("2", "10 pings in 1-byte chunks")
    def _(port):
        c = Conn(port)
        c.send(*[frame(PING, b"p%d" % i) for i in range(10)], chunk=1)
        for i in range(10):
            c.expect_control(PONG, b"p%d" % i)
        c.clean_close()
        c.close()

    # ---- 3: reserved bits (no extension agreed: RSV1 is reserved too)
    for rsv in range(1, 8):
        add("3", "text with RSV=%d: 1002" % rsv, lambda port, r=rsv: expect_failure(
            port, 1002, frame(TEXT, b"reserved", rsv=r)))
    add("3", "echo, binary RSV=2, ping: echo then 1002, no pong", lambda port: expect_failure(
        port, 1002, frame(BINARY, b"\x00\xff", rsv=RSV2), frame(PING, b"no"),
        before=[(TEXT, b"ok")]))
    add("3", "ping with RSV=3: 1002", lambda port: expect_failure(
        port, 1002, frame(PING, b"p", rsv=RSV2 | RSV3)))
    add("3", "close with RSV=7: 1002", lambda port: expect_failure(
        port, 1002, frame(CLOSE, close_payload(1000), rsv=7)))
    add("3", "continuation with RSV=1: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"a", fin=False), frame(CONT, b"b", rsv=RSV1)))

    # ---- 4: reserved opcodes
    for op in list(range(3, 8)) + list(range(11, 16)):
        add("4", "opcode %d: 1002" % op, lambda port, o=op: expect_failure(
            port, 1002, frame(o, b"")))
        add("4", "echo, opcode %d with payload, ping: echo then 1002" % op,
            lambda port, o=op: expect_failure(port, 1002, frame(o, b"reserved"),
                                              frame(PING, b"p"), before=[(TEXT, b"hi")]))

    # ---- 5: fragmentation
    add("5", "fragmented ping: 1002", lambda port: expect_failure(
        port, 1002, frame(PING, b"frag", fin=False), frame(CONT, b"ment")))
    add("5", "fragmented pong: 1002", lambda port: expect_failure(
        port, 1002, frame(PONG, b"frag", fin=False), frame(CONT, b"ment")))
    add("5", "fragmented close: 1002", lambda port: expect_failure(
        port, 1002, frame(CLOSE, close_payload(1000), fin=False), frame(CONT, b"")))
    add("5", "continuation (FIN) without a message: 1002", lambda port: expect_failure(
        port, 1002, frame(CONT, b"cont"), frame(TEXT, b"after")))
    add("5", "continuation (no FIN) without a message: 1002", lambda port: expect_failure(
        port, 1002, frame(CONT, b"cont", fin=False), frame(CONT, b"end")))
    add("5", "continuation after a whole message: echo, then 1002", lambda port: expect_failure(
        port, 1002, frame(CONT, b"late"), before=[(TEXT, b"whole")]))
    add("5", "text inside a fragmented text: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"one", fin=False), frame(TEXT, b"two")))
    add("5", "binary inside a fragmented text: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"one", fin=False), frame(BINARY, b"two", fin=False),
        frame(CONT, b"end")))
    add("5", "message, then fragments out of order: echo, then 1002", lambda port: expect_failure(
        port, 1002, frame(CONT, b"c", fin=False), frame(TEXT, b"d"), before=[(TEXT, b"ab")]))

    def fragments_echo(port, opcode, pieces, between=None, chunk=None, pause=0.0):
        c = Conn(port)
        frames = []
        for i, p in enumerate(pieces):
            frames.append(frame(opcode if i == 0 else CONT, p, fin=i == len(pieces) - 1))
            if between is not None and i < len(pieces) - 1:
                frames.append(between(i))
        if pause:
            for f in frames:
                c.send(f)
                time.sleep(pause)
        else:
            c.send(*frames, chunk=chunk)
        if between is not None:
            for i in range(len(pieces) - 1):
                c.expect_control(PONG, b"between %d" % i)
        c.expect_echo(opcode, b"".join(pieces))
        c.clean_close()
        c.close()

    add("5", "text in 2 fragments", lambda port: fragments_echo(port, TEXT, [b"frag", b"ment"]))
    add("5", "binary in 2 fragments", lambda port: fragments_echo(port, BINARY, [b"\x00", b"\xff"]))
    add("5", "text in 1-byte fragments", lambda port: fragments_echo(
        port, TEXT, [bytes([b]) for b in b"one byte each"]))
    add("5", "binary in 1,000 fragments of 1 byte", lambda port: fragments_echo(
        port, BINARY, [bytes([i & 0xFF]) for i in range(1000)]))
    add("5", "empty fragments around data", lambda port: fragments_echo(
        port, TEXT, [b"", b"abc", b"", b"", b"def", b""]))
    add("5", "all fragments empty", lambda port: fragments_echo(port, BINARY, [b"", b"", b""]))
    add("5", "pings between fragments: pongs first, then the message", lambda port: fragments_echo(
        port, TEXT, [b"fr", b"ag", b"ment"], between=lambda i: frame(PING, b"between %d" % i)))
    add("5", "pings between fragments, 1-byte chunks", lambda port: fragments_echo(
        port, TEXT, [b"fr", b"ag", b"ment"], between=lambda i: frame(PING, b"between %d" % i),
        chunk=1))
    add("5", "pings between fragments, a pause after each frame", lambda port: fragments_echo(
        port, TEXT, [b"fr", b"ag", b"ment"], between=lambda i: frame(PING, b"between %d" % i),
        pause=0.05))
    @case("5", "pong between fragments ignored")
    def _(port):
        c = Conn(port)
        c.send(frame(TEXT, b"a", fin=False), frame(PONG, b"x"), frame(CONT, b"b"))
        c.expect_echo(TEXT, b"ab")
        c.clean_close()
        c.close()

    # ---- 6: UTF-8
    register_utf8_cases()

    # ---- 7: closing
    @case("7", "close 1000 after a message: echo, Close 1000, TCP closed")
    def _(port):
        c = Conn(port)
        c.send(frame(TEXT, b"hello"))
        c.expect_echo(TEXT, b"hello")
        c.clean_close()
        c.close()

    @case("7", "close without a code: Close without a code back")
    def _(port):
        c = Conn(port)
        c.send(frame(CLOSE, b""))
        c.expect_close(None)
        c.close()

    @case("7", "close twice: one Close back")
    def _(port):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(1000)), frame(CLOSE, close_payload(1000)))
        c.expect_close(1000)
        c.close()

    @case("7", "ping after close: no pong")
    def _(port):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(1000)), frame(PING, b"late"))
        c.expect_close(1000)
        c.close()

    @case("7", "text after close: not echoed")
    def _(port):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(1000)), frame(TEXT, b"late"))
        c.expect_close(1000)
        c.close()

    @case("7", "invalid frames after close: ignored, still 1000")
    def _(port):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(1000)), frame(7, b"bad"), frame(TEXT, b"\xff"),
               frame(TEXT, b"x", mask=False))
        c.expect_close(1000)
        c.close()

    @case("7", "fragment, close, continuation: Close back, no message")
    def _(port):
        c = Conn(port)
        c.send(frame(TEXT, b"start", fin=False), frame(CLOSE, close_payload(1000)),
               frame(CONT, b"end"))
        c.expect_close(1000)
        c.close()

    @case("7", "close 1000 with a 123-byte reason")
    def _(port):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(1000, b"r" * 123)))
        c.expect_close(1000)
        c.close()

    add("7", "close with a 124-byte reason (126-byte payload): 1002", lambda port: expect_failure(
        port, 1002, frame(CLOSE, close_payload(1000, b"r" * 124))))
    add("7", "close with a 1-byte payload: 1002", lambda port: expect_failure(
        port, 1002, frame(CLOSE, b"\x03")))
    add("7", "close reason not UTF-8: 1007", lambda port: expect_failure(
        port, 1007, frame(CLOSE, close_payload(1000, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc"
                                                     b"\xce\xb5\xed\xa0\x80edited"))))
    add("7", "close reason cut inside a character: 1007", lambda port: expect_failure(
        port, 1007, frame(CLOSE, close_payload(1000, b"ok\xe2\x82"))))
    for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999):
        def valid(port, code=code):
            c = Conn(port)
            c.send(frame(CLOSE, close_payload(code, b"reason")))
            c.expect_close(code)
            c.close()
        add("7", "close code %d: echoed" % code, valid)
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
        add("7", "close code %d: 1002" % code, lambda port, code=code: expect_failure(
            port, 1002, frame(CLOSE, close_payload(code))))

    # ---- 9: limits
    @case("9", "frame header over max_ws_message: 1009 before the payload", timeout=20)
    def _(port):
        c = Conn(port)
        c.send(frame(BINARY, b"", length=MAX_MESSAGE + 1) + b"\x00" * 1000)
        c.expect_close(1009)
        c.close()

    @case("9", "text of max_ws_message + 1 sent whole: 1009", timeout=60)
    def _(port):
        c = Conn(port)
        data = utf8_text(MAX_MESSAGE + 1, 3)
        send_ignoring_reset(c, frame(TEXT, data))
        c.expect_close(1009, timeout=20)
        c.close()

    @case("9", "fragments summing past max_ws_message: 1009 at the second header", timeout=60)
    def _(port):
        c = Conn(port)
        half = MAX_MESSAGE // 2
        c.send(frame(BINARY, binary_data(half), fin=False))
        c.send(frame(CONT, b"", length=half + 1))
        c.expect_close(1009, timeout=20)
        c.close()

    @case("9", "max_ws_fragments fragments of 1 byte: echoed", timeout=60)
    def _(port):
        c = Conn(port)
        n = MAX_FRAGMENTS
        frames = [frame(BINARY, b"\x01", fin=False, key=b"\x00\x00\x00\x00")]
        frames += [frame(CONT, b"\x01", fin=False, key=b"\x00\x00\x00\x00")] * (n - 2)
        frames.append(frame(CONT, b"\x02"))
        c.send(*frames)
        c.expect_echo(BINARY, b"\x01" * (n - 1) + b"\x02", timeout=30)
        c.clean_close()
        c.close()

    @case("9", "max_ws_fragments + 1 empty fragments: 1008", timeout=60)
    def _(port):
        c = Conn(port)
        n = MAX_FRAGMENTS
        frames = [frame(TEXT, b"", fin=False, key=b"\x00\x00\x00\x00")]
        frames += [frame(CONT, b"", fin=False, key=b"\x00\x00\x00\x00")] * n
        send_ignoring_reset(c, b"".join(frames))
        c.expect_close(1008, timeout=30)
        c.close()

    # ---- 10: masking and lengths
    add("10", "unmasked text from a client: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"hi", mask=False)))
    add("10", "unmasked ping from a client: 1002", lambda port: expect_failure(
        port, 1002, frame(PING, b"hi", mask=False)))
    add("10", "unmasked close from a client: 1002", lambda port: expect_failure(
        port, 1002, frame(CLOSE, close_payload(1000), mask=False)))
    add("10", "all-zero mask key: echoed", lambda port: ctx_echo_key(port, b"\x00\x00\x00\x00"))
    add("10", "16-bit length for 5 bytes: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"short", length_form=16)))
    add("10", "64-bit length for 200 bytes: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"x" * 200, length_form=64)))
    add("10", "64-bit length with the top bit set: 1002", lambda port: expect_failure(
        port, 1002, frame(BINARY, b"", length=1 << 63)))

    # ---- 12, 13: permessage-deflate
    register_deflate_cases()

    # ---- R: peers that reset the connection at once, so the server's answer (an echo, a
    # pong, its Close) meets a reset socket: the write ends the stream inside the call.
    @case("R", "300 connections reset right after a message, a bad frame, a ping, a Close",
          timeout=60)
    def _(port):
        sends = [frame(TEXT, b"x" * 100000), frame(7, b""), frame(PING, b"p"),
                 frame(CLOSE, close_payload(1000)), frame(TEXT, b"\xff")]
        for i in range(300):
            c = Conn(port)
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.sock.sendall(sends[i % len(sends)])
            c.close()
            time.sleep(0.002)
        ctx_echo(port, TEXT, b"still here")


def send_ignoring_reset(c, data):
    """Sends what the server may stop reading before the end (it closes once it has seen
    enough): from a thread, so the Close can be read meanwhile."""
    def run():
        try:
            c.sock.sendall(data)
        except OSError:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def ctx_echo_key(port, key):
    c = Conn(port)
    c.send(frame(TEXT, b"zero key", key=key))
    c.expect_echo(TEXT, b"zero key")
    c.clean_close()
    c.close()


# ---------------------------------------------------------------- 6: UTF-8

VALID_UTF8 = [
    ("empty", b""),
    ("Hello-µ@ßöäüàá-UTF-8!!", "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!".encode()),
    ("κόσμε", "\u03ba\u1f79\u03c3\u03bc\u03b5".encode()),
    ("U+0000", b"\x00"), ("U+007F", b"\x7f"), ("U+0080", b"\xc2\x80"), ("U+07FF", b"\xdf\xbf"),
    ("U+0800", b"\xe0\xa0\x80"), ("U+D7FF", b"\xed\x9f\xbf"), ("U+E000", b"\xee\x80\x80"),
    ("U+FFFD", b"\xef\xbf\xbd"), ("U+FFFE", b"\xef\xbf\xbe"), ("U+FFFF", b"\xef\xbf\xbf"),
    ("U+10000", b"\xf0\x90\x80\x80"), ("U+10FFFF", b"\xf4\x8f\xbf\xbf"),
    ("U+1F600", b"\xf0\x9f\x98\x80"),
]

INVALID_UTF8 = [
    ("κόσμε + surrogate + edited",
     b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"),
    # stray continuation bytes
    ("lone 80", b"\x80"), ("lone BF", b"\xbf"), ("80 BF", b"\x80\xbf"),
    ("80 BF 80 BF 80 BF 80", b"\x80\xbf\x80\xbf\x80\xbf\x80"),
    ("a 80 b", b"a\x80b"),
    # start bytes followed by a space
    ("C0 space", b"\xc0 "), ("DF space", b"\xdf "), ("E0 space", b"\xe0 "), ("EF space", b"\xef "),
    ("F0 space", b"\xf0 "), ("F8 space", b"\xf8 "), ("FC space", b"\xfc "),
    # sequences with their last byte missing, at the end of the text
    ("truncated 2-byte CE", b"\xce"), ("truncated 3-byte E2 82", b"\xe2\x82"),
    ("truncated 4-byte F0 9F 98", b"\xf0\x9f\x98"), ("text then truncated E2", b"ab\xe2"),
    ("truncated C0", b"\xc0"), ("truncated E0 80", b"\xe0\x80"),
    ("truncated F7 BF BF", b"\xf7\xbf\xbf"),
    ("truncated sequences run together", b"\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80"),
    # bytes that never appear
    ("FE", b"\xfe"), ("FF", b"\xff"), ("FE FE FF FF", b"\xfe\xfe\xff\xff"),
    # overlong forms of '/'
    ("overlong / C0 AF", b"\xc0\xaf"), ("overlong / E0 80 AF", b"\xe0\x80\xaf"),
    ("overlong / F0 80 80 AF", b"\xf0\x80\x80\xaf"), ("overlong / F8 80 80 80 AF", b"\xf8\x80\x80\x80\xaf"),
    ("overlong / FC 80 80 80 80 AF", b"\xfc\x80\x80\x80\x80\xaf"),
    # the largest overlong forms
    ("overlong C1 BF", b"\xc1\xbf"), ("overlong E0 9F BF", b"\xe0\x9f\xbf"),
    ("overlong F0 8F BF BF", b"\xf0\x8f\xbf\xbf"), ("overlong F8 87 BF BF BF", b"\xf8\x87\xbf\xbf\xbf"),
    ("overlong FC 83 BF BF BF BF", b"\xfc\x83\xbf\xbf\xbf\xbf"),
    # overlong NUL
    ("overlong NUL C0 80", b"\xc0\x80"), ("overlong NUL E0 80 80", b"\xe0\x80\x80"),
    ("overlong NUL F0 80 80 80", b"\xf0\x80\x80\x80"),
    # UTF-16 surrogates, single and paired
    ("surrogate ED A0 80", b"\xed\xa0\x80"), ("surrogate ED AD BF", b"\xed\xad\xbf"),
    ("surrogate ED AE 80", b"\xed\xae\x80"), ("surrogate ED AF BF", b"\xed\xaf\xbf"),
    ("surrogate ED B0 80", b"\xed\xb0\x80"), ("surrogate ED BE 80", b"\xed\xbe\x80"),
    ("surrogate ED BF BF", b"\xed\xbf\xbf"), ("surrogate pair ED A0 80 ED B0 80", b"\xed\xa0\x80\xed\xb0\x80"),
    ("surrogate pair ED AF BF ED BF BF", b"\xed\xaf\xbf\xed\xbf\xbf"),
    # past U+10FFFF
    ("U+110000 F4 90 80 80", b"\xf4\x90\x80\x80"), ("F5 80 80 80", b"\xf5\x80\x80\x80"),
    ("F7 BF BF BF", b"\xf7\xbf\xbf\xbf"),
    # 5- and 6-byte forms
    ("5-byte F8 88 80 80 80", b"\xf8\x88\x80\x80\x80"), ("6-byte FC 84 80 80 80 80", b"\xfc\x84\x80\x80\x80\x80"),
    ("6-byte FD BF BF BF BF BF", b"\xfd\xbf\xbf\xbf\xbf\xbf"),
]


def register_utf8_cases():
    @case("6", "valid UTF-8: whole, at every split across 2 fragments, 1-byte writes", timeout=30)
    def _(port):
        c = Conn(port)
        for name, text in VALID_UTF8:
            payload = b"\xce\xba" + text + b"\xf0\x9f\x98\x80"  # characters on either side
            c.send(frame(TEXT, payload))
            c.expect_echo(TEXT, payload)
            c.send(frame(TEXT, payload), chunk=1)
            c.expect_echo(TEXT, payload)
            for k in range(len(payload) + 1):
                c.send(frame(TEXT, payload[:k], fin=False), frame(CONT, payload[k:]))
                c.expect_echo(TEXT, payload)
        c.clean_close()
        c.close()

    for name, seq in INVALID_UTF8:
        def whole(port, seq=seq):
            expect_failure(port, 1007, frame(TEXT, seq))
            expect_failure(port, 1007, frame(TEXT, seq), chunk=1)
            for k in range(len(seq) + 1):
                expect_failure(port, 1007, frame(TEXT, seq[:k], fin=False), frame(CONT, seq[k:]))
            # the same bytes in a three-fragment message, the first piece valid text
            expect_failure(port, 1007, frame(TEXT, b"ok ", fin=False), frame(CONT, seq, fin=False),
                           frame(CONT, b""))

        def fail_fast(port, seq=seq):
            # The text after the bad bytes is announced but never sent: the Close must come
            # first (RFC 6455 §8.1: fail as soon as the bytes cannot begin valid UTF-8).
            bad = b"ok " + seq + b"z"  # 'z' ends a truncated sequence too
            rest = b"z" * 1000
            c = Conn(port)
            c.send(frame(TEXT, bad + rest)[:-len(rest)])
            c.expect_close(1007, timeout=2)
            c.close()
            c = Conn(port)
            c.send(frame(TEXT, bad, fin=False))  # no final fragment
            c.expect_close(1007, timeout=2)
            c.close()

        add("6", "%s: 1007 whole, split, 1-byte writes" % name, whole, timeout=30)
        add("6", "%s: 1007 before the message ends" % name, fail_fast)

    @case("6", "invalid byte deep in a 1 MiB text: 1007 before the rest", timeout=20)
    def _(port):
        c = Conn(port)
        good = utf8_text(512 * 1024, 9)
        rest = 512 * 1024
        c.send(frame(TEXT, good + b"\xc0\xaf" + b"x" * rest)[:-rest])
        c.expect_close(1007)
        c.close()


# ---------------------------------------------------------------- 12, 13: permessage-deflate

def register_deflate_cases():
    negotiations = [
        ("permessage-deflate", {}),
        ("permessage-deflate; client_max_window_bits", {}),
        ("permessage-deflate; server_max_window_bits=10", {"server_max_window_bits": "10"}),
        ("permessage-deflate; server_max_window_bits=8", {"server_max_window_bits": "8"}),
        ("permessage-deflate; client_max_window_bits=9", {"client_max_window_bits": "9"}),
        ('permessage-deflate; client_max_window_bits="12"', {"client_max_window_bits": "12"}),
        ("permessage-deflate; server_no_context_takeover", {"server_no_context_takeover": None}),
        ("permessage-deflate; client_no_context_takeover", {"client_no_context_takeover": None}),
        ("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
         "server_max_window_bits=9; client_max_window_bits=9",
         {"server_no_context_takeover": None, "client_no_context_takeover": None,
          "server_max_window_bits": "9", "client_max_window_bits": "9"}),
        ("permessage-deflate; unknown_param, permessage-deflate; client_max_window_bits=11",
         {"client_max_window_bits": "11"}),
        ("x-webkit-deflate-frame, permessage-deflate", {}),
        # declined: not answered at all
        ("permessage-deflate; unknown_param", None),
        ("permessage-deflate; server_max_window_bits=7", None),
        ("permessage-deflate; server_max_window_bits=16", None),
        ("permessage-deflate; server_max_window_bits=010", None),
        ("permessage-deflate; server_max_window_bits", None),
        ("permessage-deflate; client_max_window_bits=7", None),
        ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", None),
        ("permessage-deflate; server_no_context_takeover=1", None),
        ("x-webkit-deflate-frame", None),
    ]
    for offer, expected in negotiations:
        def negotiate(port, offer=offer, expected=expected):
            c = Conn(port, offer)
            if expected is None:
                check(c.extension is None, "declined offer answered %r" % (c.extension,))
            else:
                check(c.extension == ("permessage-deflate", expected),
                      "answered %r, expected %r" % (c.extension, expected))
            roundtrips(c)
            c.clean_close()
            c.close()
        add("12", "offer %r" % offer, negotiate)

    for offer in ("permessage-deflate", "permessage-deflate; client_max_window_bits=9",
                  "permessage-deflate; server_max_window_bits=9",
                  "permessage-deflate; server_no_context_takeover",
                  "permessage-deflate; client_no_context_takeover",
                  "permessage-deflate; server_no_context_takeover; client_no_context_takeover"):
        def bulk(port, offer=offer):
            c = Conn(port, offer)
            roundtrips(c, big=True)
            c.clean_close()
            c.close()
        add("13", "messages echoed, %s" % offer, bulk, timeout=60)

    @case("13", "compressed at every level 1..9, and fragmented")
    def _(port):
        for level in range(1, 10):
            c = Conn(port, "permessage-deflate", compress_level=level)
            data = utf8_text(20000, level)
            c.send_message(TEXT, data)
            c.expect_echo(TEXT, data)
            z = c.deflate.message(data)
            pieces = [z[i:i + 100] for i in range(0, len(z), 100)]
            c.send(frame(TEXT, pieces[0], fin=len(pieces) == 1, rsv=RSV1),
                   *[frame(CONT, p, fin=i == len(pieces) - 1) for i, p in enumerate(pieces)
                     if i > 0])
            c.expect_echo(TEXT, data)
            c.clean_close()
            c.close()

    @case("13", "compressed message in 1-byte fragments and 1-byte writes")
    def _(port):
        c = Conn(port, "permessage-deflate")
        data = b"fragmented and compressed " * 20
        z = c.deflate.message(data)
        frames = [frame(BINARY, z[:1], fin=False, rsv=RSV1)]
        frames += [frame(CONT, z[i:i + 1], fin=i == len(z) - 1) for i in range(1, len(z))]
        c.send(*frames, chunk=1)
        c.expect_echo(BINARY, data)
        c.clean_close()
        c.close()

    @case("13", "uncompressed messages in a deflate session")
    def _(port):
        c = Conn(port, "permessage-deflate")
        c.send_message(TEXT, b"compressed")
        c.expect_echo(TEXT, b"compressed")
        c.send_message(TEXT, b"plain", compress=False)
        c.expect_echo(TEXT, b"plain")
        c.send_message(TEXT, b"compressed again")
        c.expect_echo(TEXT, b"compressed again")
        c.clean_close()
        c.close()

    @case("13", "messages ended with a BFINAL block (RFC 7692 §7.2.3.4)")
    def _(port):
        c = Conn(port, "permessage-deflate")
        first = b"final block message " * 10
        z = zlib.compressobj(6, zlib.DEFLATED, -15)
        c.send(frame(TEXT, z.compress(first) + z.flush(zlib.Z_FINISH), rsv=RSV1))
        c.expect_echo(TEXT, first)
        # With context takeover the next message may refer back into the first one.
        z = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=first)
        second = b"final block message " * 12
        c.send(frame(TEXT, z.compress(second) + z.flush(zlib.Z_FINISH), rsv=RSV1))
        c.expect_echo(TEXT, second)
        # A BFINAL block with the tail still after it: 00 00 ff ff is passed over.
        z = zlib.compressobj(6, zlib.DEFLATED, -15)
        third = b"tail after the final block"
        c.send(frame(TEXT, z.compress(third) + z.flush(zlib.Z_FINISH) + b"\x00\x00\xff\xff",
                     rsv=RSV1))
        c.expect_echo(TEXT, third)
        c.clean_close()
        c.close()

    @case("13", "empty compressed messages")
    def _(port):
        c = Conn(port, "permessage-deflate")
        c.send(frame(BINARY, b"\x00", rsv=RSV1))  # an empty stored block, not final
        c.expect_echo(BINARY, b"")
        c.send(frame(BINARY, b"\x00", rsv=RSV1))  # again: the server's empty echo after one
        c.expect_echo(BINARY, b"")
        c.send(frame(BINARY, b"\x02\x00", rsv=RSV1))  # an empty fixed block, BFINAL
        c.expect_echo(BINARY, b"")
        c.send_message(TEXT, b"after")
        c.expect_echo(TEXT, b"after")
        c.clean_close()
        c.close()

    deflate = "permessage-deflate"
    add("13", "RSV1 on a continuation: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, Compressor().message(b"ab")[:1], fin=False, rsv=RSV1),
        frame(CONT, Compressor().message(b"ab")[1:], rsv=RSV1), extensions=deflate))
    add("13", "RSV1 on a ping: 1002", lambda port: expect_failure(
        port, 1002, frame(PING, b"", rsv=RSV1), extensions=deflate))
    add("13", "RSV1 on a close: 1002", lambda port: expect_failure(
        port, 1002, frame(CLOSE, close_payload(1000), rsv=RSV1), extensions=deflate))
    add("13", "RSV2 in a deflate session: 1002", lambda port: expect_failure(
        port, 1002, frame(TEXT, b"", rsv=RSV1 | RSV2), extensions=deflate))
    add("13", "no DEFLATE bytes at all (the tail alone is half a block): 1007",
        lambda port: expect_failure(port, 1007, frame(TEXT, b"", rsv=RSV1), extensions=deflate))
    add("13", "not DEFLATE: 1007", lambda port: expect_failure(
        port, 1007, frame(BINARY, b"\xff\xff\xff\xff not deflate", rsv=RSV1), extensions=deflate))
    add("13", "DEFLATE cut short: 1007", lambda port: expect_failure(
        port, 1007, frame(BINARY, Compressor().message(b"x" * 1000 + bytes(range(256)))[:-3],
                          rsv=RSV1), extensions=deflate))
    add("13", "compressed text that is not UTF-8: 1007", lambda port: expect_failure(
        port, 1007, frame(TEXT, Compressor().message(b"valid then \xed\xa0\x80"), rsv=RSV1),
        extensions=deflate))
    add("13", "compressed text cut inside a character: 1007", lambda port: expect_failure(
        port, 1007, frame(TEXT, Compressor().message(b"valid then \xe2\x82"), rsv=RSV1),
        extensions=deflate))

    @case("13", "compressed frame header over max_ws_frame: 1009")
    def _(port):
        c = Conn(port, deflate)
        c.send(frame(BINARY, b"", rsv=RSV1, length=MAX_MESSAGE + 1) + b"\x00" * 100)
        c.expect_close(1009)
        c.close()

    @case("13", "compressed message inflating to max_ws_message: echoed", timeout=60)
    def _(port):
        c = Conn(port, deflate)
        data = utf8_text(MAX_MESSAGE, 5)  # compressible: the frame stays under max_ws_frame
        c.send_message(BINARY, data)
        c.expect_echo(BINARY, data, timeout=30)
        c.clean_close()
        c.close()

    @case("13", "compressed message inflating to max_ws_message + 1: 1009", timeout=60)
    def _(port):
        c = Conn(port, deflate)
        data = b"a" * (MAX_MESSAGE + 1)
        c.send_message(TEXT, data)
        c.expect_close(1009, timeout=20)
        c.close()


def roundtrips(c, big=False):
    """Messages echoed through whatever was agreed: repeats (context takeover), long-distance
    repeats (the server's window), several sizes, text and binary."""
    rnd = random.Random(42)
    block = rnd.randbytes(300)
    far = block + rnd.randbytes(3000) + block  # a match 3,300 bytes back: past a 9..11-bit window
    messages = [(TEXT, b"Hello, compressed world"), (TEXT, b"Hello, compressed world"),
                (BINARY, far), (BINARY, far), (TEXT, b""), (BINARY, bytes(range(256)) * 4)]
    if big:
        messages += [(TEXT, utf8_text(1 * MIB, 11)), (BINARY, rnd.randbytes(200000)),
                     (BINARY, b"\x00" * (4 * MIB)), (TEXT, b"after the big ones")]
    for opcode, data in messages:
        c.send_message(opcode, data)
        c.expect_echo(opcode, data, timeout=20)


# ---------------------------------------------------------------- B: deflate bombs

def bomb(size, piece=b"\x00"):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = piece * MIB
    out = [z.compress(block) for _ in range(size // MIB)]
    out.append(z.flush(zlib.Z_SYNC_FLUSH))
    data = b"".join(out)
    return data[:-4]


def run_bombs(binary, results, verbose, rss_bound=True):
    """A fresh server, so its peak RSS measures the bombs alone."""
    server = EchoServer(binary)
    try:
        payload = bomb(256 * MIB)
        text_payload = bomb(256 * MIB, b"a")

        def one_frame(port):
            c = Conn(port, "permessage-deflate")
            t = send_ignoring_reset(c, frame(BINARY, payload, rsv=RSV1))
            c.expect_close(1009, timeout=20)
            c.close()
            t.join(10)

        def fragmented(port):
            c = Conn(port, "permessage-deflate")
            pieces = [payload[i:i + 4096] for i in range(0, len(payload), 4096)]
            frames = [frame(BINARY, pieces[0], fin=False, rsv=RSV1)]
            frames += [frame(CONT, p, fin=i == len(pieces) - 1) for i, p in
                       enumerate(pieces) if i > 0]
            t = send_ignoring_reset(c, b"".join(frames))
            c.expect_close(1009, timeout=20)
            c.close()
            t.join(10)

        def text(port):
            c = Conn(port, "permessage-deflate; client_no_context_takeover")
            t = send_ignoring_reset(c, frame(TEXT, text_payload, rsv=RSV1))
            c.expect_close(1009, timeout=20)
            c.close()
            t.join(10)

        def alive(port):
            c = Conn(port, "permessage-deflate")
            c.send_message(TEXT, b"still here")
            c.expect_echo(TEXT, b"still here")
            c.clean_close()
            c.close()

        alive_case = ("B", "server answers before the bombs", alive, CASE_TIMEOUT)
        run_case(alive_case, server, results, verbose)
        baseline = server.status("VmHWM")
        bombs = [("B", "256 MiB of zeros in one frame: 1009", one_frame, 30),
                 ("B", "the same in 4 KiB fragments: 1009", fragmented, 30),
                 ("B", "256 MiB of 'a' as text, no context takeover: 1009", text, 30)]
        for c in bombs * 3:
            run_case(c, server, results, verbose)

        def rss(port):
            peak = server.status("VmHWM")
            check(not rss_bound or peak - baseline < BOMB_RSS_BOUND,
                  "peak RSS grew by %.1f MiB (bound %.0f MiB)" % ((peak - baseline) / MIB,
                                                                   BOMB_RSS_BOUND / MIB))
            alive(port)
        run_case(("B", "peak RSS within 48 MiB of the start, server alive", rss, CASE_TIMEOUT),
                 server, results, verbose)
    finally:
        server.stop()


# ---------------------------------------------------------------- the runner

def run_case(c, server, results, verbose):
    group, name, fn, timeout = c
    start = time.monotonic()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        fn(server.port)
        ok, detail = True, ""
    except (Failed, Timeout, CaseTimeout, OSError, zlib.error) as e:
        ok, detail = False, "%s: %s" % (type(e).__name__, e)
        if verbose:
            traceback.print_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if ok and not server.alive():
        ok, detail = False, "the server exited (status %s)" % server.proc.poll()
    results.add(group, name, ok, detail, time.monotonic() - start)


def main():
    ap = arguments(__doc__, "ws_echo")
    # Under ASan or TSan the allocator keeps freed memory in quarantine: the peak RSS then
    # measures the sanitizer, not pier, and only the bombs' 1009 and the server's life count.
    ap.add_argument("--no-rss-bound", dest="rss_bound", action="store_false")
    args = ap.parse_args()

    register_cases()
    results = Results(args.verbose, 4, 6)
    server = EchoServer(args.ws_echo)
    try:
        for c in CASES:
            if not selected(args.filter, c[0], c[1]):
                continue
            run_case(c, server, results, args.verbose)
            if not server.alive():  # reported by its case; the others get a new one
                server = EchoServer(args.ws_echo)
    finally:
        server.stop()
    if not args.filter or args.filter in "B bomb":
        run_bombs(args.ws_echo, results, args.verbose, args.rss_bound)
    return results.report()


if __name__ == "__main__":
    sys.exit(main())
