#!/usr/bin/env python3
"""Server memory per idle keep-alive connection: RSS growth of the server's process tree
while N connections, each having made one request, sit idle. Usage:
idle_memory.py <server pid> <port> [connections] [path]. Prints bytes per connection."""
import os
import selectors
import socket
import sys
import time


def rss_kib(pid):
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except FileNotFoundError:
        return []


def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    path = sys.argv[4] if len(sys.argv) > 4 else "/small.txt"
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    time.sleep(0.5)
    before = rss_kib(pid)
    socks = []
    deadline = time.monotonic() + 60  # bounded: the whole run stops by itself
    for _ in range(n):
        # A server that stops accepting (a connection limit, out of descriptors) leaves the
        # SYN unanswered: connect would wait minutes for the kernel to give up. Measure what
        # was opened by then, and say so.
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=3)
            s.sendall(request)
        except OSError as e:
            print(f"idle_memory: stopped at {len(socks)} connections: {e}", file=sys.stderr)
            break
        socks.append(s)
        if len(socks) % 500 == 0:
            drain(socks[-500:])
        if time.monotonic() > deadline:
            break
    drain(socks[-(len(socks) % 500 or 500):])
    time.sleep(1.0)
    after = rss_kib(pid)
    print(f"{(after - before) * 1024 / max(len(socks), 1):.0f}")
    for s in socks:
        s.close()


def drain(batch):
    """Reads each connection's response so it is idle (not mid-write) when measured."""
    sel = selectors.DefaultSelector()
    for s in batch:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    pending = len(batch)
    end = time.monotonic() + 10
    while pending and time.monotonic() < end:
        for key, _ in sel.select(timeout=1):
            try:
                if key.fileobj.recv(65536):
                    sel.unregister(key.fileobj)
                    pending -= 1
            except BlockingIOError:
                pass
    sel.close()


if __name__ == "__main__":
    main()
