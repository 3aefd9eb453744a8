"""What the two conformance suites (conformance_server.py and conformance_client.py) share
besides the wire (ws_wire.py): how a case fails, its deadline, the command line, and the report.

  check(condition, message)     raises Failed(message) unless condition
  on_alarm                      SIGALRM's handler while a case runs: raises CaseTimeout
  arguments(doc, program)       the command line: PROGRAM [-k FILTER] [-v]
  selected(filter, group, name) whether -k FILTER keeps a case
  Results                       each case's line as it ends, then a table per group and the
                                verdict
"""
import argparse


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)


class CaseTimeout(Exception):
    pass


def on_alarm(signum, frame_):
    raise CaseTimeout("case timed out")


def arguments(doc, program):
    """The parser for `PROGRAM [-k FILTER] [-v]`, described by the first line of doc; the
    caller may add more before parsing."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument(program)
    ap.add_argument("-k", dest="filter", help="only cases whose group or name contains this")
    ap.add_argument("-v", dest="verbose", action="store_true")
    return ap


def selected(filter_, group, name):
    return not filter_ or filter_ in "%s %s" % (group, name)


class Results:
    """The cases' outcomes. A case's line is printed as it ends if it failed (every case's with
    verbose); report() prints the table and the verdict. Each suite keeps its own column
    widths for the group: `width` in the lines, `table_width` in the table."""

    def __init__(self, verbose, width, table_width):
        self.verbose, self.width, self.table_width = verbose, width, table_width
        self.rows = []  # (group, name, ok, detail, seconds)

    def add(self, group, name, ok, detail, elapsed):
        self.rows.append((group, name, ok, detail, elapsed))
        if self.verbose or not ok:
            print("%-*s %-4s %6.2fs  %s%s" % (self.width, group, "ok" if ok else "FAIL", elapsed,
                                              name, "  -- " + detail if detail else ""),
                  flush=True)

    def report(self):
        """Prints the table per group, the failures and the counts; returns the exit status:
        1 if a case failed or none ran."""
        w = self.table_width
        print("\n%-*s %6s %6s %8s" % (w, "group", "cases", "failed", "seconds"))
        groups = []
        for g, *_ in self.rows:
            if g not in groups:
                groups.append(g)
        for g in groups:
            rows = [r for r in self.rows if r[0] == g]
            print("%-*s %6d %6d %8.1f" % (w, g, len(rows), sum(1 for r in rows if not r[2]),
                                          sum(r[4] for r in rows)))
        failed = [r for r in self.rows if not r[2]]
        for g, name, _, detail, _ in failed:
            print("FAILED %s %s: %s" % (g, name, detail))
        print("%d passed, %d failed" % (len(self.rows) - len(failed), len(failed)))
        return 1 if failed or not self.rows else 0
