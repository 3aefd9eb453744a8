"""Drives headless Chromium over the DevTools protocol: a page's own WebSocket echoes messages
through pier's ws_echo, with permessage-deflate (Chromium always offers it; /echo accepts) and
without (/echo-uncompressed declines it).

Usage: cdp_websocket.py <chromium> <profile-dir> <page-url> <ws-port> <count>

The page (served by `pier serve`, another origin than ws_echo's) sends <count> messages per
endpoint at once, text and binary by turns, compares each echo and writes a JSON report into
its <pre id="result">; this reads the report from the DOM. Chromium is driven through cdp.py.
"""
import json
import signal
import sys
import time

from cdp import Browser, check, failures

chromium, profile, page_url, ws_port, count = sys.argv[1:6]
def main():
    browser = Browser(chromium, profile, seconds=90, step=30)
    try:
        page = browser.open_page()
        page.navigate(f"{page_url}?port={ws_port}&count={count}")
        report = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = page.evaluate("document.getElementById('result').textContent")
            if text and text != "running":
                report = json.loads(text)
                break
            time.sleep(0.2)
        check(report is not None, "the page finished within 60 s")
        if report is None:
            return
        for r in report:
            name = r["path"]
            check(r.get("error") is None, f"{name}: no error event ({r.get('error')})")
            check(r["got"] == int(count), f"{name}: {r['got']} of {count} messages came back")
            check(not r["bad"], f"{name}: every echo identical (first differing: {r['bad']})")
            check(r["code"] == 1000 and r["wasClean"],
                  f"{name}: closed cleanly with 1000 (code {r['code']}, clean {r['wasClean']})")
            want_deflate = name == "/echo"
            check(("permessage-deflate" in r["extensions"]) == want_deflate,
                  f"{name}: extensions {r['extensions']!r}")
    finally:
        browser.close()


if __name__ == "__main__":
    # ctest's timeout sends SIGTERM: leave through `finally`, so Chromium goes too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    main()
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
