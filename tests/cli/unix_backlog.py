"""A unix socket whose listener's backlog is full: `pier get` waits for room (the blocking
client in connect(), -Z on the event loop, where the non-blocking connect says EAGAIN), then
gets its answers — curl's 7 only when the connect timeout passes.

    unix_backlog.py PIER SOCKET_PATH      (exit 0: both passed; else a message and exit 1)
"""
import os
import socket
import subprocess
import sys
import time


def check(pier, path, extra):
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(0)
    filling = []  # connections the listener never accepts, until the backlog is full
    while len(filling) < 64:
        c = socket.socket(socket.AF_UNIX)
        c.setblocking(False)
        try:
            c.connect(path)
        except BlockingIOError:
            c.close()
            break
        filling.append(c)
    client = subprocess.Popen([pier, "get", "-s", "--connect-timeout", "10", *extra,
                               "--unix-socket", path, "http://x/a", "http://x/b"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)  # the client meets the full backlog
    for c in filling:
        c.close()
    listener.settimeout(5)
    served = 0
    while served < 2 and client.poll() is None:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            break
        with conn:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(4096)
                if not data:
                    break
                head += data
            if head:  # a filler's connection, accepted after it closed, sends nothing
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                             b"Connection: close\r\n\r\nok\n")
                served += 1
    out, err = client.communicate(timeout=20)
    listener.close()
    if client.returncode != 0 or out != b"ok\nok\n":
        sys.exit(f"FAIL: pier get {' '.join(extra)} over a full backlog: exit "
                 f"{client.returncode}, {out!r}, {err.decode(errors='replace')!r}")


check(sys.argv[1], sys.argv[2], [])
check(sys.argv[1], sys.argv[2], ["-Z"])
