"""Drives headless Chromium over the DevTools protocol to check `pier serve --upload`.

Usage: cdp_upload.py <chromium> <profile-dir> <pier-url> <attacker-port> <files-dir> <png>

<files-dir> holds hello.txt, big.bin and nojs.txt. The browser side only: the listing after
each upload, what Chromium sent and what pier answered it; browser_upload.sh compares the
files on disk and pier's access log. Every check prints ok or FAIL; exit 1 if any failed.
  1. the form with JavaScript: DOM.setFileInputFiles puts two files on the input, a mouse
     click on Upload sends them by XMLHttpRequest (201), the page reloads and lists them;
  2. the form without JavaScript: a plain multipart POST, 303 back to the listing;
  3. another origin's page (127.0.0.1:<attacker-port>, same site; localhost:<attacker-port>,
     cross-site) posts forms (a text field; a file set through DataTransfer) and fetches
     (PUT no-cors, PUT cors, POST of a FormData with a file, POST of text): each that reaches
     pier must be answered 403.
Chromium is driven through cdp.py: --remote-debugging-pipe, standard library only, one deadline.
"""
import json
import os
import signal
import sys
import time

from cdp import Browser, check, failures

chromium, profile, base, attacker_port, files_dir, png = sys.argv[1:7]


def listed(page):
    """The names in the listing, read through the DOM domain (no page script needed)."""
    html = page.call("DOM.getOuterHTML", {"nodeId": page.node("tbody")})["outerHTML"]
    names = []
    for piece in html.split("<a ")[1:]:
        text = piece.split(">", 1)[1].split("</a>", 1)[0]
        names.append(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    return names


def describe(r):
    """One line: method URL [type] -> statuses; the Fetch Metadata and Origin as sent."""
    method, url = r["hops"][0]
    h = r["headers"][0] if r["headers"] else {}
    sent = " ".join(f"{k[len('sec-fetch-'):] if k.startswith('sec-fetch-') else k}="
                    f"{h[k]}" for k in ("sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest",
                                        "sec-fetch-user", "origin") if k in h)
    if not r["headers"]:
        sent = "(never sent: no headers reported)"
    end = f" failed={r['failed']}" if r["failed"] else ""
    return f"{method} {url} [{r['type']}] -> {r['statuses']}{end}; {sent}"


def upload_with_script(page):
    files = [os.path.join(files_dir, n) for n in ("hello.txt", "big.bin")]
    page.navigate(base + "/sub/")
    before = set(page.b.requests)
    node = page.node("#upload input[type=file]")
    page.call("DOM.setFileInputFiles", {"files": files, "nodeId": node})
    page.forget_loads()
    page.click("#upload button[type=submit]")
    page.b.wait_event("Page.loadEventFired")  # the script reloads the page after the 201
    page.b.drain(0.2)
    names = listed(page)
    check("hello.txt" in names and "big.bin" in names,
          f"with JavaScript: both files listed after the reload ({names})")
    posts = [r for r in page.b.requests_since(before, base + "/sub/") if r["hops"][0][0] == "POST"]
    check(len(posts) == 1 and posts[0]["type"] == "XHR" and posts[0]["statuses"] == [201],
          "with JavaScript: one XMLHttpRequest POST answered 201")
    for r in posts:
        print("  seen:", describe(r))
    page.screenshot(png)

    # A same-origin PUT from the page: the control for the cross-site PUT refused below.
    before = set(page.b.requests)
    status = page.evaluate("fetch('/control.txt', {method: 'PUT', body: 'control'})"
                           ".then(r => r.status)")
    check(status == 201, f"same-origin fetch PUT /control.txt from pier's page: {status}")
    for r in page.b.requests_since(before, base + "/control.txt"):
        print("  seen:", describe(r))


def upload_without_script(page):
    page.call("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        page.navigate(base + "/sub/")
        before = set(page.b.requests)
        node = page.node("#upload input[type=file]")
        page.call("DOM.setFileInputFiles",
                  {"files": [os.path.join(files_dir, "nojs.txt")], "nodeId": node})
        page.forget_loads()
        page.click("#upload button[type=submit]")
        page.b.wait_event("Page.loadEventFired")
        page.b.drain(0.2)
        names = listed(page)
        check("nojs.txt" in names, f"without JavaScript: nojs.txt listed ({names})")
        url = page.url()
        check(url == base + "/sub/", f"without JavaScript: back on the listing ({url})")
        posts = [r for r in page.b.requests_since(before, base + "/sub/")
                 if r["hops"][0][0] == "POST"]
        check(len(posts) == 1 and posts[0]["type"] == "Document"
              and posts[0]["hops"] == [("POST", base + "/sub/"), ("GET", base + "/sub/")]
              and posts[0]["statuses"] == [303, 200],
              "without JavaScript: a plain form POST, 303, then GET of the listing")
        for r in posts:
            print("  seen:", describe(r))
    finally:
        page.call("Emulation.setScriptExecutionDisabled", {"value": False})


def attack(page, attacker, kind):
    """Loads the attacker's page at `attacker`; returns pier's requests it caused."""
    before = set(page.b.requests)
    if kind == "fetch":
        page.navigate(f"{attacker}/attack.html?fetch")
        until = time.monotonic() + page.b.step
        while not page.evaluate("window.done === true"):
            if time.monotonic() > until:
                raise TimeoutError("the attacker's fetches did not finish")
            page.b.drain(0.1)
        results = page.evaluate("window.results")
        print(f"  page saw: {json.dumps(results)}")
    else:
        page.navigate(f"{attacker}/attack.html?{kind}")
        page.b.wait_event("Page.loadEventFired")  # the form's answer, shown in its place
        url = page.url()
        check(url == base + "/sub/", f"{attacker} {kind} form: the browser posted it ({url})")
    page.b.drain(0.3)
    # pier's requests, not the page itself (it is pier's own when a check is broken on purpose)
    return [r for r in page.b.requests_since(before, base)
            if not r["hops"][0][1].startswith(f"{attacker}/attack.html")]


def cross_site(page, attacker):
    forms = attack(page, attacker, "text") + attack(page, attacker, "file")
    for r in forms:
        print("  seen:", describe(r))
    check(len(forms) == 2 and all(r["statuses"] == [403] for r in forms),
          f"{attacker}: the text form and the file form are answered 403")
    # So the refusal is pier's and not an empty post: the file form did carry the file. Chromium
    # reports no bytes of a Blob, so its size is compared: it is that of this body, exactly.
    h = forms[1]["headers"][0] if len(forms) == 2 and forms[1]["headers"] else {}
    boundary = h.get("content-type", "").partition("boundary=")[2]
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="evil-form.txt"\r\nContent-Type: text/plain\r\n\r\nevil\r\n'
            f'--{boundary}--\r\n')
    check(boundary and h.get("content-length") == str(len(body)),
          f"{attacker}: the file form's body carried evil-form.txt "
          f"(Content-Length {h.get('content-length')}, expected {len(body)})")
    fetched = attack(page, attacker, "fetch")
    for r in fetched:
        print("  seen:", describe(r))
    posts = [r for r in fetched if r["hops"][0][0] == "POST"]
    check(len(posts) == 2 and all(r["statuses"] == [403] for r in posts),
          f"{attacker}: no-cors fetch POSTs (a FormData with a file, text) answered 403")
    # Whatever PUT reached pier must have been refused; the browser itself may hold it back
    # (no-cors allows no PUT; cors needs a preflight pier does not grant).
    puts = [r for r in fetched if r["hops"][0][0] == "PUT"]
    check(all(not r["statuses"] or r["statuses"] == [403] for r in puts),
          f"{attacker}: fetch PUTs not answered with anything but 403")
    return forms + fetched


def main():
    browser = Browser(chromium, profile, seconds=45, step=15, network=True)
    try:
        page = browser.open_page(domains=("Page", "Runtime", "DOM", "Network"))
        page.call("Network.setCacheDisabled", {"cacheDisabled": True})

        upload_with_script(page)
        upload_without_script(page)
        cross_site(page, f"http://127.0.0.1:{attacker_port}")  # another origin, same site
        cross_site(page, f"http://localhost:{attacker_port}")  # another site
        browser.drain(0.2)
        check(not browser.dialogs, f"no JavaScript dialogs ({browser.dialogs})")
    finally:
        browser.close()
    if failures:
        sys.exit(f"{len(failures)} browser check(s) failed")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    main()
