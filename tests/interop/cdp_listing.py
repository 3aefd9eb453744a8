"""Drives headless Chromium over the DevTools protocol to check pier's directory listing.

Usage: cdp_listing.py <chromium> <profile-dir> <base-url> <png-prefix> <name>...
where each <name> is an entry the root listing must show (a directory ends in '/') and each
file holds its own name as content.

Chromium is driven through cdp.py (--remote-debugging-pipe, standard library only, one
deadline).
"""
import signal
import sys
import urllib.request

from cdp import Browser

chromium, profile, base, png_prefix = sys.argv[1:5]
expected = sys.argv[5:]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


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
    browser = Browser(chromium, profile, seconds=60, step=20)
    try:
        page = browser.open_page()
        page.navigate(base + "/")
        browser.drain(0.5)
        report = page.evaluate(PAGE_REPORT)
        check_root(report)
        check(report["background"] == "rgb(255, 255, 255)",
              f"light background: {report['background']}")
        page.screenshot(png_prefix + ".png")

        # Dark mode follows prefers-color-scheme.
        page.call("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        check(dark == "rgb(13, 17, 23)", f"dark background: {dark}")
        page.screenshot(png_prefix + "-dark.png")

        # Following the directory's link as a user would: a click, then the sub-listing.
        page.evaluate("document.querySelector('tbody a').click()")
        browser.wait_event("Page.loadEventFired")
        sub = page.evaluate("""({path: location.pathname,
            h1: document.querySelector('h1').textContent,
            links: [...document.querySelectorAll('tbody a')].map(a => a.textContent)})""")
        check(sub["path"] == "/sub%20dir/", f"clicked into {sub['path']!r}")
        check(sub["h1"] == "Directory listing for /sub dir/", f"sub-listing h1: {sub['h1']!r}")
        check(sub["links"] == ["../", "inner.txt"], f"sub-listing links: {sub['links']}")

        # Sorting without JavaScript: the Size header is a plain link to ?sort=size&order=asc.
        page.navigate(base + "/")
        page.evaluate("document.querySelectorAll('thead a')[1].click()")
        browser.wait_event("Page.loadEventFired")
        by_size = page.evaluate("""({search: location.search,
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
