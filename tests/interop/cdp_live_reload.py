"""Drives headless Chromium over the DevTools protocol to check `pier serve --live-reload`.

Usage: cdp_live_reload.py <chromium> <profile-dir> <pier> <site-dir> <pier-log>

Runs pier itself (it restarts it on the same port), as `pier serve --live-reload -b 127.0.0.1 PORT -d SITE`:
  1. index.html loads, shows its text, and its script opens the live-reload WebSocket;
  2. the file is edited on disk: the page reloads by itself and shows the new text;
  3. pier is stopped, the file edited, pier started again on the same port: the page's script
     reconnects and reloads, and shows the text written while the server was away.
Every check prints ok or FAIL; exit 1 if any failed. Every wait is bounded (cdp.py's deadline).
"""
import os
import re
import signal
import subprocess
import sys
import time

from cdp import Browser, check, failures

chromium, profile, pier, site, pier_log = sys.argv[1:6]
server = None


def write_page(text):
    # Written to a temporary and renamed, as editors save: the watch must see a rename too.
    tmp = os.path.join(site, ".index.html.tmp")
    with open(tmp, "w") as f:
        f.write("<!doctype html><html><head><meta charset=utf-8><title>live</title></head>"
                f"<body><h1>{text}</h1></body></html>\n")
    os.replace(tmp, os.path.join(site, "index.html"))


def start_pier(port):
    """pier on `port` (0: any); its port, once its start-up line says it listens."""
    global server
    log = open(pier_log, "ab")
    server = subprocess.Popen([pier, "serve", "--live-reload", "-b", "127.0.0.1", str(port), "-d", site],
                              stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    with open(os.path.join(profile, "pier.pid"), "w") as f:
        f.write(str(server.pid))
    deadline = time.monotonic() + 10
    lines = []
    while time.monotonic() < deadline:
        line = server.stdout.readline().decode()
        if not line:
            break
        lines.append(line)
        m = re.match(r"Serving HTTP on \S+ port (\d+) ", line)
        if m:
            return int(m.group(1))
    raise RuntimeError(f"pier did not start: {''.join(lines)}")


def stop_pier():
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def text(page):
    return page.evaluate("document.body.innerText").strip()


def wait_socket(browser, what):
    """The page's live-reload WebSocket answered 101 (an event of the Network domain)."""
    try:
        e = browser.wait_event("Network.webSocketHandshakeResponseReceived", 10)
        check(e["params"]["response"]["status"] == 101, f"{what}: the live-reload socket opened")
    except TimeoutError:
        check(False, f"{what}: the live-reload socket opened")


def wait_reload(page, what, seconds):
    """The page loaded again by itself within `seconds`."""
    try:
        page.b.wait_event("Page.loadEventFired", seconds)
        return True
    except TimeoutError:
        check(False, f"{what}: the page reloaded by itself within {seconds} s")
        return False


def main():
    write_page("version one")
    port = start_pier(0)
    base = f"http://127.0.0.1:{port}"
    browser = Browser(chromium, profile, seconds=80, step=15)
    try:
        page = browser.open_page(domains=("Page", "Runtime", "Network"))
        page.navigate(base + "/index.html")
        check(text(page) == "version one", f"first load shows 'version one' ({text(page)!r})")
        check(page.evaluate("document.scripts.length") == 1, "the page has the live-reload script")
        wait_socket(browser, "first load")

        page.forget_loads()
        write_page("version two")
        if wait_reload(page, "after an edit", 10):
            check(text(page) == "version two", f"after an edit: 'version two' ({text(page)!r})")
        wait_socket(browser, "after the reload")

        stop_pier()
        page.forget_loads()
        time.sleep(1.5)  # the page's script is retrying now
        write_page("version three")
        start_pier(port)
        if wait_reload(page, "after a restart", 15):
            check(text(page) == "version three",
                  f"after a restart: 'version three' ({text(page)!r})")
        check(page.url() == base + "/index.html", f"still on the same page ({page.url()})")
        browser.drain(0.2)
        check(not browser.dialogs, f"no JavaScript dialogs ({browser.dialogs})")
    finally:
        browser.close()
        if server and server.poll() is None:
            stop_pier()
    if failures:
        sys.exit(f"{len(failures)} browser check(s) failed")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    main()
