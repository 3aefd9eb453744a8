"""Drives headless Chromium over the DevTools protocol to check pier's directory listing.

Usage: cdp_listing.py <chromium> <profile-dir> <base-url> <png-prefix> <name>...
where each <name> is an entry the root listing must show (a directory ends in '/') and each
file holds its own name as content.

The protocol runs over --remote-debugging-pipe (fd 3: commands in, fd 4: replies out, each
message JSON ended by NUL), so the standard library is enough: no WebSocket client, no
debugging port to find or to race for. Every wait is bounded by one deadline.
"""
import base64
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request

DEADLINE = time.monotonic() + 60
STEP = 20  # seconds any single reply or event may take

chromium, profile, base, png_prefix = sys.argv[1:5]
expected = sys.argv[5:]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


class Browser:
    def __init__(self):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        # Above 10 first, so placing them at 3 and 4 cannot overwrite one with the other.
        hi_r = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10)
        hi_w = fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)

        def place_pipe_fds():
            os.dup2(hi_r, 3)  # os.dup2 makes them inheritable
            os.dup2(hi_w, 4)

        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        args = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--no-first-run", "--disable-component-update",
            "--disable-sync", "--disable-quic", "--user-data-dir=" + profile,
            "--remote-debugging-pipe", "--window-size=1000,800", "about:blank",
        ]
        # Own session: the renderer and zygote children are killed with it, by group.
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, pass_fds=(3, 4),
                                     preexec_fn=place_pipe_fds, start_new_session=True)
        with open(os.path.join(profile, "chromium.pid"), "w") as f:
            f.write(str(self.proc.pid))
        for fd in (to_r, from_w, hi_r, hi_w):
            os.close(fd)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.dialogs = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read_one(self, until):
        while b"\0" not in self.buf:
            left = min(until, DEADLINE) - time.monotonic()
            if left <= 0:
                raise TimeoutError("no message from Chromium in time")
            ready, _, _ = select.select([self.from_r], [], [], left)
            if ready:
                chunk = os.read(self.from_r, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the pipe")
                self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        msg = json.loads(raw)
        if msg.get("method") == "Page.javascriptDialogOpening":
            # An alert() blocks the page until answered: record it, dismiss it, go on.
            self.dialogs.append(msg["params"])
            self.send("Page.handleJavaScriptDialog", {"accept": True}, msg.get("sessionId"))
        return msg

    def call(self, method, params=None, session=None):
        mid = self.send(method, params, session)
        until = time.monotonic() + STEP
        while True:
            msg = self._read_one(until)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, seconds=STEP):
        until = time.monotonic() + seconds
        for i, msg in enumerate(self.events):
            if msg["method"] == method:
                return self.events.pop(i)
        while True:
            msg = self._read_one(until)
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)

    def drain(self, seconds):
        """Reads events for a while: a late onerror handler still gets to fire its alert."""
        try:
            while True:
                msg = self._read_one(time.monotonic() + seconds)
                if "method" in msg:
                    self.events.append(msg)
        except TimeoutError:
            pass

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=5)
        except Exception:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()


def evaluate(browser, session, expression):
    r = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                          "awaitPromise": True}, session)
    if "exceptionDetails" in r:
        raise RuntimeError(f"page script failed: {r['exceptionDetails']}")
    return r["result"].get("value")  # undefined has none


def navigate(browser, session, url):
    browser.events = [e for e in browser.events if e["method"] != "Page.loadEventFired"]
    r = browser.call("Page.navigate", {"url": url}, session)
    if r.get("errorText"):
        raise RuntimeError(f"navigate {url}: {r['errorText']}")
    browser.wait_event("Page.loadEventFired")


def screenshot(browser, session, path):
    r = browser.call("Page.captureScreenshot", {"format": "png"}, session)
    with open(path, "wb") as f:
        f.write(base64.b64decode(r["data"]))


# What the page itself sees: the rendered rows, every element in the body, and what each
# link's href returns when the browser fetches it.
PAGE_REPORT = r"""(async () => {
  const links = [...document.querySelectorAll('tbody a')];
  const rows = await Promise.all(links.map(async a => {
    const r = await fetch(a.href, {cache: 'no-store'});
    return {text: a.textContent, attr: a.getAttribute('href'), href: a.href,
            status: r.status, body: await r.text()};
  }));
  const hidden = await fetch('/.env', {cache: 'no-store'});
  return {
    title: document.title,
    h1: document.querySelector('h1') && document.querySelector('h1').textContent,
    tags: [...new Set([...document.body.querySelectorAll('*')].map(e => e.localName))].sort(),
    injected: document.querySelectorAll('img, script, iframe, object, embed, svg').length,
    handlers: [...document.querySelectorAll('*')].filter(
        e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    headers: [...document.querySelectorAll('thead a')].map(a => a.textContent),
    rows, hiddenStatus: hidden.status,
    background: getComputedStyle(document.body).backgroundColor,
  };
})()"""


def check_root(report):
    check(report["title"] == "Directory listing for /", f"title: {report['title']!r}")
    check(report["h1"] == "Directory listing for /", f"h1: {report['h1']!r}")
    # Only the listing's own markup: anything else came out of a name.
    allowed = {"h1", "table", "thead", "tbody", "tr", "th", "td", "a"}
    check(set(report["tags"]) <= allowed, f"unexpected elements: {set(report['tags']) - allowed}")
    check(report["injected"] == 0, f"{report['injected']} img/script/... elements in the DOM")
    check(report["handlers"] == 0, f"{report['handlers']} elements with on* attributes")
    check([h.split(" ")[0] for h in report["headers"]] == ["Name", "Size", "Modified"],
          f"column headers: {report['headers']}")
    shown = [r["text"] for r in report["rows"]]
    check(sorted(shown) == sorted(expected), f"names shown {shown}, expected {expected}")
    check(".env" not in shown and not any(".env" in s for s in shown), ".env listed")
    check(shown[0] == "sub dir/", f"directories first: {shown}")
    check(report["hiddenStatus"] == 404, f"GET /.env from the page: {report['hiddenStatus']}")
    for r in report["rows"]:
        name = r["text"]
        check(r["attr"].startswith("./"), f"{name!r}: href {r['attr']!r} not relative ./")
        check(r["href"].startswith(base + "/"), f"{name!r}: href resolved to {r['href']!r}")
        check(r["status"] == 200, f"{name!r}: fetch({r['href']}) from the page: {r['status']}")
        if name.endswith("/"):
            check(f"Directory listing for /{name}" in r["body"],
                  f"{name!r}: its href does not return its listing")
            continue
        check(r["body"] == name, f"{name!r}: fetch from the page returned {r['body']!r}")
        # The same URL from outside the browser, byte for byte.
        with urllib.request.urlopen(r["href"], timeout=10) as resp:
            got = resp.read()
        check(got == name.encode(), f"{name!r}: urllib GET {r['href']} returned {got!r}")


def main():
    browser = Browser()
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.enable", session=session)
        browser.call("Runtime.enable", session=session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": 1000, "height": 720, "deviceScaleFactor": 1, "mobile": False},
                     session)

        navigate(browser, session, base + "/")
        browser.drain(0.5)
        report = evaluate(browser, session, PAGE_REPORT)
        check_root(report)
        check(report["background"] == "rgb(255, 255, 255)",
              f"light background: {report['background']}")
        screenshot(browser, session, png_prefix + ".png")

        # Dark mode follows prefers-color-scheme.
        browser.call("Emulation.setEmulatedMedia",
                     {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}, session)
        dark = evaluate(browser, session, "getComputedStyle(document.body).backgroundColor")
        check(dark == "rgb(13, 17, 23)", f"dark background: {dark}")
        screenshot(browser, session, png_prefix + "-dark.png")

        # Following the directory's link as a user would: a click, then the sub-listing.
        evaluate(browser, session, "document.querySelector('tbody a').click()")
        browser.wait_event("Page.loadEventFired")
        sub = evaluate(browser, session, """({path: location.pathname,
            h1: document.querySelector('h1').textContent,
            links: [...document.querySelectorAll('tbody a')].map(a => a.textContent)})""")
        check(sub["path"] == "/sub%20dir/", f"clicked into {sub['path']!r}")
        check(sub["h1"] == "Directory listing for /sub dir/", f"sub-listing h1: {sub['h1']!r}")
        check(sub["links"] == ["../", "inner.txt"], f"sub-listing links: {sub['links']}")

        # Sorting without JavaScript: the Size header is a plain link to ?sort=size&order=asc.
        navigate(browser, session, base + "/")
        evaluate(browser, session, "document.querySelectorAll('thead a')[1].click()")
        browser.wait_event("Page.loadEventFired")
        by_size = evaluate(browser, session, """({search: location.search,
            links: [...document.querySelectorAll('tbody a')].map(a => a.textContent)})""")
        files = [n for n in expected if not n.endswith("/")]
        # Directories first; then size (each file holds its own name), ties by name's bytes.
        want = [n for n in expected if n.endswith("/")] + sorted(
            files, key=lambda n: (len(n.encode()), n.encode()))
        check(by_size["search"] == "?sort=size&order=asc", f"Size header led to {by_size['search']!r}")
        check(by_size["links"] == want, f"sorted by size: {by_size['links']}, expected {want}")

        browser.drain(0.3)
        check(not browser.dialogs, f"JavaScript dialogs opened: {browser.dialogs}")
    finally:
        browser.close()
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print(f"browser listing: ok ({len(expected)} entries)")


if __name__ == "__main__":
    # ctest's timeout sends SIGTERM: leave through `finally`, so Chromium goes too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    main()
