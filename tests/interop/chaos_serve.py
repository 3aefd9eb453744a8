#!/usr/bin/env python3
"""Seeded random sessions against `pier serve`, checking the framing and bytes of every answer.

The script builds a docroot in a temporary directory (small files, a 5 MB file, a 2,000-entry
directory, names with spaces, UTF-8, %, # and ?, precompressed .gz/.br siblings, a dot-file,
symlinks inside and out of the root), starts `pier serve 0 -b 127.0.0.1 -q --threads 2` on it
and runs --sessions sessions on --threads client threads. Each session is one connection,
driven by its own seed:

  pipeline      1-50 requests, written at once or in small pieces, sometimes half-closed after:
                files with Range, If-None-Match, If-Modified-Since or Accept-Encoding, listings
                (HTML and JSON), OPTIONS, 404s, requests with bodies, malformed requests. Every
                answer is read and checked: status, Content-Length or chunked framing, the body
                against the file (or its slice, or its .gz/.br sibling), Connection: close
                exactly where it is due, and nothing on the wire after the last answer.
  http09        a one-line HTTP/0.9 request; the answer is the bare file.
  hang-up       part of a pipeline, then a close or a reset.
  reset         a reset in the middle of a 5 MB download.
  stop-reading  several 5 MB downloads pipelined, the client reading late or never.

After the sessions: none failed, the server still answers, its open descriptors are back near
their count at the start, SIGINT ends it with exit status 0, and its stderr holds no
AddressSanitizer, LeakSanitizer or UBSan report.

The run is bounded: no session starts after --seconds, a session gives up after
SESSION_SECONDS, every socket operation times out after IO_TIMEOUT, and the server is killed
on the way out whatever happened.

With --tls the server is started with --tls-self-signed and every connection, the checks
included, runs over TLS (Python's ssl through memory BIOs, the certificate not verified), so
that a record layer that loses, repeats or reorders a byte, on a partial write above all,
fails the byte checks. The sessions are the same as without --tls (the same seed draws the
same requests); what only TLS has is drawn from a second generator seeded from the session's
seed: the protocol version (1.3 or 1.2), SNI, the half-close (close_notify then FIN, a bare
FIN, or close_notify alone), whether a close sends close_notify first, a hang-up cut inside a
record, a small receive buffer (many partial writes on the server's side). Every check holds
over TLS as it does over TCP (pier takes a bare FIN for the end of input, as TCP does; a reset
is a reset), and one is added: a close-delimited answer (HTTP/0.9) must end with close_notify,
without which a cut could not be told from the end.

Session seeds are SEED * 1000000 + i. A failure is printed with its session seed;
`chaos_serve.py PIER --replay SESSION_SEED [--tls]` runs that one session again, printing each
request and answer, and over TLS each TLS choice (the docroot is the same on every run; only
mtimes, so ETags, differ).
"""
import argparse
import ctypes
import gzip
import json
import os
import random
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

SESSION_SECONDS = 20  # a session still running after this fails
IO_TIMEOUT = 5  # seconds any one connect, send or receive may take
SERVER_THREADS = 2
# Each event loop's file cache keeps an inotify descriptor and the large file open.
CACHED_DESCRIPTORS_PER_LOOP = 2
SANITIZER_MARKERS = ('ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer', 'ThreadSanitizer')

# Whether the server may, must or must not close the connection after answering a request.
KEEP, MAY_CLOSE, MUST_CLOSE = 'keep', 'may close', 'must close'


# ---------------------------------------------------------------- the docroot

def make_docroot(root):
    """Writes the files the sessions ask for; the same bytes on every run."""
    r = random.Random(1)

    def write(name, data):
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)

    for i in range(20):
        write(f'small{i}.txt', r.randbytes(r.randrange(3000)))
    write('empty.txt', b'')
    write('one.txt', b'x')
    write('big.bin', r.randbytes(5 * 1024 * 1024))
    write('index_dir/index.html', b'<html>idx</html>')
    for i in range(2000):
        write(f'many/f{i:04d}.txt', str(i).encode())
    for name in ('sp ace.txt', 'ünï cødé.txt', 'pct%41.txt', 'hash#x.txt', 'q?mark.txt'):
        write(name, f'{name} file'.encode())
    write('app.js', b'console.log(1);' * 100)
    write('app.js.gz', gzip.compress(b'console.log(1);' * 100, mtime=0))
    write('app.js.br', b'BROTLIFAKE' * 10)  # served as is: its bytes are all that is checked
    write('style.css', b'body{}' * 50)
    write('style.css.gz', gzip.compress(b'body{}' * 50, mtime=0))
    write('.hidden', b'secret')
    write('sub/dir/deep.txt', b'deep')
    os.symlink('small1.txt', os.path.join(root, 'link_in.txt'))
    os.symlink('/etc/passwd', os.path.join(root, 'link_out'))
    os.symlink('nonexistent', os.path.join(root, 'link_broken'))
    os.symlink('sub', os.path.join(root, 'link_dir'))
    os.symlink('.', os.path.join(root, 'sub/loop'))


def servable_files():
    """URL path -> the file under the root whose bytes it serves."""
    names = ([f'small{i}.txt' for i in range(20)]
             + ['empty.txt', 'one.txt', 'big.bin', 'app.js', 'style.css', 'sp ace.txt',
                'ünï cødé.txt', 'pct%41.txt', 'hash#x.txt', 'q?mark.txt', 'sub/dir/deep.txt',
                'index_dir/index.html']
             + [f'many/f{i:04d}.txt' for i in range(0, 2000, 97)] + ['many/f0001.txt'])
    files = {'/' + quote(name): name for name in names}
    files['/link_in.txt'] = 'small1.txt'
    files['/sub/loop/dir/deep.txt'] = 'sub/dir/deep.txt'
    files['/link_dir/dir/deep.txt'] = 'sub/dir/deep.txt'
    files['/index_dir/'] = 'index_dir/index.html'
    return files


@dataclass
class Site:
    """What the sessions know of the server: its port and what each URL must answer."""
    root: str
    port: int = 0
    tls: bool = False
    files: dict = field(default_factory=servable_files)
    data: dict = field(default_factory=dict)  # file name (with .gz/.br siblings) -> bytes
    validators: dict = field(default_factory=dict)  # URL -> (ETag, Last-Modified)

    def load_data(self):
        for name in set(self.files.values()):
            for sibling in (name, name + '.gz', name + '.br'):
                path = os.path.join(self.root, sibling)
                if os.path.exists(path):
                    with open(path, 'rb') as f:
                        self.data[sibling] = f.read()

    def fetch_validators(self):
        """HEAD of every file, for conditional requests that match."""
        for url in self.files:
            with connect(self) as s:
                s.sendall(request_head('HEAD', url))
                answer = read_response(Reader(s, time.monotonic() + IO_TIMEOUT), Request(b'', 'HEAD'))
            if answer.status == 200 and 'etag' in answer.headers:
                self.validators[url] = (answer.headers['etag'], answer.headers['last-modified'])


# ---------------------------------------------------------------- requests

@dataclass
class Request:
    """A request's bytes, and what its answer must be."""
    raw: bytes
    method: str = 'GET'
    kind: str = 'other'  # file, dir, opt, err, bad, trunc, http09, other
    close: str = KEEP
    file: str = None  # for kind 'file': the name under the root
    ranges: tuple = None  # see random_range
    accept_encoding: str = None
    condition: int = None  # 304 or 200: what a conditional request must get
    statuses: set = None  # statuses allowed, where the kind does not say
    desc: str = ''


def request_head(method, target, version='1.1', fields=(), host=True):
    text = f'{method} {target} HTTP/{version}\r\n'
    if host:
        text += 'Host: 127.0.0.1\r\n'
    for line in fields:
        text += line + '\r\n'
    return (text + '\r\n').encode()


def random_range(r, size):
    """A Range field and what it must get: ('single', first, last), ('multi', [(first, last)...]),
    ('416',) or ('any',) for ranges pier may take or refuse."""
    k = r.random()
    if size == 0:
        return 'Range: bytes=0-5', ('any',)
    if k < 0.3:
        a = r.randrange(size)
        b = r.randrange(a, min(size, a + 5000) + 3)
        return f'Range: bytes={a}-{b}', ('single', a, min(b, size - 1))
    if k < 0.4:
        n = r.randrange(1, size + 10)
        return f'Range: bytes=-{n}', ('single', max(0, size - n), size - 1)
    if k < 0.5:
        a = r.randrange(size)
        return f'Range: bytes={a}-', ('single', a, size - 1)
    if k < 0.7 and size > 400:
        return random_multirange(r, size)
    if k < 0.8:
        return f'Range: bytes={size + r.randrange(100)}-', ('416',)
    bogus = r.choice(['bytes=abc', 'bits=0-1', 'bytes=5-2', 'bytes=', 'bytes=--1', 'bytes=1-2,,',
                      'bytes= 0-1', 'bytes=0-1,' * 40 + '0-1', 'bytes=99999999999999999999999-',
                      'bytes=-0', 'bytes=0-0,-1', ','.join(f'{i}-{i + 1}' for i in range(0, 34, 2))])
    return 'Range: ' + bogus, ('any',)


def random_multirange(r, size):
    """Two to five ranges, sorted and at least 200 bytes apart, so that none is coalesced."""
    points = sorted(r.sample(range(size), 2 * r.randrange(2, 6)))
    ranges = []
    for a, b in zip(points[::2], points[1::2]):
        if not ranges or a - ranges[-1][1] >= 200:
            ranges.append((a, b))
    if len(ranges) < 2:
        return 'Range: bytes=0-0', ('single', 0, 0)
    return 'Range: bytes=' + ','.join(f'{a}-{b}' for a, b in ranges), ('multi', ranges)


def random_valid_request(r, site):
    version = '1.1' if r.random() < 0.85 else '1.0'
    fields = []
    close = KEEP
    if version == '1.0':
        if r.random() < 0.5:
            fields.append('Connection: keep-alive')
            close = MAY_CLOSE
        else:
            close = MUST_CLOSE
    elif r.random() < 0.04:
        fields.append('Connection: close')
        close = MUST_CLOSE
    if r.random() < 0.2:
        fields.append('User-Agent: chaos/' + 'x' * r.randrange(300))
    k = r.random()
    if k < 0.55:
        return random_file_request(r, site, version, fields, close)
    if k < 0.65:
        target = r.choice(['/', '/many/', '/sub/', '/link_dir/', '/sub/loop/', '/many', '/sub'])
        if r.random() < 0.4:
            fields.append('Accept: application/json')
        method = 'HEAD' if r.random() < 0.2 else 'GET'
        return Request(request_head(method, target, version, fields), method, 'dir', close,
                       statuses={200} if target.endswith('/') else {301}, desc=target)
    if k < 0.72:
        target = r.choice(['*', '/', '/one.txt'])
        return Request(request_head('OPTIONS', target, version, fields), 'OPTIONS', 'opt', close,
                       statuses={200, 204}, desc='OPTIONS ' + target)
    if k < 0.8:
        target = r.choice(['/nope', '/.hidden', '/link_out', '/link_broken', '/../etc/passwd',
                           '/%2e%2e/etc/passwd', '/sub/..%2f..%2fetc', '/%00', '/a%5c..%5cb',
                           '//etc/passwd', '/many/f9999.txt', '/one.txt/'])
        method = r.choice(['GET', 'HEAD'])
        return Request(request_head(method, target, version, fields), method, 'err', close,
                       statuses={400, 403, 404, 301}, desc=target)
    if k < 0.86:
        return random_request_with_body(r, version, fields, close)
    return Request(request_head('GET', '/many/f0001.txt', version, fields), 'GET', 'file', close,
                   'many/f0001.txt', desc='/many/f0001.txt')


def random_file_request(r, site, version, fields, close):
    """GET or HEAD of a file, with at most one of Range, a condition or Accept-Encoding."""
    url = r.choice(list(site.files))
    if url == '/big.bin' and r.random() < 0.7:
        url = '/small3.txt'
    req = Request(b'', 'HEAD' if r.random() < 0.25 else 'GET', 'file', close, site.files[url], desc=url)
    q = r.random()
    if q < 0.3:
        line, req.ranges = random_range(r, len(site.data[req.file]))
        fields.append(line)
    elif q < 0.45 and url in site.validators:
        etag, last_modified = site.validators[url]
        match = r.random() < 0.6
        if r.random() < 0.5:
            fields.append('If-None-Match: ' + (etag if match else '"nope"'))
        else:
            fields.append('If-Modified-Since: ' + (last_modified if match else 'Mon, 01 Jan 1990 00:00:00 GMT'))
        req.condition = 304 if match else 200
    elif q < 0.6:
        req.accept_encoding = r.choice(['br', 'gzip', 'br, gzip', 'gzip;q=0', 'identity', '*',
                                        'br;q=0.5, gzip;q=0.9', 'gzip, deflate'])
        fields.append('Accept-Encoding: ' + req.accept_encoding)
    if r.random() < 0.2:
        url += f'?q={r.randrange(1000)}'
    req.raw = request_head(req.method, url, version, fields)
    return req


def random_request_with_body(r, version, fields, close):
    """A GET (answered as usual) or another method (refused) with a body: framing must hold."""
    body = r.randbytes(r.randrange(2000)) if r.random() < 0.5 else b'hello'
    method = r.choice(['GET', 'POST', 'PUT', 'DELETE'])
    if r.random() < 0.5 or version == '1.0':
        raw = request_head(method, '/one.txt', version, fields + [f'Content-Length: {len(body)}']) + body
    else:
        raw = request_head(method, '/one.txt', version, fields + ['Transfer-Encoding: chunked'])
        raw += random_chunks(r, body)
    if method == 'GET':
        return Request(raw, 'GET', 'file', close, 'one.txt', desc='GET with body')
    return Request(raw, method, 'other', MAY_CLOSE if close == KEEP else close,
                   statuses={405, 501, 413}, desc=method + ' with body')


def random_chunks(r, body):
    """body as a chunked message body: chunks of 1-699 bytes, some with an extension."""
    out = b''
    while body:
        n = r.randrange(1, 700)
        chunk, body = body[:n], body[n:]
        extension = ';ext=1' if r.random() < 0.2 else ''
        out += f'{len(chunk):x}{extension}\r\n'.encode() + chunk + b'\r\n'
    return out + b'0\r\n' + (b'X-Trailer: 1\r\n' if r.random() < 0.3 else b'') + b'\r\n'


def random_bad_request(r):
    """A malformed or refused request. After those in `fatal` the server must close."""
    survivable = [
        lambda: Request(request_head('GET', '/%zz'), statuses={400}, desc='bad escape %zz'),
        lambda: Request(request_head('GET', '/a%4'), statuses={400}, desc='bad escape %4'),
        lambda: Request(request_head('GET', '/one.txt', host=False), statuses={400}, desc='no Host'),
        lambda: Request(request_head('GET', '/one.txt', fields=['Host: b']), statuses={400}, desc='two Hosts'),
        lambda: Request(request_head('BREW', '/one.txt'), statuses={400, 405, 501}, desc='unknown method'),
        lambda: Request(request_head('TRACE', '/'), statuses={405, 501}, desc='TRACE'),
        lambda: Request(request_head('GET', '/one.txt', fields=['Expect: foo']), statuses={417}, desc='Expect: foo'),
    ]
    fatal = [
        lambda: Request(request_head('GET', '/one.txt', fields=['Content-Length: 3', 'Transfer-Encoding: chunked'])
                        + b'0\r\n\r\n', statuses={400}, desc='CL and TE'),
        lambda: Request(request_head('GET', '/one.txt', fields=['X-Big: ' + 'a' * r.randrange(9000, 70000)]),
                        statuses={431, 400}, desc='huge field'),
        lambda: Request(request_head('GET', '/one.txt', fields=[f'X-H{i}: v' for i in range(r.randrange(101, 300))]),
                        statuses={431, 400}, desc='too many fields'),
        lambda: Request(request_head('GET', '/' + 'a' * r.randrange(8200, 40000)), statuses={414, 400},
                        desc='long target'),
        lambda: Request(request_head('GET', '/one.txt', fields=['Content-Length: 1x']), statuses={400}, desc='bad CL'),
        lambda: Request(request_head('GET', '/one.txt', fields=['Content-Length: 3', 'Content-Length: 4']) + b'abcd',
                        statuses={400}, desc='two CLs'),
        lambda: Request(request_head('GET', '/one.txt', fields=['Transfer-Encoding: gzip']), statuses={400, 501},
                        desc='TE gzip'),
        lambda: Request(b'GET /one.txt HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n', statuses={400}, desc='obs-fold'),
        lambda: Request(b'GET /one.txt HTTP/1.1\r\nHost : a\r\n\r\n', statuses={400}, desc='space before colon'),
        lambda: Request(b'GET /one.txt HTTP/1.1\r\nHost: a\rX: b\r\n\r\n', statuses={400}, desc='bare CR'),
        lambda: Request(b'GET /sp ace.txt HTTP/1.1\r\nHost: a\r\n\r\n', statuses={400}, desc='raw space in target'),
        lambda: Request(b'GET /one.txt HTTP/2.0\r\nHost: a\r\n\r\n', statuses={400, 505}, desc='HTTP/2.0'),
        lambda: Request(b'GET /one.txt HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n', statuses={400}, desc='control in value'),
        lambda: Request(b'\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' + r.randbytes(40) + b'\r\n\r\n',
                        statuses={400}, desc='TLS hello'),
        lambda: Request(request_head('POST', '/one.txt', fields=['Transfer-Encoding: chunked'])
                        + b'zz\r\nabc\r\n0\r\n\r\n', statuses={400, 405}, desc='bad chunk size'),
        lambda: Request(request_head('POST', '/one.txt', fields=['Content-Length: 99999999999']),
                        statuses={413, 400, 405}, desc='huge CL'),
    ]
    pool = [(make, MUST_CLOSE) for make in fatal] + [(make, MAY_CLOSE) for make in survivable] * 2
    pool.append((lambda: Request(b'\r\n\r\nGET /one.txt HTTP/1.1\r\nHost: a\r\n\r\n', 'GET', 'file', KEEP,
                                 'one.txt', desc='leading CRLFs'), KEEP))
    make, close = pool[r.randrange(len(pool))]
    req = make()
    req.close = close
    if req.kind == 'other':
        req.kind = 'bad'
    return req


# ---------------------------------------------------------------- reading answers

class Closed(Exception):
    """The server closed (or reset) the connection."""


class Reader:
    """Buffered reads from a socket, each bounded by IO_TIMEOUT and the session's deadline."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.buf = bytearray()
        self.deadline = deadline
        self.eof = False

    def fill(self):
        if self.eof:
            raise Closed('closed')
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError('session deadline passed')
        self.sock.settimeout(min(left, IO_TIMEOUT))
        try:
            data = self.sock.recv(262144)
        except ConnectionResetError:
            self.eof = True
            raise Closed('reset') from None
        if not data:
            self.eof = True
            raise Closed('closed')
        self.buf += data

    def line(self):
        while (end := self.buf.find(b'\r\n')) < 0:
            if len(self.buf) > 200000:
                raise ValueError('line too long')
            self.fill()
        line = bytes(self.buf[:end])
        del self.buf[:end + 2]
        return line

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def rest(self):
        """Everything until the server closes."""
        try:
            while True:
                self.fill()
        except Closed:
            pass
        data = bytes(self.buf)
        self.buf.clear()
        return data


@dataclass
class Response:
    """A final answer; close_delimited if its body ran to the end of the connection."""
    status: int
    headers: dict
    body: bytes
    close_delimited: bool = False


def read_response(reader, req):
    """The next final answer (1xx are skipped). Raises ValueError where the framing is wrong."""
    if req.kind == 'http09':
        return Response(0, {}, reader.rest())
    while True:
        status, headers = read_head(reader)
        if status >= 200:
            break
    if req.method == 'HEAD' or status in (204, 304):
        return Response(status, headers, b'')
    if 'transfer-encoding' in headers:
        if headers['transfer-encoding'].lower() != 'chunked':
            raise ValueError('Transfer-Encoding other than chunked')
        return Response(status, headers, read_chunked(reader))
    if 'content-length' in headers:
        return Response(status, headers, reader.take(int(headers['content-length'])))
    return Response(status, headers, reader.rest(), close_delimited=True)


def read_head(reader):
    line = reader.line()
    parts = line.split(b' ', 2)
    if len(parts) < 2 or not parts[0].startswith(b'HTTP/1.') or not (parts[1].isdigit() and len(parts[1]) == 3):
        raise ValueError(f'bad status line {line[:100]!r}')
    headers = {}
    while line := reader.line():
        if b':' not in line:
            raise ValueError(f'bad field line {line[:100]!r}')
        name, value = line.split(b':', 1)
        name = name.decode('latin1').lower()
        if name in headers and name in ('content-length', 'transfer-encoding', 'content-range', 'etag', 'content-type'):
            raise ValueError(f'two {name} fields')
        headers[name] = value.strip().decode('latin1')
    return int(parts[1]), headers


def read_chunked(reader):
    body = bytearray()
    while size := int(reader.line().split(b';')[0].strip(), 16):
        body += reader.take(size)
        if reader.take(2) != b'\r\n':
            raise ValueError('chunk not ended by CRLF')
    while reader.line():  # trailer fields
        pass
    return bytes(body)


def parse_multipart(body, boundary):
    """[(Content-Range, data)] of a multipart/byteranges body."""
    delimiter = b'--' + boundary.encode()
    segments = body.split(b'\r\n' + delimiter)
    if segments[0] and not body.startswith(delimiter):
        raise ValueError(f'multipart preamble {segments[0][:50]!r}')
    if not segments[-1].startswith(b'--'):
        raise ValueError('multipart without close delimiter')
    parts = []
    for segment in segments[1:-1]:
        if not segment.startswith(b'\r\n'):
            raise ValueError('multipart part does not start with CRLF')
        head, _, data = segment[2:].partition(b'\r\n\r\n')
        content_range = None
        for line in head.split(b'\r\n'):
            if line.lower().startswith(b'content-range:'):
                content_range = line.split(b':', 1)[1].strip().decode()
        parts.append((content_range, data))
    return parts


def parse_content_range(value):
    """'bytes A-B/TOTAL' -> (A, B, TOTAL)."""
    if not value or not value.startswith('bytes '):
        raise ValueError(f'bad Content-Range {value!r}')
    span, _, total = value[6:].partition('/')
    first, _, last = span.partition('-')
    return int(first), int(last), int(total)


# ---------------------------------------------------------------- checking answers

def check_response(site, req, resp):
    """What is wrong with the answer to req, or None."""
    if req.kind == 'http09':
        want = site.data[req.file]
        if resp.body != want:
            return f'HTTP/0.9 body of {len(resp.body)} bytes, not {len(want)}: {resp.body[:60]!r}'
        return None
    if req.statuses is not None and resp.status not in req.statuses:
        return f'status {resp.status}, not one of {sorted(req.statuses)}'
    if req.kind == 'dir' and resp.status == 200 and req.method == 'GET' and 'json' in resp.headers.get('content-type', ''):
        try:
            json.loads(resp.body)
        except ValueError as e:
            return f'bad JSON listing: {e}'
    if req.kind == 'file':
        return check_file_response(site, req, resp)
    return None


def check_file_response(site, req, resp):
    data, wrong = representation(site, req, resp)
    if wrong:
        return wrong
    encoded = 'content-encoding' in resp.headers
    if req.method == 'HEAD' and resp.status == 200 and not encoded and 'content-length' in resp.headers:
        if int(resp.headers['content-length']) != len(data):
            return f'HEAD Content-Length {resp.headers["content-length"]}, not {len(data)}'
    if req.condition and resp.status != req.condition:
        return f'conditional request got {resp.status}, not {req.condition}'
    if resp.status == 304:
        return None if req.condition == 304 else '304 to an unconditional request'
    if resp.status == 200:
        if req.ranges and req.ranges[0] != 'any' and not encoded and req.method == 'GET':
            return f'200 to Range {req.ranges}'
        if req.method == 'GET' and resp.body != data:
            return f'200 body of {len(resp.body)} bytes, not {len(data)}'
        return None
    if resp.status == 206:
        return check_partial(req, resp, data, encoded)
    if resp.status == 416:
        if not req.ranges or req.ranges[0] not in ('416', 'any'):
            return None if encoded and req.ranges else f'416 to Range {req.ranges}'
        if not resp.headers.get('content-range', '').startswith('bytes */'):
            return f'416 with Content-Range {resp.headers.get("content-range")!r}, not bytes */LENGTH'
        return None
    if resp.status == 400 and req.desc == 'leading CRLFs':
        return None
    return f'unexpected status {resp.status}'


def representation(site, req, resp):
    """(the bytes the answer must carry, what is wrong with its Content-Encoding or None)."""
    coding = resp.headers.get('content-encoding')
    if not coding:
        return site.data[req.file], None
    suffix = {'br': '.br', 'gzip': '.gz'}.get(coding)
    if suffix is None:
        return None, f'unexpected Content-Encoding {coding}'
    accepted = accepted_codings(req.accept_encoding or '')
    if accepted.get(coding, accepted.get('*', 0)) <= 0:
        return None, f'Content-Encoding {coding} not acceptable to {req.accept_encoding!r}'
    if req.file + suffix not in site.data:
        return None, f'Content-Encoding {coding} without a {suffix} file'
    if 'accept-encoding' not in resp.headers.get('vary', '').lower():
        return None, 'encoded answer without Vary: Accept-Encoding'
    return site.data[req.file + suffix], None


def accepted_codings(accept_encoding):
    """'br;q=0.5, gzip' -> {'br': 0.5, 'gzip': 1.0}."""
    codings = {}
    for item in accept_encoding.replace(' ', '').split(','):
        if item:
            name, _, q = item.partition(';q=')
            codings[name] = float(q) if q else 1.0
    return codings


def check_partial(req, resp, data, encoded):
    if not req.ranges:
        return '206 without Range'
    content_type = resp.headers.get('content-type', '')
    if content_type.startswith('multipart/byteranges'):
        if req.method == 'HEAD':
            return None
        return check_multipart(req, resp, data, content_type.split('boundary=')[1].strip('"'), encoded)
    first, last, total = parse_content_range(resp.headers.get('content-range'))
    if total != len(data):
        return f'Content-Range total {total}, not {len(data)}'
    if req.ranges[0] == 'single' and not encoded and (first, last) != req.ranges[1:]:
        return f'Content-Range {first}-{last}, not {req.ranges[1]}-{req.ranges[2]}'
    if req.method == 'GET' and resp.body != data[first:last + 1]:
        return f'206 body of {len(resp.body)} bytes differs from {first}-{last}'
    return None


def check_multipart(req, resp, data, boundary, encoded):
    parts = parse_multipart(resp.body, boundary)
    if len(parts) < 2:
        return f'multipart with {len(parts)} parts'
    got = []
    for content_range, part in parts:
        first, last, total = parse_content_range(content_range)
        if total != len(data) or part != data[first:last + 1]:
            return f'multipart part {content_range} differs ({len(part)} bytes)'
        got.append((first, last))
    if req.ranges[0] == 'multi' and not encoded and got != req.ranges[1]:
        return f'multipart ranges {got}, not {req.ranges[1]}'
    return None


# ---------------------------------------------------------------- TLS

# What only TLS has is drawn from its own generator (tls_session.r, set per session from the
# session's seed), so the session's own draws, hence its requests, are those of a plain run.
tls_session = threading.local()


def tls_client_context(version):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # --tls-self-signed: nothing to verify it against
    context.minimum_version = context.maximum_version = version
    # A server's EOF without close_notify must stay visible (SSLEOFError), not pass for an end.
    context.options &= ~getattr(ssl, 'OP_IGNORE_UNEXPECTED_EOF', 0)
    return context


TLS_CONTEXTS = {'TLS 1.3': tls_client_context(ssl.TLSVersion.TLSv1_3),
                'TLS 1.2': tls_client_context(ssl.TLSVersion.TLSv1_2)}


class TlsSocket:
    """A TLS client connection with a TCP socket's interface, as the sessions use it.

    OpenSSL runs on memory BIOs and this class moves the bytes, so that each TLS step is
    explicit: Python's SSLSocket cannot half-close (its shutdown() drops the TLS layer, and
    unwrap() waits for the server's close_notify, taking any answer that arrives first for a
    protocol error). Resets, socket options and timeouts go to the TCP socket underneath."""

    def __init__(self, raw, r, log):
        self.raw = raw
        self.r = r
        self.log = log
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.version = 'TLS 1.3' if r.random() < 0.75 else 'TLS 1.2'
        sni = 'localhost' if r.random() < 0.5 else None
        self.tls = TLS_CONTEXTS[self.version].wrap_bio(self.incoming, self.outgoing, server_hostname=sni)
        self.plain = bytearray()  # answers decrypted ahead of a half-close, not yet taken
        self.ended = None  # how the server's side ended: 'close_notify' or 'no close_notify'
        self.sent_close_notify = False
        self.reset = False
        self.closed = False

    @classmethod
    def connect(cls, port):
        r = getattr(tls_session, 'r', None) or random.Random(0)
        log = getattr(tls_session, 'log', None) or (lambda text: None)
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            raw.settimeout(IO_TIMEOUT)
            # A small receive window makes the server's writes partial, record after record.
            small_window = r.random() < 0.15
            if small_window:
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, r.choice([2048, 4096, 16384]))
            raw.connect(('127.0.0.1', port))
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock = cls(raw, r, log)
            sock.handshake()
        except BaseException:
            raw.close()
            raise
        log(f'[{sock.version}, cipher {sock.tls.cipher()[0]}, SNI {sock.tls.server_hostname}'
            + (', small receive buffer' if small_window else '') + ']')
        return sock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def handshake(self):
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pass
            self.flush()
            data = self.raw.recv(65536)
            if not data:
                raise ConnectionError('the server closed during the handshake')
            self.incoming.write(data)
        self.flush()

    def flush(self):
        if data := self.outgoing.read():
            self.raw.sendall(data)

    def settimeout(self, seconds):
        self.raw.settimeout(seconds)

    def setsockopt(self, *args):
        if args[:2] == (socket.SOL_SOCKET, socket.SO_LINGER):
            self.reset = True
        self.raw.setsockopt(*args)

    def sendall(self, data):
        """data in records of at most 16 KiB, one record per call below that."""
        view = memoryview(data)
        while view:
            n = self.tls.write(view)
            view = view[n:]
        self.flush()

    def send_cut(self, data):
        """data encrypted, but only part of its records sent: the last one is cut short."""
        self.tls.write(data)
        records = self.outgoing.read()
        cut = self.r.randrange(1, len(records))
        self.log(f'[{cut} of the {len(records)} bytes of its records sent]')
        self.raw.sendall(records[:cut])

    def recv(self, n):
        while True:
            if self.plain:
                data = bytes(self.plain[:n])
                del self.plain[:n]
                return data
            if self.ended:
                return b''
            data = self.decrypt(n)
            if data is not None:
                return data

    def decrypt(self, n):
        """Up to n bytes of the answers; b'' at the end of the server's stream; None for more."""
        try:
            data = self.tls.read(n)
            if not data:  # Python's SSLObject says close_notify so, not with SSLZeroReturnError
                self.ended = 'close_notify'
            return data
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLZeroReturnError:
            self.ended = 'close_notify'
            return b''
        except ssl.SSLEOFError:
            self.ended = 'no close_notify'
            return b''
        self.flush()  # a TLS 1.3 KeyUpdate's answer, say
        data = self.raw.recv(262144)
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()
        return None

    def shutdown(self, how):
        """The client's half-close (how is SHUT_WR), in one of TLS's three forms."""
        k = self.r.random()
        if k < 0.5:
            self.log('[half-close: close_notify, then FIN]')
            self.send_close_notify()
            self.raw.shutdown(socket.SHUT_WR)
        elif k < 0.75:
            # pier's context takes an EOF without close_notify for the end of input (its
            # OP_IGNORE_UNEXPECTED_EOF), so a bare FIN must act as on TCP.
            self.log('[half-close: FIN without close_notify]')
            self.raw.shutdown(socket.SHUT_WR)
        else:
            self.log('[half-close: close_notify, no FIN]')
            self.send_close_notify()

    def send_close_notify(self):
        # Answers already here are decrypted first: after sending close_notify, unwrap() reads
        # on for the server's, and would take an answer's record for a protocol error. What
        # stays in the BIO then is at most part of a record, which it cannot read.
        while not self.ended:
            try:
                data = self.tls.read(65536)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLZeroReturnError:
                data = b''
            if not data:
                self.ended = 'close_notify'
                break
            self.plain += data
        try:
            self.tls.unwrap()
        except ssl.SSLWantReadError:
            pass  # sent; the server's close_notify is read as the answers are
        self.sent_close_notify = True
        self.flush()

    def close(self):
        """A reset if SO_LINGER says so; else a FIN, sometimes after close_notify."""
        if self.closed:
            return
        self.closed = True
        try:
            if not self.reset and not self.sent_close_notify and self.r.random() < 0.5:
                self.send_close_notify()
        except (OSError, ssl.SSLError):
            pass  # the server has gone already
        finally:
            self.raw.close()


# ---------------------------------------------------------------- sessions

def connect(site):
    if site.tls:
        return TlsSocket.connect(site.port)
    sock = socket.create_connection(('127.0.0.1', site.port), timeout=IO_TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def end(sock, with_reset):
    """Closes the socket, with an RST instead of a FIN if with_reset."""
    if with_reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    sock.close()


def send(r, sock, data, in_pieces):
    """All of data, at once or in random small pieces with short pauses."""
    if not in_pieces:
        sock.sendall(data)
        return
    while data:
        n = r.choice([1, 2, 3, 7, 16, 100, 1000, 5000])
        sock.sendall(data[:n])
        data = data[n:]
        if r.random() < 0.3:
            time.sleep(r.random() * 0.01)


def run_session(site, seed, log):
    """(session type, what went wrong or None)."""
    r = random.Random(seed)
    tls_session.r, tls_session.log = random.Random(f'tls {seed}'), log
    k = r.random()
    session = (hang_up_session if k < 0.06 else reset_download_session if k < 0.10
               else stop_reading_session if k < 0.14 else http09_session if k < 0.17
               else pipeline_session)
    name = session.__name__.removesuffix('_session')
    try:
        return name, session(r, site, log)
    except Exception as e:  # a timeout, a framing error: the session failed, the run goes on
        log(traceback.format_exc())
        return name, f'{type(e).__name__}: {e}'


def http09_session(r, site, log):
    url = r.choice([u for u in site.files if site.files[u] != 'big.bin'])
    req = Request(f'GET {url}\r\n'.encode(), kind='http09', close=MUST_CLOSE, file=site.files[url], desc=url)
    log(req.raw)
    with connect(site) as s:
        send(r, s, req.raw, r.random() < 0.5)
        resp = read_response(Reader(s, time.monotonic() + SESSION_SECONDS), req)
        return check_response(site, req, resp) or check_tls_end(s, resp)


def hang_up_session(r, site, log):
    data = b''.join(random_valid_request(r, site).raw for _ in range(r.randrange(1, 4)))
    cut = r.randrange(1, len(data))
    with_reset = r.random() < 0.5
    log(f'sending {cut} of {len(data)} bytes, then ' + ('a reset' if with_reset else 'a close'))
    s = connect(site)
    try:
        if isinstance(s, TlsSocket) and s.r.random() < 0.3:
            s.send_cut(data)  # the cut inside a record instead
        else:
            s.sendall(data[:cut])
        time.sleep(r.random() * 0.05)
    finally:
        end(s, with_reset)
    return None


def reset_download_session(r, site, log):
    want = r.randrange(3 * 1024 * 1024)
    log(f'reading {want} bytes of big.bin, then resetting')
    s = connect(site)
    s.sendall(request_head('GET', '/big.bin') * r.randrange(1, 4))
    got = 0
    try:
        while got < want and (data := s.recv(65536)):
            got += len(data)
    except TimeoutError:
        return f'big.bin stalled after {got} bytes'
    finally:
        end(s, with_reset=True)
    return None


def stop_reading_session(r, site, log):
    reqs = [Request(request_head('GET', '/big.bin'), file='big.bin', kind='file', desc='/big.bin')
            for _ in range(r.randrange(2, 8))]
    read_late = r.random() < 0.5
    with_reset = not read_late and r.random() < 0.5
    log(f'{len(reqs)} downloads of big.bin, ' + ('read late' if read_late else 'never read'))
    s = connect(site)
    try:
        if not read_late and r.random() < 0.5:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b''.join(q.raw for q in reqs))
        time.sleep(0.5 + r.random() * 2)
        if read_late:
            reader = Reader(s, time.monotonic() + SESSION_SECONDS)
            for i, req in enumerate(reqs):
                if wrong := check_response(site, req, read_response(reader, req)):
                    return f'answer {i}: {wrong}'
    finally:
        end(s, with_reset)
    return None


@dataclass
class Pipeline:
    """The requests of a pipeline session and how they are written."""
    reqs: list
    sent: int  # how many of reqs are written
    due: int  # how many must be answered: up to the first that must close, or all sent
    half_close: bool
    in_pieces: bool


def random_pipeline(r, site):
    n = r.choice([1, 1, 2, 3, 5, 10, 20, 50]) if r.random() < 0.8 else r.randrange(1, 51)
    bad_share = r.choice([0, 0, 0.05, 0.1, 0.3])
    reqs = [random_bad_request(r) if r.random() < bad_share else random_valid_request(r, site) for _ in range(n)]
    truncated = r.random() < 0.05
    if truncated:
        reqs.append(Request(request_head('POST', '/one.txt', fields=['Transfer-Encoding: chunked']) + b'5\r\nab',
                            'POST', 'trunc', MAY_CLOSE, desc='truncated chunked body'))
    in_pieces = r.random() < 0.3
    half_close = truncated or r.random() < 0.3
    last = next((i for i, q in enumerate(reqs) if q.close == MUST_CLOSE), len(reqs) - 1)
    # Half the time the requests after one that closes are written too: they must be ignored.
    sent = len(reqs) if r.random() < 0.5 else last + 1
    return Pipeline(reqs, sent, last + 1, half_close, in_pieces)


def pipeline_session(r, site, log):
    p = random_pipeline(r, site)
    log(f'{p.sent} requests, {p.due} to answer, ' + ('in pieces' if p.in_pieces else 'at once')
        + (', then half-closed' if p.half_close else ''))
    for req in p.reqs[:p.sent]:
        log(f'  {req.raw[:300]!r}')
    with connect(site) as s:
        send_error = write_pipeline(r, s, p)
        reader = Reader(s, time.monotonic() + SESSION_SECONDS)
        for i in range(p.due):
            req = p.reqs[i]
            try:
                resp = read_response(reader, req)
            except Closed as e:
                if may_close_before(p.reqs, i, send_error):
                    return None
                return f'connection {e} after {i} of {p.due} answers; next was {req.desc!r} (send error {send_error})'
            log(f'{i} {req.desc!r} -> {resp.status} {len(resp.body)} bytes {resp.headers.get("connection", "")}')
            wrong = check_response(site, req, resp) or check_connection(req, resp)
            if wrong:
                return f'answer {i} to {req.desc!r}: {wrong}'
            if resp.close_delimited or 'close' in resp.headers.get('connection', '').lower():
                return check_nothing_after(reader, 'Connection: close') or check_tls_end(s, resp)
        if p.half_close or p.reqs[p.due - 1].close == MUST_CLOSE:
            return check_nothing_after(reader, 'the last answer')
    return None


def write_pipeline(r, sock, p):
    """Writes the requests in batches of 1-50; returns the error if the server stopped reading.

    Requests after one that closes go in a single write with it. Written later, they could
    reach a server that has closed, and its kernel would answer them with a reset that can
    destroy answers not yet read (RFC 9112 9.6, and a client must not send them at all); sent
    with it, they are unread input, which the server must drain before it closes."""
    batched = p.due - 1 if p.sent > p.due else p.sent
    i = 0
    try:
        while i < batched:
            k = r.randrange(1, 51)
            send(r, sock, b''.join(q.raw for q in p.reqs[i:min(i + k, batched)]), p.in_pieces)
            i += k
            if r.random() < 0.2:
                time.sleep(r.random() * 0.02)
        if batched < p.sent:
            sock.sendall(b''.join(q.raw for q in p.reqs[batched:p.sent]))
        if p.half_close:
            sock.shutdown(socket.SHUT_WR)
    except TimeoutError:
        raise
    except OSError as e:  # a broken pipe, a reset, or ENOTCONN at shutdown: the server closed
        return e
    return None


def may_close_before(reqs, i, send_error):
    """Whether the server may close without answering reqs[i]."""
    req = reqs[i]
    if req.kind == 'trunc':
        return True
    if req.kind == 'bad' and req.close == MUST_CLOSE and send_error:
        return True  # it stopped reading there; the reset may take its answer with it
    return i > 0 and reqs[i - 1].close == MAY_CLOSE


def check_connection(req, resp):
    closing = 'close' in resp.headers.get('connection', '').lower()
    # A malformed request's answer need not say so; that nothing follows it is checked after.
    if req.close == MUST_CLOSE and not closing and req.kind != 'bad':
        return 'no Connection: close where the connection must close'
    if req.close == KEEP and (closing or resp.close_delimited):
        return f'connection closed after a request that keeps it (status {resp.status})'
    return None


def check_tls_end(sock, resp):
    """Over TLS, an answer that runs to the end of the connection must end with close_notify:
    a bare FIN (or a reset) could be an attacker's cut, and the client could not tell."""
    if isinstance(sock, TlsSocket) and (resp.close_delimited or resp.status == 0) and sock.ended != 'close_notify':
        return f'close-delimited answer of {len(resp.body)} bytes ended without close_notify ({sock.ended})'
    return None


def check_nothing_after(reader, what):
    extra = reader.rest()
    return f'{len(extra)} bytes after {what}: {extra[:80]!r}' if extra else None


# ---------------------------------------------------------------- the server

def die_with_parent():
    """Run in the child before exec: the kernel kills pier if this script dies, however it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Server:
    """`pier serve` on a free port, its output in files under workdir."""

    def __init__(self, pier, root, workdir, tls=False, threads=SERVER_THREADS):
        self.stdout_path = os.path.join(workdir, 'stdout')
        self.stderr_path = os.path.join(workdir, 'stderr')
        self.banner = 'Serving HTTPS on' if tls else 'Serving HTTP on'
        with open(self.stdout_path, 'wb') as out, open(self.stderr_path, 'wb') as err:
            self.proc = subprocess.Popen(
                [pier, 'serve', '0', '-b', '127.0.0.1', '-q', '-d', root, '--threads', str(threads)]
                + (['--tls-self-signed'] if tls else []),
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=die_with_parent)
        try:
            self.port = self.wait_for_port()
        except BaseException:
            self.kill()
            raise

    def wait_for_port(self):
        """The port from 'Serving HTTP on 127.0.0.1 port N (...' (HTTPS with --tls)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(self.stdout_path) as f:
                for line in f:
                    if line.startswith(self.banner):
                        return int(line.split(' port ')[1].split()[0])
            time.sleep(0.05)
        raise RuntimeError(f'pier serve did not start: {self.stderr()[-2000:]}')

    def descriptors(self):
        return len(os.listdir(f'/proc/{self.proc.pid}/fd'))

    def stderr(self):
        with open(self.stderr_path, errors='replace') as f:
            return f.read()

    def sanitizer_reports(self):
        return [line for line in self.stderr().splitlines() if any(m in line for m in SANITIZER_MARKERS)]

    def interrupt(self):
        """SIGINT, then the exit status (None if it had to be killed)."""
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def server_answers(site):
    try:
        with connect(site) as s:
            s.sendall(request_head('GET', '/one.txt', fields=['Connection: close']))
            resp = read_response(Reader(s, time.monotonic() + IO_TIMEOUT), Request(b''))
    except (OSError, ValueError, Closed):
        return False
    return resp.status == 200 and resp.body == b'x'


def descriptors_settle(server, limit):
    """Waits up to five seconds for the server's open descriptors to fall to limit."""
    deadline = time.monotonic() + 5
    while (count := server.descriptors()) > limit and time.monotonic() < deadline:
        time.sleep(0.1)
    return count


# ---------------------------------------------------------------- the run

def run_sessions(site, seeds, threads, seconds, log):
    """Runs the seeds on a pool of threads until done or `seconds` have passed.
    Returns ({session type: count}, [(seed, type, what went wrong)])."""
    stop_at = time.monotonic() + seconds
    counts, failures, lock = {}, [], threading.Lock()

    def one(seed):
        if time.monotonic() > stop_at:
            return
        name, wrong = run_session(site, seed, log)
        with lock:
            counts[name] = counts.get(name, 0) + 1
            if wrong:
                failures.append((seed, name, wrong))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, seeds))
    return counts, sorted(failures)


def server_problems(server, site, fds_at_start):
    """Checks the server after the sessions and stops it; returns what is wrong."""
    problems = []
    if server.proc.poll() is not None:
        problems.append(f'server died with status {server.proc.returncode}')
    else:
        if not server_answers(site):
            problems.append('server no longer answers GET /one.txt')
        limit = fds_at_start + CACHED_DESCRIPTORS_PER_LOOP * SERVER_THREADS
        if (count := descriptors_settle(server, limit)) > limit:
            problems.append(f'{count} descriptors open, {fds_at_start} at the start (at most {limit} expected)')
        status = server.interrupt()
        if status != 0:
            problems.append(f'SIGINT: exit status {status}' if status is not None else 'SIGINT did not stop it')
    problems += [f'stderr: {line}' for line in server.sanitizer_reports()[:20]]
    return problems


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('pier', help='the pier binary')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--sessions', type=int, default=600)
    ap.add_argument('--seconds', type=float, default=25, help='start no session after this')
    ap.add_argument('--threads', type=int, default=6, help='client threads')
    ap.add_argument('--replay', type=int, metavar='SESSION_SEED', help='run one session, verbosely')
    ap.add_argument('--tls', action='store_true', help='serve with --tls-self-signed, every session over TLS')
    return ap.parse_args()


def main():
    args = parse_args()
    if args.replay is not None:
        seeds, threads, log = [args.replay], 1, lambda text: print(text, flush=True)
    else:
        seeds, threads, log = range(args.seed * 1000000, args.seed * 1000000 + args.sessions), args.threads, lambda text: None
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix='chaos_serve.') as tmp:
        site = Site(os.path.join(tmp, 'root'), tls=args.tls)
        make_docroot(site.root)
        site.load_data()
        server = Server(args.pier, site.root, tmp, tls=args.tls)
        try:
            site.port = server.port
            site.fetch_validators()
            fds_at_start = server.descriptors()
            counts, failures = run_sessions(site, seeds, threads, args.seconds, log)
            problems = server_problems(server, site, fds_at_start)
        finally:
            server.kill()
    ran = sum(counts.values())
    kinds = ', '.join(f'{name} {n}' for name, n in sorted(counts.items()))
    ok = not failures and not problems
    print(f'chaos_serve{" --tls" if args.tls else ""}: {"PASS" if ok else "FAIL"}: {ran} of {len(seeds)} sessions ({kinds}) in '
          f'{time.monotonic() - started:.1f} s, {len(failures)} failed; server: '
          f'{"; ".join(problems) if problems else "alive, descriptors back, exit 0, no sanitizer reports"}')
    for seed, name, wrong in failures[:100]:
        print(f'  seed {seed} ({name}): {wrong}')
    if len(failures) > 100:
        print(f'  ... and {len(failures) - 100} more')
    if failures:
        print(f'replay one with: {sys.argv[0]} {args.pier} --replay {failures[0][0]}{" --tls" if args.tls else ""}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
