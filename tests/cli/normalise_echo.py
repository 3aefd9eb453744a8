#!/usr/bin/env python3
"""Puts the request get_peer.py's /echo returned into a form two clients can be compared in.

The request line stays; the fields are sorted, User-Agent dropped; a multipart boundary (each
client draws its own) becomes BOUNDARY everywhere and Content-Length is recounted for it; the
body stays byte for byte.
"""
import re
import sys

data = open(sys.argv[1], "rb").read()
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
sys.stdout.buffer.write(b"\n".join([lines[0]] + fields) + b"\n\n" + body)
