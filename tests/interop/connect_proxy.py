#!/usr/bin/env python3
"""A minimal CONNECT proxy for tests/interop/client_peers.sh: prints its port, then for each
connection reads one CONNECT request, logs its request line and Proxy-Authorization to
argv[1], connects to the target (loopback only) and relays bytes both ways until either side
closes. Anything but CONNECT gets 405."""
import select
import socket
import sys
import threading

LOG = sys.argv[1]


def relay(a, b):
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for s in readable:
            try:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
            except OSError:  # a client that gave up (a failed verification) resets
                return


def handle(client):
    with client:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n")
        method, target, _ = lines[0].decode().split(" ", 2)
        auth = [l.decode() for l in lines[1:] if l.lower().startswith(b"proxy-authorization:")]
        with open(LOG, "a") as log:
            log.write(lines[0].decode() + "\n")
            for a in auth:
                log.write(a + "\n")
        host, port = target.rsplit(":", 1)
        if method != "CONNECT" or host not in ("localhost", "127.0.0.1"):
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            relay(client, upstream)


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
