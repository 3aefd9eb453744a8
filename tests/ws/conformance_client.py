#!/usr/bin/env python3
"""pier's WebSocket client (`pier ws URL`) against a raw-socket server that scripts every byte
it sends (issue #17).

    conformance_client.py PIER [-k FILTER] [-v]

For each case this file listens on an ephemeral loopback port, runs
`pier ws ws://127.0.0.1:PORT/... [flags]` with stdin from a pipe or a file, answers the
handshake as the case says (a 101 right or wrong, a refusal), then sends the case's frames
(ws_wire.py: unmasked as a server's must be, or broken on purpose) and asserts:

  - the handshake request pier sent (RFC 6455 §4.1: GET, Upgrade, Connection, a 16-byte
    key, version 13, the subprotocols and the permessage-deflate offer asked for);
  - every frame pier sent: masked, each with a fresh key (§5.3), RSV1 only on compressed
    messages' first frames, and the close code pier answered with (1002, 1007, 1009, or the
    server's own code echoed);
  - pier ws's stdout (messages as received, text with a newline), and its exit code:
    0 for a Close 1000/1001/without code, 8 for a 101 that does not agree to what was asked,
    22 for a status that is not 101, 56 for an error close or a connection lost, 2 for a
    stdin line that is not UTF-8.

Groups: request, handshake (8 and 22), framing (masked server frames, RSV bits, opcodes,
sizes), utf8, fragments, deflate (negotiation answers and compressed messages both ways),
ping, close, masking. Every case is bounded (the server's waits and pier's run both time
out; pier is killed if it outlives its case). A summary table ends the run, then
"N passed, N failed"; the exit status is 1 if any case failed.
"""
import base64
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ws_wire import (BINARY, CLOSE, CONT, PING, PONG, RSV1, RSV2, TEXT, Compressor,  # noqa: E402
                     Decompressor, Timeout, Wire, accept_key, close_payload, frame,
                     parse_extension, read_head)
from conformance_common import (CaseTimeout, Failed, Results, arguments, check,  # noqa: E402
                                on_alarm, selected)

CASE_TIMEOUT = 15  # seconds for a whole case
PIER_TIMEOUT = 10  # seconds pier may take to exit once the case is over
MIB = 1 << 20


def server_frame(opcode, payload=b"", **kw):
    kw.setdefault("mask", False)
    return frame(opcode, payload, **kw)


class Peer:
    """The server side of one case: the accepted socket, the request pier sent, and the frames
    read from pier (each checked for a mask with a fresh key)."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request_line, self.fields, rest = read_head(sock)
        self.rest = rest
        self.wire = None
        self.keys = []
        self.inflate = None  # pier's compressed messages, inflated
        self.deflate = None  # ours, compressed

    def field(self, name):
        values = self.fields.get(name.lower(), [])
        return values[0] if len(values) == 1 else None

    def answer(self, status="101 Switching Protocols", extra=(), accept=True, upgrade=True,
               connection=True, extension=None):
        """Answers the handshake; `accept` True: the right Sec-WebSocket-Accept, a string: that
        one, None: none. `extension`: the Sec-WebSocket-Extensions answer (deflate set up)."""
        lines = ["HTTP/1.1 " + status]
        if status.startswith("101"):
            if upgrade:
                lines.append("Upgrade: websocket")
            if connection:
                lines.append("Connection: Upgrade")
            key = self.field("Sec-WebSocket-Key") or ""
            if accept is True:
                lines.append("Sec-WebSocket-Accept: " + accept_key(key))
            elif accept:
                lines.append("Sec-WebSocket-Accept: " + accept)
            if extension:
                lines.append("Sec-WebSocket-Extensions: " + extension)
        lines += list(extra)
        body = b""
        if not status.startswith("101"):
            body = b"refused\n"
            lines.append("Content-Length: %d" % len(body))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        self.wire = Wire(self.sock, self.rest)
        if extension:
            name, p = parse_extension(extension)
            valid = {str(b) for b in range(8, 16)}
            if name == "permessage-deflate" and all(
                    p.get(k, "15") in valid for k in ("server_max_window_bits",
                                                      "client_max_window_bits")):
                self.inflate = Decompressor(int(p.get("client_max_window_bits") or 15),
                                            "client_no_context_takeover" not in p, strict=True)
                self.deflate = Compressor(int(p.get("server_max_window_bits") or 15),
                                          "server_no_context_takeover" not in p)

    def send(self, *frames):
        self.sock.sendall(b"".join(frames))

    def send_message(self, opcode, data):
        self.send(server_frame(opcode, self.deflate.message(data), rsv=RSV1))

    def next_frame(self, timeout=5.0):
        f = self.wire.read_frame(timeout)
        if f is not None:
            check(f.masked, "pier sent an unmasked frame: %r" % f)
            self.keys.append(f.key)
        return f

    def message(self, timeout=5.0):
        """pier's next data message (opcode, bytes)."""
        parts, opcode, compressed = [], None, False
        while True:
            f = self.next_frame(timeout)
            check(f is not None, "EOF where a message from pier was expected")
            check(f.opcode in (TEXT, BINARY, CONT), "%r where a message was expected" % f)
            if opcode is None:
                check(f.opcode != CONT, "continuation first: %r" % f)
                opcode, compressed = f.opcode, bool(f.rsv & RSV1)
                check(f.rsv & ~RSV1 == 0 and (not compressed or self.inflate),
                      "bad RSV bits from pier: %r" % f)
            else:
                check(f.opcode == CONT and f.rsv == 0, "bad continuation %r" % f)
            parts.append(f.payload)
            if f.fin:
                break
        data = b"".join(parts)
        return opcode, self.inflate.message(data) if compressed else data

    def expect_message(self, opcode, data):
        got = self.message()
        check(got == (opcode, data), "pier sent %r, expected %r" % (
            (got[0], got[1][:60]), (opcode, data[:60])))

    def expect_control(self, opcode, payload):
        f = self.next_frame()
        check(f is not None, "EOF where a control frame was expected")
        check(f.opcode == opcode and f.fin and f.rsv == 0 and f.payload == payload,
              "%r where opcode %d %r was expected" % (f, opcode, payload[:40]))

    def expect_close(self, code, reply=True):
        """pier's next frame is a Close with `code` (None: no payload); answered with the same
        Close unless `reply` is False, then the connection is closed."""
        f = self.next_frame()
        check(f is not None, "EOF where pier's Close %s was expected" % code)
        check(f.opcode == CLOSE, "%r where pier's Close %s was expected" % (f, code))
        if code is None:
            check(f.payload == b"", "pier's Close has a payload %r" % f.payload)
        else:
            check(f.close_code() == code, "pier closed with %s, not %d (%r)" % (
                f.close_code(), code, f.payload[2:]))
        if reply:
            try:
                self.send(server_frame(CLOSE, f.payload[:2]))
            except OSError:
                pass
        self.sock.close()

    def expect_eof(self):
        check(self.wire.wait_eof(5), "pier kept the connection open")

    def keys_fresh(self):
        check(all(k is not None for k in self.keys), "a frame without a key")
        check(len(set(self.keys)) >= len(self.keys) - 1,
              "masking keys repeat: %d distinct of %d" % (len(set(self.keys)), len(self.keys)))


class Case:
    """One run of pier ws. `script(peer)` plays the server; `stdin`: bytes written to a pipe
    (then closed unless `hold_stdin`), or ("file", bytes) for a regular file."""

    def __init__(self, group, name, script, stdin=b"", hold_stdin=False, args=(), path="/",
                 exit_code=0, stdout=b"", handshake=True):
        self.group, self.name, self.script = group, name, script
        self.stdin, self.hold_stdin, self.args, self.path = stdin, hold_stdin, args, path
        self.exit_code, self.stdout, self.handshake = exit_code, stdout, handshake


CASES = []


def add(*args, **kw):
    CASES.append(Case(*args, **kw))


def run(pier, c, verbose):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    stdin_file = None
    if isinstance(c.stdin, tuple):
        stdin_file = tempfile.TemporaryFile()
        stdin_file.write(c.stdin[1])
        stdin_file.seek(0)
    cmd = [pier, "ws", "ws://127.0.0.1:%d%s" % (port, c.path), "--ping-interval", "0"]
    cmd += list(c.args)
    proc = subprocess.Popen(cmd, stdin=stdin_file or subprocess.PIPE, stdout=out, stderr=err)
    if stdin_file is None and not c.hold_stdin:
        # From a thread: pier reads stdin only once the handshake is done, which the case's
        # script does, and a pipe holds only 64 KiB.
        def feed():
            try:
                proc.stdin.write(c.stdin)
                proc.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass
        threading.Thread(target=feed, daemon=True).start()
    peer = None
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, CASE_TIMEOUT)
    detail = ""
    try:
        if not c.handshake:
            code = proc.wait(PIER_TIMEOUT)
            check(code == c.exit_code, "exit %d, expected %d" % (code, c.exit_code))
            listener.setblocking(False)
            try:
                listener.accept()
                raise Failed("pier connected")
            except BlockingIOError:
                pass
            return True, ""
        listener.settimeout(5)
        sock, _ = listener.accept()
        peer = Peer(sock)
        c.script(peer)
        if c.hold_stdin:
            try:
                proc.stdin.close()
            except OSError:
                pass
        code = proc.wait(PIER_TIMEOUT)
        out.seek(0)
        got = out.read()
        check(code == c.exit_code, "exit %d, expected %d" % (code, c.exit_code))
        check(got == c.stdout, "stdout %r, expected %r" % (got[:200], c.stdout[:200]))
        if peer.wire is not None:
            peer.keys_fresh()
        ok = True
    except (Failed, Timeout, CaseTimeout, OSError, zlib.error, subprocess.TimeoutExpired) as e:
        ok, detail = False, "%s: %s" % (type(e).__name__, e)
        if verbose:
            traceback.print_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if peer is not None:
            peer.sock.close()
        listener.close()
    err.seek(0)
    stderr = err.read().decode(errors="replace").strip()
    if not ok and stderr:
        detail += " [stderr: %s]" % stderr[-300:]
    return ok, detail


# ---------------------------------------------------------------- scripts

def echo_until_close(peer, count, code=1000):
    """Echoes pier's first `count` messages, then answers its Close."""
    for _ in range(count):
        opcode, data = peer.message()
        if peer.deflate:
            peer.send_message(opcode, data)
        else:
            peer.send(server_frame(opcode, data))
    peer.expect_close(code)


def answered(script, **answer):
    def run(peer):
        peer.answer(**answer)
        script(peer)
    return run


def register():
    # ---- request: what pier asks for
    def request_checks(expect_protocols=None, expect_extension="permessage-deflate; "
                       "client_max_window_bits", expect_target="/", expect_origin=None):
        def script(peer):
            method, target, version = peer.request_line.split(" ")
            check((method, version) == ("GET", "HTTP/1.1"), peer.request_line)
            check(target == expect_target, "target %r" % target)
            check("websocket" in peer.field("Upgrade").lower(), "Upgrade")
            check("upgrade" in peer.field("Connection").lower(), "Connection")
            check(peer.field("Sec-WebSocket-Version") == "13", "version")
            check(peer.field("Host") is not None, "no Host")
            key = peer.field("Sec-WebSocket-Key")
            check(key and len(base64.b64decode(key, validate=True)) == 16, "key %r" % key)
            check(peer.field("Sec-WebSocket-Protocol") == expect_protocols,
                  "Sec-WebSocket-Protocol %r" % peer.field("Sec-WebSocket-Protocol"))
            check(peer.field("Sec-WebSocket-Extensions") == expect_extension,
                  "Sec-WebSocket-Extensions %r" % peer.field("Sec-WebSocket-Extensions"))
            if expect_origin:
                check(peer.field("Origin") == expect_origin, "Origin %r" % peer.field("Origin"))
            peer.answer()
            peer.expect_close(1000)
        return script

    add("request", "GET, Upgrade, Connection, a 16-byte key, version 13, the deflate offer",
        request_checks())
    add("request", "path and query as the target", request_checks(expect_target="/a/b?x=1&y=2"),
        path="/a/b?x=1&y=2")
    add("request", "--subprotocol twice: one field, both offered", request_checks(
        expect_protocols="chat, superchat"), args=["--subprotocol", "chat", "--subprotocol",
                                                   "superchat"])
    add("request", "--no-compression: no offer", request_checks(expect_extension=None),
        args=["--no-compression"])
    add("request", "-H Origin", request_checks(expect_origin="http://example.org"),
        args=["-H", "Origin: http://example.org"])
    for bad in ("Origin", "Bad Name: x", ": x"):
        CASES.append(Case("request", "-H %r: exit 2, nothing sent" % bad, None,
                          args=["-H", bad], exit_code=2, handshake=False))

    @lambda f: add("request", "two connections get different keys", f)
    def _(peer):
        peer.answer()
        peer.expect_close(1000)
        check(peer.field("Sec-WebSocket-Key") != "dGhlIHNhbXBsZSBub25jZQ==", "the RFC's key")

    # ---- handshake: answers pier must refuse (exit 8) or that are refusals (exit 22)
    def refused(peer, **answer):
        peer.answer(**answer)
        peer.expect_eof()

    for name, answer in [
            ("wrong Sec-WebSocket-Accept", dict(accept="s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")),
            ("no Sec-WebSocket-Accept", dict(accept=None)),
            ("two Sec-WebSocket-Accept", dict(extra=["Sec-WebSocket-Accept: x"])),
            ("no Upgrade", dict(upgrade=False)),
            ("no Connection", dict(connection=False)),
            ("a subprotocol not offered", dict(extra=["Sec-WebSocket-Protocol: chat"])),
            ("an extension not offered", dict(extension="x-unknown-extension")),
            ("permessage-deflate; server_max_window_bits=7",
             dict(extension="permessage-deflate; server_max_window_bits=7")),
            ("permessage-deflate; unknown_param",
             dict(extension="permessage-deflate; unknown_param")),
            ("permessage-deflate; client_max_window_bits (no value)",
             dict(extension="permessage-deflate; client_max_window_bits")),
            ("permessage-deflate; client_max_window_bits=16",
             dict(extension="permessage-deflate; client_max_window_bits=16")),
            ("permessage-deflate twice",
             dict(extension="permessage-deflate, permessage-deflate")),
            ("permessage-deflate; server_no_context_takeover twice",
             dict(extension="permessage-deflate; server_no_context_takeover; "
                            "server_no_context_takeover"))]:
        add("handshake", "101 with %s: exit 8" % name,
            lambda peer, a=answer: refused(peer, **a), exit_code=8, hold_stdin=True)
    add("handshake", "101 with a subprotocol other than the one offered: exit 8",
        lambda peer: refused(peer, extra=["Sec-WebSocket-Protocol: superchat"]),
        args=["--subprotocol", "chat"], exit_code=8, hold_stdin=True)
    add("handshake", "101 with both subprotocols offered: exit 8",
        lambda peer: refused(peer, extra=["Sec-WebSocket-Protocol: a, b"]),
        args=["--subprotocol", "a", "--subprotocol", "b"], exit_code=8, hold_stdin=True)
    add("handshake", "--no-compression, 101 with permessage-deflate: exit 8",
        lambda peer: refused(peer, extension="permessage-deflate"),
        args=["--no-compression"], exit_code=8, hold_stdin=True)
    add("handshake", "101 with the subprotocol offered: accepted",
        answered(lambda peer: peer.expect_close(1000), extra=["Sec-WebSocket-Protocol: chat"]),
        args=["--subprotocol", "chat"])
    add("handshake", "101 with server_max_window_bits=10 unasked: accepted",
        answered(lambda peer: peer.expect_close(1000),
                 extension="permessage-deflate; server_max_window_bits=10"))
    for status in ("200 OK", "403 Forbidden", "404 Not Found", "426 Upgrade Required",
                   "500 Internal Server Error", "302 Found"):
        add("handshake", "%s: exit 22" % status, lambda peer, s=status: refused(peer, status=s),
            exit_code=22, hold_stdin=True)

    # ---- framing
    def fails(code, *frames, before=(), extension=None):
        """The server sends `before` (printed) then `frames`; pier closes with `code`."""
        def script(peer):
            peer.answer(extension=extension)
            for opcode, data in before:
                peer.send(server_frame(opcode, data))
            peer.send(*frames)
            peer.expect_close(code, reply=False)
        return script

    add("framing", "a masked frame from the server: 1002",
        fails(1002, frame(TEXT, b"masked", mask=True)), hold_stdin=True, exit_code=56)
    add("framing", "a masked ping from the server: 1002",
        fails(1002, frame(PING, b"masked", mask=True)), hold_stdin=True, exit_code=56)
    add("framing", "text, then a masked one: printed, then 1002",
        fails(1002, frame(TEXT, b"masked", mask=True), before=[(TEXT, b"first")]),
        hold_stdin=True, exit_code=56, stdout=b"first\n")
    for rsv in (RSV1, RSV2, 1, 7):
        add("framing", "text with RSV=%d (no extension): 1002" % rsv,
            fails(1002, server_frame(TEXT, b"x", rsv=rsv)), hold_stdin=True, exit_code=56,
            args=["--no-compression"])
    add("framing", "RSV1 with deflate declined by the server: 1002",
        fails(1002, server_frame(TEXT, b"x", rsv=RSV1)), hold_stdin=True, exit_code=56)
    add("framing", "RSV2 on a ping: 1002", fails(1002, server_frame(PING, b"", rsv=RSV2)),
        hold_stdin=True, exit_code=56)
    for op in (3, 7, 11, 15):
        add("framing", "opcode %d: 1002" % op, fails(1002, server_frame(op, b"")),
            hold_stdin=True, exit_code=56)
    add("framing", "a ping of 126 bytes: 1002", fails(1002, server_frame(PING, b"p" * 126)),
        hold_stdin=True, exit_code=56)
    add("framing", "a 16-bit length for 3 bytes: 1002",
        fails(1002, server_frame(TEXT, b"abc", length_form=16)), hold_stdin=True, exit_code=56)
    add("framing", "a frame over max_ws_message: 1009 from the header",
        fails(1009, server_frame(BINARY, b"", length=16 * MIB + 1)), hold_stdin=True,
        exit_code=56)
    sizes = [0, 125, 126, 65535, 65536, 1 * MIB]
    blob = random.Random(1).randbytes(1 * MIB)
    for n in sizes:
        add("framing", "binary of %d bytes printed raw (--binary)" % n,
            answered(lambda peer, n=n: (peer.send(server_frame(BINARY, blob[:n])),
                                        peer.send(server_frame(CLOSE, close_payload(1000))),
                                        peer.expect_close(1000, reply=False))),
            hold_stdin=True, args=["--binary"], stdout=blob[:n])
    add("framing", "text messages, a newline after each",
        answered(lambda peer: (peer.send(server_frame(TEXT, b"one"), server_frame(TEXT, b""),
                                         server_frame(TEXT, "dr\u00e9i".encode())),
                               peer.send(server_frame(CLOSE, close_payload(1000))),
                               peer.expect_close(1000, reply=False))),
        hold_stdin=True, stdout="one\n\ndr\u00e9i\n".encode())

    @lambda f: add("framing", "frames in 1-byte writes", f, hold_stdin=True,
                   stdout=b"byte by byte\n")
    def _(peer):
        peer.answer()
        for b in server_frame(TEXT, b"byte by byte") + server_frame(CLOSE, close_payload(1000)):
            peer.send(bytes([b]))
        peer.expect_close(1000, reply=False)

    # ---- utf8
    for name, bad in [("surrogate", b"\xed\xa0\x80"), ("overlong", b"\xc0\xaf"),
                      ("past U+10FFFF", b"\xf4\x90\x80\x80"), ("5-byte form", b"\xf8\x88\x80\x80\x80"),
                      ("stray continuation", b"\x80"), ("truncated at the end", b"ok\xe2\x82")]:
        add("utf8", "%s: 1007" % name, fails(1007, server_frame(TEXT, bad)),
            hold_stdin=True, exit_code=56)
    add("utf8", "split at every byte across fragments, valid: printed",
        answered(lambda peer: (
            [peer.send(server_frame(TEXT, "\u03ba\u1f79\U0001f600".encode()[:k], fin=False),
                       server_frame(CONT, "\u03ba\u1f79\U0001f600".encode()[k:]))
             for k in range(12)],
            peer.send(server_frame(CLOSE, close_payload(1000))),
            peer.expect_close(1000, reply=False))),
        hold_stdin=True, stdout="\u03ba\u1f79\U0001f600\n".encode() * 12)

    def fail_fast(peer):
        peer.answer()
        peer.send(server_frame(TEXT, b"ok \xed\xa0\x80", fin=False))  # the rest never sent
        peer.expect_close(1007, reply=False)
    add("utf8", "bad first fragment: 1007 before the message ends", fail_fast,
        hold_stdin=True, exit_code=56)
    add("utf8", "bad close reason: 1007",
        fails(1007, server_frame(CLOSE, close_payload(1000, b"\xff"))), hold_stdin=True,
        exit_code=56)

    # ---- fragments
    def fragmented(peer):
        peer.answer()
        peer.send(server_frame(TEXT, b"frag", fin=False), server_frame(PING, b"in between"),
                  server_frame(CONT, b"", fin=False), server_frame(CONT, b"ment"))
        peer.expect_control(PONG, b"in between")
        peer.send(server_frame(BINARY, b"\x00\x01", fin=False), server_frame(CONT, b"\x02"))
        peer.send(server_frame(CLOSE, close_payload(1000)))
        peer.expect_close(1000, reply=False)
    add("fragments", "text with a ping between fragments, then binary", fragmented,
        hold_stdin=True, stdout=b"fragment\n\x00\x01\x02")
    add("fragments", "continuation without a message: 1002",
        fails(1002, server_frame(CONT, b"x")), hold_stdin=True, exit_code=56)
    add("fragments", "a message inside a message: 1002",
        fails(1002, server_frame(TEXT, b"a", fin=False), server_frame(TEXT, b"b")),
        hold_stdin=True, exit_code=56)
    add("fragments", "a fragmented ping: 1002",
        fails(1002, server_frame(PING, b"a", fin=False), server_frame(CONT, b"b")),
        hold_stdin=True, exit_code=56)

    # ---- deflate: compressed messages both ways
    def compressed(extension, lines):
        def script(peer):
            peer.answer(extension=extension)
            for line in lines:
                check(peer.message() == (TEXT, line), "pier's compressed line")
            for line in lines:
                peer.send_message(TEXT, line)
            z = peer.deflate.message(b"fragmented and compressed")
            peer.send(server_frame(TEXT, z[:3], fin=False, rsv=RSV1), server_frame(CONT, z[3:]))
            peer.send(server_frame(TEXT, b"plain"))  # uncompressed in a deflate session
            peer.send(server_frame(TEXT, b"\x00", rsv=RSV1))  # empty
            peer.send_message(TEXT, b"last")
            peer.expect_close(1000)
        out = b"".join(l + b"\n" for l in lines) + b"fragmented and compressed\nplain\n\nlast\n"
        return script, out

    rnd = random.Random(3)
    block = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(300)).encode()
    far = block + "".join(rnd.choice("0123456789") for _ in range(3000)).encode() + block
    lines = [b"hello", b"hello", b"", far, far, "w\u00f6rld".encode()]
    stdin = b"".join(l + b"\n" for l in lines)
    for ext in ("permessage-deflate",
                "permessage-deflate; client_max_window_bits=9",
                "permessage-deflate; client_no_context_takeover",
                "permessage-deflate; server_no_context_takeover",
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                "server_max_window_bits=9; client_max_window_bits=9"):
        script, out = compressed(ext, lines)
        add("deflate", "both ways: %s" % ext, script, stdin=stdin, stdout=out)
    add("deflate", "not DEFLATE: 1007",
        fails(1007, server_frame(BINARY, b"\xff\xff\xff", rsv=RSV1),
              extension="permessage-deflate"), hold_stdin=True, exit_code=56)
    add("deflate", "RSV1 on a continuation: 1002",
        fails(1002, server_frame(TEXT, b"\xf2", fin=False, rsv=RSV1),
              server_frame(CONT, b"\x00", rsv=RSV1), extension="permessage-deflate"),
        hold_stdin=True, exit_code=56)
    add("deflate", "a bomb past max_ws_message: 1009",
        fails(1009, server_frame(BINARY, Compressor(level=9).message(b"\x00" * (17 * MIB)),
                                 rsv=RSV1), extension="permessage-deflate"),
        hold_stdin=True, exit_code=56)

    # ---- ping
    def pings(peer):
        peer.answer()
        payloads = [b"", b"x", bytes(range(125)), b"\xff" * 10]
        for p in payloads:
            peer.send(server_frame(PING, p))
        for p in payloads:
            peer.expect_control(PONG, p)
        peer.send(server_frame(PONG, b"unsolicited"), server_frame(TEXT, b"after the pong"))
        peer.send(server_frame(CLOSE, close_payload(1000)))
        peer.expect_close(1000, reply=False)
    add("ping", "pings answered with identical pongs, unsolicited pong ignored", pings,
        hold_stdin=True, stdout=b"after the pong\n")

    # ---- close
    def server_closes(payload, echo_code, after=b""):
        def script(peer):
            peer.answer()
            peer.send(server_frame(TEXT, b"before"), server_frame(CLOSE, payload), after)
            peer.expect_close(echo_code, reply=False)
        return script

    for code, exit_code in ((1000, 0), (1001, 0), (1011, 56), (3000, 56), (4000, 56),
                            (4999, 56)):
        add("close", "server closes with %d: echoed, exit %d" % (code, exit_code),
            server_closes(close_payload(code, b"bye"), code), hold_stdin=True,
            exit_code=exit_code, stdout=b"before\n")
    add("close", "server closes without a code: empty Close back, exit 0",
        server_closes(b"", None), hold_stdin=True, stdout=b"before\n")
    add("close", "frames after the server's Close are ignored",
        server_closes(close_payload(1000), 1000, server_frame(TEXT, b"late") +
                      server_frame(7, b"bad")), hold_stdin=True, stdout=b"before\n")
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000):
        add("close", "server closes with %d: 1002" % code,
            fails(1002, server_frame(CLOSE, close_payload(code))), hold_stdin=True,
            exit_code=56)
    add("close", "a 1-byte Close payload: 1002", fails(1002, server_frame(CLOSE, b"\x03")),
        hold_stdin=True, exit_code=56)

    def vanish(peer):
        peer.answer()
        peer.send(server_frame(TEXT, b"then gone"))
        peer.sock.shutdown(socket.SHUT_WR)
        peer.expect_eof()
    add("close", "server vanishes without a Close: exit 56", vanish, hold_stdin=True,
        exit_code=56, stdout=b"then gone\n")

    def reset(peer):
        peer.answer()
        peer.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        peer.sock.close()
    add("close", "server resets the connection: exit 56", reset, hold_stdin=True, exit_code=56)

    def stdin_ends(peer):
        peer.answer()
        peer.expect_message(TEXT, b"last line without a newline")
        peer.expect_close(1000)
    add("close", "stdin ends: the last line sent, Close 1000, exit 0", stdin_ends,
        stdin=b"last line without a newline", args=["--no-compression"])
    add("close", "stdin from a file", stdin_ends,
        stdin=("file", b"last line without a newline"), args=["--no-compression"])

    def not_utf8(peer):
        peer.answer()
        peer.expect_message(TEXT, b"good")
        peer.expect_close(1003)
    add("close", "a stdin line that is not UTF-8: Close 1003, exit 2", not_utf8,
        stdin=b"good\nbad \xff\n", exit_code=2, args=["--no-compression"])

    # ---- masking
    def many(peer):
        peer.answer()
        for i in range(300):
            peer.expect_message(TEXT, b"line %d" % i)
        peer.expect_close(1000)
        check(len(peer.keys) == 301, "%d frames" % len(peer.keys))
        check(b"\x00\x00\x00\x00" not in peer.keys[:-1] or len(set(peer.keys)) > 290, "keys")
    add("masking", "300 lines: every frame masked, keys fresh", many,
        stdin=b"".join(b"line %d\n" % i for i in range(300)), args=["--no-compression"])

    def binary_stdin(peer):
        peer.answer()
        got = b""
        while True:
            f = peer.next_frame()
            check(f is not None, "EOF before pier's Close")
            if f.opcode == CLOSE:
                check(f.close_code() == 1000, "close %r" % f.payload)
                peer.send(server_frame(CLOSE, f.payload))
                break
            check(f.opcode == BINARY and f.fin, "%r" % f)
            got += f.payload
        check(got == blob[:300000], "binary stdin: %d bytes arrived" % len(got))
    add("masking", "--binary stdin of 300,000 bytes: masked binary messages", binary_stdin,
        stdin=blob[:300000], args=["--binary", "--no-compression"])


def main():
    args = arguments(__doc__, "pier").parse_args()
    register()
    results = Results(args.verbose, 10, 10)
    for c in CASES:
        if not selected(args.filter, c.group, c.name):
            continue
        start = time.monotonic()
        ok, detail = run(args.pier, c, args.verbose)
        results.add(c.group, c.name, ok, detail, time.monotonic() - start)
    return results.report()


if __name__ == "__main__":
    sys.exit(main())
