#!/usr/bin/env python3
"""Compares two requests as get_peer.py's /echo returned them: `normalise_echo.py A B` exits 0
when they are the same once put into a form two clients can be compared in, else prints both.

The request line stays; the fields are sorted, User-Agent dropped; a multipart boundary (each
client draws its own) becomes BOUNDARY everywhere and Content-Length is recounted for it; the
body stays byte for byte.
"""
import re
import sys


def normalised(path):
    data = open(path, "rb").read()
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    match = re.search(rb"boundary=([^\s;]+)", head)
    if match:
        boundary = match.group(1)
        lines = [line.replace(boundary, b"BOUNDARY") for line in lines]
        body = body.replace(boundary, b"BOUNDARY")
        lines = [b"Content-Length: %d" % len(body) if line.lower().startswith(b"content-length:")
                 else line for line in lines]
    fields = sorted(line for line in lines[1:] if not line.lower().startswith(b"user-agent:"))
    return b"\n".join([lines[0]] + fields) + b"\n\n" + body


a, b = normalised(sys.argv[1]), normalised(sys.argv[2])
if a != b:
    sys.stdout.write(f"--- {sys.argv[1]}\n{a!r}\n--- {sys.argv[2]}\n{b!r}\n")
    sys.exit(1)
