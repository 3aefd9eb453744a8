"""Headless Chromium over the DevTools protocol, for the cdp_*.py drivers.

The protocol runs over --remote-debugging-pipe (fd 3: commands in, fd 4: replies out, each
message JSON ended by NUL), so the standard library is enough: no WebSocket client, no
debugging port to find or to race for. Every wait is bounded by one deadline.

    browser = Browser(chromium, profile, seconds=60, step=20)
    try:
        page = browser.open_page()  # a new tab, attached (flat session), Page and Runtime on
        page.navigate(url)
        page.evaluate("document.title")
    finally:
        browser.close()

A JavaScript dialog is recorded in browser.dialogs and accepted, so it cannot block the page.
With network=True, Network.* events are not kept as events but folded into browser.requests
(requestId -> its hops, headers as sent, statuses, failure, type); the Network domain still has
to be enabled on the page.

check(cond, what) prints "ok: what" or "FAIL: what" as the shell side of each test does, and
keeps the failed ones in `failures`, for the driver's exit status.
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

failures = []


def check(cond, what):
    if cond:
        print("ok:", what)
    else:
        failures.append(what)
        print("FAIL:", what)
    sys.stdout.flush()


class Browser:
    def __init__(self, chromium, profile, seconds, step, network=False):
        """Starts Chromium with <profile> as its user data dir; chromium.log and chromium.pid
        go there too. Every wait ends `seconds` from now at the latest, and any one reply or
        event may take `step` seconds."""
        self.deadline = time.monotonic() + seconds
        self.step = step
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
        self.network = network
        self.requests = {}  # requestId -> what the Network domain said of it, in order

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _record_network(self, msg):
        m, p = msg["method"], msg["params"]
        if "requestId" not in p:
            return
        r = self.requests.setdefault(p["requestId"], {
            "hops": [], "headers": [], "statuses": [], "failed": None, "type": None})
        if m == "Network.requestWillBeSent":
            if "redirectResponse" in p:
                r["statuses"].append(p["redirectResponse"]["status"])
            r["hops"].append((p["request"]["method"], p["request"]["url"]))
            r["type"] = p.get("type")
        elif m == "Network.requestWillBeSentExtraInfo":
            # The fields as sent, Sec-Fetch-* and Origin included (requestWillBeSent has not
            # got them yet).
            r["headers"].append({k.lower(): v for k, v in p["headers"].items()})
        elif m == "Network.responseReceived":
            r["statuses"].append(p["response"]["status"])
        elif m == "Network.loadingFailed":
            r["failed"] = {k: p[k] for k in ("errorText", "corsErrorStatus", "blockedReason")
                           if k in p}

    def requests_since(self, before, url_prefix):
        """The recorded requests not in `before` (a set of requestIds) whose first hop's URL
        starts with url_prefix."""
        return [r for rid, r in self.requests.items()
                if rid not in before and r["hops"] and r["hops"][0][1].startswith(url_prefix)]

    def _read_one(self, until):
        while b"\0" not in self.buf:
            left = min(until, self.deadline) - time.monotonic()
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
        method = msg.get("method", "")
        if method == "Page.javascriptDialogOpening":
            # An alert() blocks the page until answered: record it, dismiss it, go on.
            self.dialogs.append(msg["params"])
            self.send("Page.handleJavaScriptDialog", {"accept": True}, msg.get("sessionId"))
        elif self.network and method.startswith("Network."):
            self._record_network(msg)
            return {}  # recorded; not kept as an event
        return msg

    def call(self, method, params=None, session=None):
        """Sends a command and returns its result; events read meanwhile are kept."""
        mid = self.send(method, params, session)
        until = time.monotonic() + self.step
        while True:
            msg = self._read_one(until)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, seconds=None):
        """The first kept or coming event of that method, taken out of the kept ones."""
        until = time.monotonic() + (self.step if seconds is None else seconds)
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

    def open_page(self, domains=("Page", "Runtime"), width=1000, height=720):
        """A new tab, attached with a flat session, the domains enabled, its viewport set."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in domains:
            page.call(domain + ".enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return page

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


class Page:
    """One attached target: commands go to its session."""

    def __init__(self, browser, session):
        self.b, self.s = browser, session

    def call(self, method, params=None):
        return self.b.call(method, params, self.s)

    def evaluate(self, expression):
        """The expression's value (a promise awaited), by value; an exception raises."""
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"page script failed: {r['exceptionDetails']}")
        return r["result"].get("value")  # undefined has none

    def forget_loads(self):
        """Drops kept load events, so the next wait_event is for a load still to come."""
        self.b.events = [e for e in self.b.events if e["method"] != "Page.loadEventFired"]

    def navigate(self, url):
        self.forget_loads()
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise RuntimeError(f"navigate {url}: {r['errorText']}")
        self.b.wait_event("Page.loadEventFired")

    def screenshot(self, path):
        r = self.call("Page.captureScreenshot", {"format": "png"})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def url(self):
        tree = self.call("Page.getFrameTree")
        return tree["frameTree"]["frame"]["url"]

    def node(self, selector):
        """The DOM domain's nodeId of the first match (DOM must be enabled)."""
        root = self.call("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.call("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            raise RuntimeError(f"no {selector} on the page")
        return node

    def click(self, selector):
        """A real mouse click in the middle of the element: works without JavaScript too."""
        node = self.node(selector)
        self.call("DOM.scrollIntoViewIfNeeded", {"nodeId": node})
        quad = self.call("DOM.getBoxModel", {"nodeId": node})["model"]["border"]
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1})
