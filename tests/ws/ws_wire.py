"""RFC 6455 frames as bytes, for the conformance suites (conformance_server.py and
conformance_client.py): written here from the RFC, with no WebSocket library, so that each side
can send exactly the frames a case needs, broken ones included, and read back exactly what pier
sent.

  frame(opcode, payload, ...)   one frame's bytes: any FIN, RSV bits, opcode, length, mask
  Wire(sock)                    reads frames off a socket, with a deadline on every wait
  Compressor / Decompressor     permessage-deflate's raw DEFLATE (RFC 7692 §7.2) via zlib
"""
import base64
import hashlib
import os
import select
import socket
import struct
import time
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
RSV1, RSV2, RSV3 = 4, 2, 1  # as the three bits after FIN: frame(..., rsv=RSV1 | RSV3)
TAIL = b"\x00\x00\xff\xff"  # the empty stored block RFC 7692 §7.2.1 strips off each message


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def xor_mask(data, key):
    """data XOR the 4-byte key repeated (RFC 6455 §5.3); masking and unmasking are the same."""
    n = len(data)
    if n == 0:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, key=None, length=None,
          length_form=None):
    """One frame. `length` overrides the announced payload length (the payload sent stays
    `payload`); `length_form` (7, 16 or 64) forces that length encoding, shortest or not."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mbit = 0x80 if mask else 0
    form = length_form or (7 if n < 126 else 16 if n <= 0xFFFF else 64)
    if form == 7:
        head = struct.pack("!BB", b0, mbit | n)
    elif form == 16:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if mask:
        key = os.urandom(4) if key is None else key
        return head + key + xor_mask(payload, key)
    return head + payload


def close_payload(code=None, reason=b""):
    return b"" if code is None else struct.pack("!H", code) + reason


class Frame:
    def __init__(self, fin, rsv, opcode, masked, key, payload):
        self.fin, self.rsv, self.opcode = fin, rsv, opcode
        self.masked, self.key, self.payload = masked, key, payload

    def close_code(self):
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def __repr__(self):
        return "Frame(op=%d fin=%d rsv=%d masked=%d len=%d %r)" % (
            self.opcode, self.fin, self.rsv, self.masked, len(self.payload), self.payload[:40])


class Timeout(Exception):
    pass


class Wire:
    """Frames read off a connected socket. Every read waits at most until `deadline` (seconds
    from now, per call); EOF is reported as None."""

    def __init__(self, sock, leftover=b""):
        self.sock = sock
        self.buf = bytearray(leftover)
        self.eof = False
        self.reset = False

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout("no bytes within the deadline")
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            raise Timeout("no bytes within the deadline")
        try:
            data = self.sock.recv(1 << 20)
        except ConnectionResetError:
            data = b""
            self.reset = True
        if not data:
            self.eof = True
        self.buf += data

    def _need(self, n, deadline):
        while len(self.buf) < n and not self.eof:
            self._fill(deadline)
        return len(self.buf) >= n

    def read_frame(self, timeout=5.0):
        """The next frame, or None at EOF (a frame cut short by EOF is None as well)."""
        deadline = time.monotonic() + timeout
        if not self._need(2, deadline):
            return None
        b0, b1 = self.buf[0], self.buf[1]
        size, n = 2, b1 & 0x7F
        if n == 126:
            if not self._need(4, deadline):
                return None
            n, size = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            if not self._need(10, deadline):
                return None
            n, size = struct.unpack("!Q", self.buf[2:10])[0], 10
        masked = bool(b1 & 0x80)
        key = None
        if masked:
            if not self._need(size + 4, deadline):
                return None
            key = bytes(self.buf[size:size + 4])
            size += 4
        if not self._need(size + n, deadline):
            return None
        payload = bytes(self.buf[size:size + n])
        del self.buf[:size + n]
        if masked:
            payload = xor_mask(payload, key)
        return Frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, masked, key, payload)

    def wait_eof(self, timeout=5.0):
        """True if the peer closes (FIN or reset) within `timeout`, reading past any bytes."""
        deadline = time.monotonic() + timeout
        try:
            while not self.eof:
                self.buf.clear()
                self._fill(deadline)
        except Timeout:
            return False
        return True


class Compressor:
    """One side's permessage-deflate compression: raw DEFLATE with `bits` of window, each
    message flushed and its 00 00 FF FF tail taken off; reset per message without context
    takeover."""

    def __init__(self, bits=15, takeover=True, level=6):
        self.bits, self.takeover, self.level = bits, takeover, level
        self.z = self._new()

    def _new(self):
        return zlib.compressobj(self.level, zlib.DEFLATED, -self.bits)

    def message(self, data):
        out = self.z.compress(data) + self.z.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(TAIL)
        if not self.takeover:
            self.z = self._new()
        return out[:-4]


class Decompressor:
    """The other side's: the tail put back, the window kept unless there is no takeover.

    `strict`: inflate a few bytes at a time, so that a match reaching further back than
    `bits` of window (or into the previous message without takeover) fails with zlib.error
    ("invalid distance too far back"). zlib only checks a distance against its window when the
    match is not inside the output of the same call, so one large call would let it pass."""

    STEP = 256

    def __init__(self, bits=15, takeover=True, strict=False):
        self.bits, self.takeover, self.strict = bits, takeover, strict
        self.z = zlib.decompressobj(-bits)

    def message(self, data):
        if not self.strict:
            out = self.z.decompress(data + TAIL)
        else:
            parts, pending = [], data + TAIL
            while pending:
                parts.append(self.z.decompress(pending, self.STEP))
                pending = self.z.unconsumed_tail
            while True:
                more = self.z.decompress(b"", self.STEP)
                if not more:
                    break
                parts.append(more)
            out = b"".join(parts)
        if not self.takeover:
            self.z = zlib.decompressobj(-self.bits)
        return out


def parse_extension(value):
    """'permessage-deflate; a; b=10' -> ('permessage-deflate', {'a': None, 'b': '10'})."""
    parts = [p.strip() for p in value.split(";")]
    params = {}
    for p in parts[1:]:
        name, _, v = p.partition("=")
        params[name.strip()] = v.strip().strip('"') if _ else None
    return parts[0], params


def read_head(sock, timeout=5.0):
    """An HTTP head off the socket: (first line, {lower-case name: [values]}, bytes after it)."""
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\r\n\r\n" not in buf:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout("no complete HTTP head")
        sock.settimeout(remaining)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            raise Timeout("no complete HTTP head")
        if not data:
            raise Timeout("EOF inside the HTTP head: %r" % buf[:200])
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields.setdefault(name.strip().lower(), []).append(value.strip())
    sock.settimeout(None)
    return lines[0], fields, rest
