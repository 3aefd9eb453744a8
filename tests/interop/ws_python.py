#!/usr/bin/python3
"""Python's websockets (Debian python3-websockets) as a peer of pier's WebSocket, for
ws_peers.sh. Run with /usr/bin/python3: the library is Debian's.

    ws_python.py client URL COUNT deflate|plain
        sends COUNT messages at once, text and binary by turns, and checks each echo
    ws_python.py server deflate|plain [CERT KEY]
        an echo server on 127.0.0.1, port 0 (TLS with CERT and KEY); prints "port N", then per
        connection the extensions it agreed to and how it closed

Exit 0 when every check held; a message on stderr and exit 1 otherwise. Every wait is bounded.
"""
import asyncio
import ssl
import sys

import websockets


class Failed(Exception):
    pass


def fail(what):
    raise Failed(what)


def message(i):
    """Message i: like ws_node.js's, so both peers send the same mix."""
    size = 70000 if i % 97 == 0 else 0 if i % 100 in (50, 51) else (i * 37) % 3000
    if i % 2 == 1:
        return bytes((k * 31 + i) & 0xFF for k in range(size))
    alphabet = "abcdefghé—ü漢字 0123456789"
    if size == 0:
        return ""
    s = f"#{i}:"
    while len(s) < size:
        s += alphabet[(len(s) + i) % len(alphabet)]
    return s


def extensions(ws):
    return ", ".join(e.name for e in ws.extensions)


async def client(url, count, deflate):
    compression = "deflate" if deflate else None
    async with websockets.connect(url, compression=compression, max_size=1 << 20) as ws:
        if ("permessage-deflate" in extensions(ws)) != deflate:
            fail(f"extensions agreed: {extensions(ws)!r}")

        async def send_all():
            for i in range(count):
                await ws.send(message(i))

        sender = asyncio.create_task(send_all())
        for i in range(count):
            got = await ws.recv()
            if got != message(i):
                fail(f"message {i} differs ({type(got).__name__}, {len(got)} long)")
        await sender
        await ws.close(1000, "done")
        if ws.close_code != 1000:
            fail(f"close code {ws.close_code}")
    print(f"ok: {count} messages echoed ({'deflate' if deflate else 'plain'}, "
          f"extensions {extensions(ws)!r})", flush=True)


async def server(deflate, cert=None, key=None):
    context = None
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

    async def echo(ws, _path=None):
        print(f"extensions {extensions(ws)!r} protocol {ws.subprotocol!r}", flush=True)
        try:
            async for m in ws:
                await ws.send(m)
        except websockets.ConnectionClosed:
            pass
        print(f"closed {ws.close_code}", flush=True)

    compression = "deflate" if deflate else None
    async with websockets.serve(echo, "127.0.0.1", 0, ssl=context, compression=compression,
                                max_size=1 << 20) as s:
        port = s.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.sleep(120)  # the script kills it long before


def main():
    mode, *args = sys.argv[1:]
    try:
        if mode == "client":
            url, count, deflate = args
            asyncio.run(asyncio.wait_for(client(url, int(count), deflate == "deflate"), 60))
        elif mode == "server":
            asyncio.run(server(args[0] == "deflate", *args[1:3]))
        else:
            fail("usage: client URL COUNT deflate|plain | server deflate|plain [CERT KEY]")
    except (Failed, websockets.WebSocketException, OSError, asyncio.TimeoutError) as e:
        print(f"ws_python.py: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
